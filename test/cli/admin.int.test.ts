/**
 * `rmdgate status`, `rmdgate reload` and `rmdgate feed refresh NAME` (the built CLI) against a running gate (the
 * built CLI's `serve`), over real HTTP: address from the config or --url, token from the environment or a file,
 * table and JSON output, the server's refusals (401, 404, 422) and a gate that is not there.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminServer, type AdminServer } from '../../src/ops/admin-server.js';
import { testConfigYaml } from '../support/app-harness.js';
import { silentLog } from '../support/fakes.js';
import { findBinary } from '../support/prometheus.js';
import { repoPath } from '../support/paths.js';
import { runCli, type CliRun } from '../support/run-cli.js';
import { CLI, startServe, type ServeProcess } from '../support/serve-process.js';

const TOKEN = 'cli-admin-test-token-0123456789abcdef-0123456789';
const SAMPLE_RMD = repoPath('config/samples/rmd.csv');

/** A TCP port free a moment ago on loopback (the gate's admin listener takes it; the config must name it). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

type Run = CliRun;

/** Runs the built CLI with `env` added, the admin token cleared first (bounded by a 20 s timeout). */
const cli = (args: string[], env: Record<string, string> = {}): Promise<Run> => runCli(args, { env: { RMDGATE_ADMIN_TOKEN: '', ...env } });

const errLines = (r: Run): string[] => r.err.trim().split('\n');

describe.runIf(existsSync(CLI))('rmdgate status / reload / feed refresh against a running gate', () => {
  let dir: string;
  let gate: ServeProcess;
  let file: string;
  let url: string;
  const withToken = { RMDGATE_ADMIN_TOKEN: TOKEN };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rmdgate-cli-admin-'));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    process.env['RMDGATE_ADMIN_TOKEN'] = TOKEN; // the gate's environment (startServe passes process.env)
    try {
      // The gate reads a copy of the sample RMD, so a test can break it.
      copyFileSync(SAMPLE_RMD, join(dir, 'rmd.csv'));
      const yaml = testConfigYaml(join(dir, 'cdr'), { extra: `admin: { listen: { address: 127.0.0.1, port: ${port} } }` }).replace(JSON.stringify(SAMPLE_RMD), JSON.stringify(join(dir, 'rmd.csv')));
      gate = startServe(dir, yaml);
    } finally {
      delete process.env['RMDGATE_ADMIN_TOKEN'];
    }
    file = join(dir, 'gate.yaml');
    await gate.started();
  }, 30_000);
  afterAll(async () => {
    gate?.killAll();
    await gate?.noneLeft();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the status as a table, from the config\'s admin address and the token in the environment', async () => {
    const r = await cli(['status', '--config', file], withToken);

    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^gate: +node obs-test, rmdgate \S+, mode enforce, config version [0-9a-f]{12}/);
    expect(r.out).toMatch(/^RMD: +snapshot [0-9a-f]+, 25 rows/m);
    expect(r.out).toMatch(/^trunks: +3$/m);
    expect(r.out).toMatch(/^harborline +Harborline Communications LLC +listed /m);
    expect(r.out).toMatch(/^tallgrass +.* designated /m);
    for (const feed of ['rmd', 'fcc-k4', 'operator']) expect(r.out).toMatch(new RegExp(`^${feed} +\\S+`, 'm'));
  });

  it('prints the same JSON document with --json and --format json, from --url and a token file', async () => {
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, `${TOKEN}\n`);
    const a = await cli(['status', '--url', url, '--token-file', tokenFile, '--json']);
    const b = await cli(['status', '--url', url, '--token-file', tokenFile, '--format', 'json']);
    const stable = (text: string): unknown => JSON.parse(text.replace(/"at": "[^"]+"|"ageSeconds": \d+|"asOf": (\d+|"[^"]+")/g, '"x": 0'));

    expect([a.code, b.code]).toEqual([0, 0]);
    expect(stable(a.out)).toEqual(stable(b.out));
    expect(JSON.parse(a.out)).toMatchObject({ mode: 'enforce', node: 'obs-test', trunks: { total: 3 } });
  });

  it('exits 1 with the server\'s refusal for a wrong token', async () => {
    const r = await cli(['status', '--url', url], { RMDGATE_ADMIN_TOKEN: 'x'.repeat(40) });

    expect(r.code).toBe(1);
    expect(errLines(r)).toEqual(['rmdgate status: GET /admin/status answered HTTP 401: unauthorized: the gate refused the bearer token (check RMDGATE_ADMIN_TOKEN or --token-file)']);
  });

  it('reloads, and reports a refused config with its problems (exit 1), the running one staying', async () => {
    const ok = await cli(['reload', '--config', file], withToken);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^reloaded: config version [0-9a-f]{12} \(unchanged\)/);

    const good = readFileSync(file, 'utf8');
    try {
      writeFileSync(file, good.replace('mode: enforce', 'mode: bogus'));
      const bad = await cli(['reload', '--url', url, '--json'], withToken);
      expect(bad.code).toBe(1);
      expect(JSON.parse(bad.out)).toMatchObject({ ok: false });
      expect(bad.err).toMatch(/^reload refused: config version [0-9a-f]{12} stays in force\n {2}- .*mode/);
    } finally {
      writeFileSync(file, good);
    }
  });

  it('refreshes a feed, and exits 1 with the server\'s answer for an unknown feed', async () => {
    const ok = await cli(['feed', 'refresh', 'rmd', '--config', file], withToken);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^rmd: (updated|not-modified)/);

    const json = await cli(['feed', 'refresh', 'fcc-k4', '--url', url, '--json'], withToken);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toMatchObject({ feed: 'fcc-k4' });

    const unknown = await cli(['feed', 'refresh', 'nope', '--url', url], withToken);
    expect(unknown.code).toBe(1);
    expect(errLines(unknown)).toEqual(['rmdgate feed refresh: POST /admin/feeds/nope/refresh answered HTTP 404: unknown-feed; nope']);
  });

  it('exits 1 with the refused refresh\'s code and reason, the last good data staying', async () => {
    writeFileSync(join(dir, 'rmd.csv'), 'not,an,rmd,export\n1,2,3,4\n');
    const r = await cli(['feed', 'refresh', 'rmd', '--url', url], withToken);

    expect(r.code).toBe(1);
    expect(errLines(r)[0]).toMatch(/^rmd: refused \(ERR_FEED_COLUMNS, 25 rows in force, snapshot [0-9a-f]+\): .*rmd\.csv: missing required RMD column/);
    expect(r.err).not.toContain('    at ');
  });
});

