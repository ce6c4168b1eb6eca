/**
 * Config loading from real files: the admin token length rule.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIN_ADMIN_TOKEN_BYTES, loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/config/parse.js';
import { configYaml, tempDir } from '../feeds/harness.js';

describe('loadConfig: admin bearer token', () => {
  let tmp: ReturnType<typeof tempDir>;
  let file: string;
  const write = (admin: string): void => writeFileSync(file, configYaml({ rmd: 'rmd.csv' }).replace('admin: { listen: false }', `admin: ${admin}`));

  beforeEach(() => {
    tmp = tempDir();
    file = join(tmp.dir, 'gate.yaml');
  });
  afterEach(() => tmp.cleanup());

  it.each([
    { name: 'one character', token: 'x', bytes: 1 },
    { name: 'one byte short', token: 'a'.repeat(MIN_ADMIN_TOKEN_BYTES - 1), bytes: 31 },
  ])('refuses a token of $name, naming the variable and the length but not the token', async ({ token, bytes }) => {
    write('{ listen: { address: 127.0.0.1, port: 9465 }, tokenEnv: GATE_ADMIN }');

    const err: unknown = await loadConfig(file, { GATE_ADMIN: token }).then(() => undefined, (e: unknown) => e);

    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      { path: 'admin.tokenEnv', message: `the bearer token in GATE_ADMIN is ${bytes} bytes; at least 32 are required (e.g. openssl rand -hex 32)` },
    ]);
    expect((err as Error).message).not.toContain(`${token}\n`);
  });

  it('accepts a 32-byte token, and a short one while the admin listener is off', async () => {
    write('{ listen: { address: 127.0.0.1, port: 9465 } }');
    const token = 'b'.repeat(32);
    expect((await loadConfig(file, { RMDGATE_ADMIN_TOKEN: token })).adminToken).toBe(token);

    write('{ listen: false }');
    expect((await loadConfig(file, { RMDGATE_ADMIN_TOKEN: 'x' })).adminToken).toBe('x');
  });
});
