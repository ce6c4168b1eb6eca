/**
 * `rmdgate traceback` (built CLI) over a crowded window: the closest calls to --at are listed, the table footer and
 * the JSON state the total, the limit and truncation, and --limit 0 lists every match.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteWriter } from '../../src/cdr/sqlite/writer.js';
import { repoPath } from '../support/paths.js';
import { buildTracebackCrowd, expectedOrder } from '../support/traceback-crowd.js';

const CLI = repoPath('dist/cli.js');
const AT_MS = Date.UTC(2026, 10, 20, 19, 3, 0);

function cli(dir: string, args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, 'traceback', '--config', join(dir, 'gate.yaml'), '--calling', '3035550100', '--called', '2025550123', '--at', '2026-11-20T14:03:00-05:00', ...args], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
    timeout: 30_000,
    env: { ...process.env, CONFIG_FILE: '' },
  });
  return { code: r.status ?? 1, out: r.stdout, err: r.stderr };
}

describe('rmdgate traceback --limit (built CLI)', () => {
  const crowd = buildTracebackCrowd({ atMs: AT_MS, windowMs: 600_000, matches: 1500 });
  const expected = expectedOrder(crowd.matches, AT_MS);
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rmdgate-cli-limit-'));
    writeFileSync(join(dir, 'gate.yaml'), `node: { id: gate-t }
sip: { defaultRoute: ["sip:127.0.0.1:5070"] }
data: { rmd: { path: ${JSON.stringify(repoPath('config/samples/rmd.csv'))} } }
providers:
  - { id: harborline, name: Harborline Communications LLC, rmdNumber: RMD0990001, frn: "0099000001" }
trunks:
  - { id: harborline-1, provider: harborline, sources: [203.0.113.10/32] }
cdr: { dir: cdr }
ops: { listen: false }
admin: { listen: false }
`);
    const writer = createSqliteWriter({ dir: join(dir, 'cdr') });
    writer.write(crowd.records.map((r) => ({ r })));
    writer.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists the 100 closest by default and says 1,500 matched, truncated, in the result line and the footer', () => {
    const r = cli(dir, []);

    expect(r.code).toBe(0);
    expect(r.out).toContain('Result: 1,500 matching call(s) in the window; showing the 100 closest to 2026-11-20T19:03:00.000Z — TRUNCATED');
    expect(r.out).toContain('Showing 100 closest of 1,500 matches to 2026-11-20T19:03:00.000Z (limit 100); --limit 0 for all.');
    expect([...r.out.matchAll(/Call-ID +(\S+)/g)].map((m) => m[1])).toEqual(expected.slice(0, 100).map((c) => c.callId));
  }, 40_000);

  // 1.4 MB of JSON through a pipe: also proves the CLI exits only once standard output has taken all of it.
  it('lists every match with --limit 0 and says it is not truncated (JSON)', () => {
    const r = cli(dir, ['--limit', '0', '--format', 'json']);
    const body = JSON.parse(r.out) as { total: number; returned: number; limit: number; truncated: boolean; matches: { callId: string }[] };

    expect(r.code).toBe(0);
    expect(body).toMatchObject({ total: 1500, returned: 1500, limit: 0, truncated: false });
    expect(body.matches.map((m) => m.callId)).toEqual(expected.map((c) => c.callId));
  }, 40_000);

  it('exits 2 naming the accepted values for a limit that is not a whole number', () => {
    const r = cli(dir, ['--limit=-3']);

    expect(r.code).toBe(2);
    expect(r.err).toContain('invalid --limit "-3": expected a whole number from 1 to 1000000, or 0 for all matches');
  }, 40_000);
});