describe.runIf(existsSync(CLI))('rmdgate status without a gate', () => {
  it('exits 1 saying no gate listens at the address', async () => {
    const port = await freePort();
    const r = await cli(['status', '--url', `http://127.0.0.1:${port}`], { RMDGATE_ADMIN_TOKEN: TOKEN });

    expect(r.code).toBe(1);
    expect(errLines(r)).toEqual([`rmdgate status: no gate listening at http://127.0.0.1:${port}`]);
  });

  it.each([
    { name: 'no token anywhere', args: ['status', '--url', 'http://127.0.0.1:9'], says: 'no admin token' },
    { name: 'neither --config nor --url', args: ['reload'], says: "give the gate's --config FILE (or CONFIG_FILE) or --url URL" },
    { name: 'a URL that is not http', args: ['status', '--url', 'ftp://x'], says: 'invalid --url "ftp://x"' },
  ])('exits 2 with one line for $name', async ({ args, says }) => {
    const r = await cli(args, args.includes('http://127.0.0.1:9') ? {} : { RMDGATE_ADMIN_TOKEN: TOKEN });

    expect(r.code).toBe(2);
    expect(errLines(r)).toHaveLength(1);
    expect(r.err).toContain(says);
  });
});

describe.runIf(existsSync(CLI) && findBinary('openssl'))('rmdgate status over HTTPS with a private certificate', () => {
  let dir: string;
  let server: AdminServer;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rmdgate-cli-tls-'));
    await promisify(execFile)('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { timeout: 20_000 });
    server = createAdminServer({
      address: '127.0.0.1', port: 0, token: TOKEN, log: silentLog, tls: { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') },
      routes: [{ method: 'GET', path: '/admin/status', handler: () => ({ status: 200, body: { mode: 'monitor', node: 'tls-node' } }) }],
    });
    url = `https://127.0.0.1:${(await server.start()).port}`;
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('trusts the certificate given with --ca', async () => {
    const r = await cli(['status', '--url', url, '--ca', join(dir, 'cert.pem'), '--json'], { RMDGATE_ADMIN_TOKEN: TOKEN });

    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ mode: 'monitor', node: 'tls-node' });
  });

  it('refuses it without --ca, in one line', async () => {
    const r = await cli(['status', '--url', url, '--json'], { RMDGATE_ADMIN_TOKEN: TOKEN });

    expect(r.code).toBe(1);
    expect(errLines(r)).toEqual([expect.stringMatching(new RegExp(`^rmdgate status: cannot reach the gate at ${url}: .*certificate`))]);
  });
});
