/**
 * `rmdgate check` over real files: listeners other hosts can reach over plain HTTP are warned about, loopback ones
 * and a TLS admin listener are not, and a warning never fails the check.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkCommand } from '../../src/cli/check.js';
import { configYaml, rmdCsv, rows, tempDir } from '../feeds/harness.js';

describe('rmdgate check: listeners off loopback', () => {
  let tmp: ReturnType<typeof tempDir>;
  let out: string[];
  let err: string[];
  const io = { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) };

  beforeEach(() => {
    tmp = tempDir();
    out = [];
    err = [];
    writeFileSync(join(tmp.dir, 'rmd.csv'), rmdCsv(rows(3)));
  });
  afterEach(() => tmp.cleanup());

  const check = async (ops: string, admin: string, json = false): Promise<number> => {
    const file = join(tmp.dir, 'gate.yaml');
    writeFileSync(file, configYaml({ rmd: 'rmd.csv' }).replace('ops: { listen: false }', `ops: ${ops}`).replace('admin: { listen: false }', `admin: ${admin}`));
    return checkCommand(file, json, io);
  };

  it('warns that ops is plain HTTP and admin has no TLS when both listen on 0.0.0.0, and still passes', async () => {
    const code = await check('{ listen: { address: 0.0.0.0, port: 9464 } }', '{ listen: { address: "::", port: 9465 } }');

    expect(code).toBe(0);
    expect(out.join('\n')).toContain(': OK (config version');
    expect(err).toHaveLength(2);
    expect(err[0]).toMatch(/warning: ops\.listen\.address: 0\.0\.0\.0 is off loopback and the ops listener is plain HTTP/);
    expect(err[1]).toMatch(/warning: admin\.listen\.address: :: is off loopback without admin\.tls/);
  });

  it.each([
    { name: 'loopback addresses', ops: '{ listen: { address: 127.0.0.1, port: 9464 } }', admin: '{ listen: { address: "::1", port: 9465 } }' },
    { name: 'localhost and disabled', ops: '{ listen: { address: localhost, port: 9464 } }', admin: '{ listen: false }' },
    { name: 'admin off loopback with TLS', ops: '{ listen: false }', admin: '{ listen: { address: 10.0.0.5, port: 9465 }, tls: { cert: c.pem, key: k.pem } }' },
  ])('says nothing for $name', async ({ ops, admin }) => {
    expect(await check(ops, admin)).toBe(0);
    expect(err).toEqual([]);
  });

  it('puts the warnings in the JSON document', async () => {
    await check('{ listen: { address: 192.0.2.1, port: 9464 } }', '{ listen: false }', true);
    const doc = JSON.parse(out.join('\n')) as { ok: boolean; warnings: { path: string }[] };

    expect(doc.ok).toBe(true);
    expect(doc.warnings.map((w) => w.path)).toEqual(['ops.listen.address']);
    expect(err).toEqual([]);
  });
});

describe('rmdgate check: data files that are not data', () => {
  let tmp: ReturnType<typeof tempDir>;
  const io = { out: () => undefined, err: () => undefined };
  const SECRET = 'root-secret-line:x:0:0:hunter2';

  beforeEach(() => {
    tmp = tempDir();
    mkdirSync(join(tmp.dir, 'etc'));
    mkdirSync(join(tmp.dir, 'conf', 'deep'), { recursive: true });
    writeFileSync(join(tmp.dir, 'etc', 'passwd'), `${SECRET}\nRMD12,${SECRET}\n`);
    writeFileSync(join(tmp.dir, 'etc', 'secrets.csv'), `${SECRET},token\nx,y\n`);
    writeFileSync(join(tmp.dir, 'conf', 'deep', 'rmd.csv'), rmdCsv(rows(3)));
  });
  afterEach(() => tmp.cleanup());

  const failure = async (rmd: string, lists = '[]'): Promise<string> => {
    const file = join(tmp.dir, 'conf', 'deep', 'gate.yaml');
    writeFileSync(file, configYaml({ rmd, lists }));
    const err: unknown = await checkCommand(file, false, io).then(() => undefined, (e: unknown) => e);
    if (!(err instanceof Error)) throw new Error('check passed');
    return `${err.message}\n${JSON.stringify(err)}`;
  };

  it('resolves an RMD path against the config file and names it, without echoing a line of the file', async () => {
    const text = await failure('../../etc/passwd');

    expect(text).toContain(join(tmp.dir, 'etc', 'passwd'));
    expect(text).toContain('missing required RMD column(s)');
    expect(text).not.toContain('root-secret');
    expect(text).not.toContain('hunter2');
  });

  it('names a blocklist whose header is not a list header without echoing it', async () => {
    const text = await failure('rmd.csv', '[{ name: s, path: ../../etc/secrets.csv, kind: operator }]');

    expect(text).toContain('secrets.csv');
    expect(text).toContain('column 1: not a known column');
    expect(text).not.toContain('root-secret');
    expect(text).not.toContain('hunter2');
  });
});

describe('rmdgate check: calling-number screening in the summary', () => {
  it('shows the NANP rules, DNO entries per list, allocation and emergency protection in the text summary, as in JSON', async () => {
    const out: string[] = [];
    const io = { out: (t: string) => void out.push(t), err: () => undefined };
    const example = join(import.meta.dirname, '../../config/example.yaml');

    expect(await checkCommand(example, false, io)).toBe(0);
    const text = out.join('\n');
    out.length = 0;
    await checkCommand(example, true, io);
    const doc = JSON.parse(out.join('\n')) as { callingNumber: { invalid: boolean; dnoEntries: Record<string, number>; emergencyCalledNumbers: string[] } };

    const dno = Object.entries(doc.callingNumber.dnoEntries).map(([n, c]) => `${n}=${c}`).join(', ');
    expect(dno).not.toBe('');
    expect(text).toContain(`calling-number screening: NANP rules ${doc.callingNumber.invalid ? 'on' : 'off'}; DNO entries ${dno};`);
    expect(text).toContain(`emergency protection: called ${doc.callingNumber.emergencyCalledNumbers.join(', ')};`);
    expect(doc.callingNumber.emergencyCalledNumbers).toEqual(expect.arrayContaining(['911', '933']));
  });
});
