import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteWriter } from '../../src/cdr/sqlite/writer.js';
import { AT, buildCdr } from '../support/builders.js';
import { repoPath } from '../support/paths.js';
import { runCli, type CliRun } from '../support/run-cli.js';

const RMD = repoPath('config/samples/rmd.csv');

function config(providerRmd: string): string {
  return `node: { id: gate-t }
sip: { defaultRoute: ["sip:127.0.0.1:5070"] }
data: { rmd: { path: ${JSON.stringify(RMD)} } }
providers:
  - { id: harborline, name: Harborline Communications LLC, rmdNumber: ${providerRmd}, frn: "${providerRmd === 'RMD0990001' ? '0099000001' : '0099000777'}" }
trunks:
  - { id: harborline-1, provider: harborline, sources: [203.0.113.10/32] }
cdr: { dir: cdr }
ops: { listen: false }
admin: { listen: false }
`;
}

/** Runs the CLI from the sources (bounded by a 30 s timeout). */
const cli = (args: string[]): Promise<CliRun> => runCli(args, { source: true, timeoutMs: 30_000 });

describe('rmdgate traceback / whatif commands', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rmdgate-cli-'));
    writeFileSync(join(dir, 'gate.yaml'), config('RMD0990001'));
    writeFileSync(join(dir, 'candidate.yaml'), config('RMD0990777'));
    writeFileSync(join(dir, 'batch.csv'), 'calling,called,at\n(303) 555-0100,tel:+1-202-555-0123,2026-11-20T14:03:10-05:00\n3035550100,2025550999,2026-11-20T19:03:00Z\n');
    const writer = createSqliteWriter({ dir: join(dir, 'cdr') });
    const base = { trunkId: 'harborline-1', providerId: 'harborline', rmdSnapshotId: 'snapOLD000000000' };
    writer.write([buildCdr({ ...base, seq: 1, receivedAtMs: AT }), buildCdr({ ...base, seq: 2, receivedAtMs: Date.now() - 3_600_000, callId: 'recent-1' })].map((r) => ({ r })));
    writer.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers a traceback as a table with the RMD contact and the snapshot note', async () => {
    const r = await cli(['traceback', '--config', join(dir, 'gate.yaml'), '--calling', '+1 303 555 0100', '--called', '2025550123', '--at', '2026-11-20T14:03:00', '--tz', 'America/New_York']);

    expect(r.code).toBe(0);
    expect(r.out).toContain('Time (America/New_York) 2026-11-20 14:03:00.000 -05:00');
    expect(r.out).toContain('Mitigation contact   Avery Calloway, +12025550101');
    expect(r.out).toMatch(/screened under RMD snapshot snapOLD000000000; contact taken from current snapshot [0-9a-f]{16}/);
  }, 40_000);

  it('reads a time without zone as UTC, and shows the time once', async () => {
    const r = await cli(['traceback', '--config', join(dir, 'gate.yaml'), '--calling', '+1 303 555 0100', '--called', '2025550123', '--at', '2026-11-20T19:03:00']);

    expect(r.code).toBe(0);
    expect(r.out).toContain('Result: 1 matching call(s)');
    expect(r.out.match(/Time \(UTC\)/g)).toHaveLength(1);
  }, 40_000);

  it('refuses to answer from a CDR store that does not exist (exit 1, one line naming the directory, no stack)', async () => {
    writeFileSync(join(dir, 'nostore.yaml'), config('RMD0990001').replace('cdr: { dir: cdr }', 'cdr: { dir: no-such-cdr }'));
    const r = await cli(['traceback', '--config', join(dir, 'nostore.yaml'), '--calling', '3035550100', '--called', '2025550123', '--at', 'now']);

    expect(r.code).toBe(1);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain(`no SQLite CDR store at ${join(dir, 'no-such-cdr')}`);
    expect(r.out).not.toContain('matching call');
  }, 40_000);

  it('answers a CSV batch with one row per matching call and an explicit no-match', async () => {
    const r = await cli(['traceback', '--config', join(dir, 'gate.yaml'), '--batch', join(dir, 'batch.csv')]);

    const rows = r.out.trim().split('\n');
    expect(r.code).toBe(0);
    expect(rows).toHaveLength(3);
    expect(rows[1]).toContain(',match,');
    expect(rows[1]).toContain('Avery Calloway');
    expect(rows[2]).toContain(',no-match,');
  }, 40_000);

  it.each([
    { name: 'an unknown --tz', args: ['--calling', '3035550100', '--called', '2025550123', '--at', '2026-11-20T14:03:00Z', '--tz', 'Mars/Olympus'], says: 'unknown time zone "Mars/Olympus"' },
    { name: 'a malformed number', args: ['--calling', 'x', '--called', '2025550123', '--at', '2026-11-20T14:03:00Z'], says: 'invalid calling number "x": expected' },
    { name: 'a missing --called', args: ['--calling', '3035550100', '--at', '2026-11-20T14:03:00Z'], says: 'missing --called' },
  ])('exits 2 naming the expected format for $name', async ({ args, says }) => {
    const r = await cli(['traceback', '--config', join(dir, 'gate.yaml'), ...args]);

    expect(r.code).toBe(2);
    expect(r.err).toContain(says);
  }, 40_000);

  it('reports stored calls a candidate config would now block', async () => {
    const r = await cli(['whatif', '--config', join(dir, 'candidate.yaml'), '--since', '1d', '--store-dir', join(dir, 'cdr'), '--format', 'json']);

    const report = JSON.parse(r.out) as { replayed: number; nowBlocked: number; groups: { to: string; examples: string[] }[] };
    expect(r.code).toBe(0);
    expect(report).toMatchObject({ replayed: 1, nowBlocked: 1 });
    expect(report.groups[0]).toMatchObject({ to: 'reject:provider-not-in-rmd', examples: ['recent-1'] });
  }, 40_000);

  it('replays under a given RMD snapshot with the config unchanged', async () => {
    const r = await cli(['whatif', '--config', join(dir, 'gate.yaml'), '--since', '2026-11-01T00:00:00Z', '--rmd', RMD]);

    expect(r.code).toBe(0);
    expect(r.out).toContain('Replayed 2: unchanged 2, now blocked 0, now allowed 0');
  }, 40_000);
});
