/**
 * deploy/healthcheck.mjs (the image's HEALTHCHECK), run as the container runs it: `node healthcheck.mjs` with
 * CONFIG_FILE set. It asks /healthz on the port ops.listen names — a real HTTP server on an ephemeral port here.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, freePort } from '../support/prometheus.js';

const run = promisify(execFile);
const SCRIPT = join(ROOT, 'deploy/healthcheck.mjs');

async function healthcheck(configText: string | undefined): Promise<{ code: number; stderr: string }> {
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'] };
  if (configText !== undefined) {
    const file = join(dir, `cfg-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, configText);
    env['CONFIG_FILE'] = file;
  }
  try {
    const r = await run(process.execPath, [SCRIPT], { env, timeout: 10_000 });
    return { code: 0, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stderr?: string };
    return { code: e.code ?? -1, stderr: e.stderr ?? '' };
  }
}

let dir = '';
let server: Server;
let port = 0;
let status = 200;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rmdgate-health-'));
  server = createServer((req, res) => {
    res.statusCode = req.url === '/healthz' ? status : 404;
    res.end('{}');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise<void>((ok) => server.close(() => ok()));
  rmSync(dir, { recursive: true, force: true });
});

describe('deploy/healthcheck.mjs', () => {
  it('is healthy when /healthz answers 200 on the configured ops port (not 9464)', async () => {
    status = 200;
    const r = await healthcheck(`ops:\n  listen: { address: 127.0.0.1, port: ${port} }\n`);

    expect(port).not.toBe(9464);
    expect(r).toEqual({ code: 0, stderr: '' });
  });

  it('checks a wildcard ops address on loopback', async () => {
    status = 200;

    expect((await healthcheck(`ops:\n  listen: { address: 0.0.0.0, port: ${port} }\n`)).code).toBe(0);
  });

  it('is unhealthy when /healthz answers 503, naming the URL', async () => {
    status = 503;
    const r = await healthcheck(`ops:\n  listen: { address: 127.0.0.1, port: ${port} }\n`);

    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`healthcheck: http://127.0.0.1:${port}/healthz answered 503\n`);
  });

  it('is unhealthy when nothing listens on the configured port', async () => {
    const closed = await freePort();
    const r = await healthcheck(`ops:\n  listen: { address: 127.0.0.1, port: ${closed} }\n`);

    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^healthcheck: /);
  });

  it('counts ops.listen: false as healthy (nothing to ask) and a missing CONFIG_FILE as unhealthy', async () => {
    expect((await healthcheck('ops:\n  listen: false\n')).code).toBe(0);
    expect(await healthcheck(undefined)).toEqual({ code: 1, stderr: 'healthcheck: CONFIG_FILE is not set\n' });
  });
});
