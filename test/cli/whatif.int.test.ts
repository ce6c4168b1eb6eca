/**
 * `rmdgate whatif` and `rmdgate check` from the command line tell what the live gate does: a provider in its removal
 * grace (the gate's grace.json in the state dir) passes as would-block, not "now blocked"; an expired list entry is
 * not reported as a designation.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteWriter } from '../../src/cdr/sqlite/writer.js';
import { buildCdr } from '../support/builders.js';
import { repoPath } from '../support/paths.js';
import { runCli, type CliRun } from '../support/run-cli.js';

const RMD = repoPath('config/samples/rmd.csv');
const HOUR = 3_600_000;

/** Harborline filed under a number the sample RMD lacks (gone from the RMD); Cedar on an operator hold that expired 2025-12-31. */
const CONFIG = `node: { id: gate-t }
sip: { defaultRoute: ["sip:127.0.0.1:5070"] }
data:
  rmd: { path: ${JSON.stringify(RMD)} }
  blocklists:
    - { name: operator, path: ${JSON.stringify(repoPath('config/samples/lists/operator.csv'))}, kind: operator }
providers:
  - { id: harborline, name: Harborline Communications LLC, rmdNumber: RMD0990777, frn: "0099000777" }
  - { id: cedar, name: Cedar Ridge Voice Inc, rmdRequired: false }
trunks:
  - { id: harborline-1, provider: harborline, sources: [203.0.113.10/32] }
  - { id: cedar-1, provider: cedar, sources: [203.0.113.11/32] }
cdr: { dir: cdr }
feeds: { stateDir: state }
ops: { listen: false }
admin: { listen: false }
`;

/** Runs the CLI from the sources (bounded by a 30 s timeout). */
const cli = (args: string[]): Promise<CliRun> => runCli(args, { source: true, timeoutMs: 30_000 });

describe('whatif and check apply the removal grace and list expiry as the live gate does', () => {
  let dir: string;
  const since = Date.now() - 2 * HOUR;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rmdgate-cli-truth-'));
    writeFileSync(join(dir, 'gate.yaml'), CONFIG);
    mkdirSync(join(dir, 'state'), { recursive: true });
    writeFileSync(join(dir, 'state', 'grace.json'), JSON.stringify({ providers: { harborline: { since, rmdNumber: 'RMD0990001' } } }));
    const writer = createSqliteWriter({ dir: join(dir, 'cdr') });
    const live = { trunkId: 'harborline-1', providerId: 'harborline', decision: 'allow' as const, wouldBlock: true, reason: 'provider-not-in-rmd' as const };
    writer.write([buildCdr({ ...live, seq: 1, receivedAtMs: Date.now() - HOUR, callId: 'graced-1' })].map((r) => ({ r })));
    writer.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('whatif replays a call let through under grace as unchanged, not as now blocked', async () => {
    const r = await cli(['whatif', '--config', join(dir, 'gate.yaml'), '--since', '1d', '--store-dir', join(dir, 'cdr'), '--format', 'json']);

    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ replayed: 1, unchanged: 1, nowBlocked: 0 });
  }, 40_000);

  it('check lists the provider in grace with its grace end and last RMD number, and no expired designation', async () => {
    const r = await cli(['check', '--config', join(dir, 'gate.yaml'), '--json']);
    const doc = JSON.parse(r.out) as { providersMissingFromRmd: unknown[]; providersDesignated: unknown[] };

    expect(r.code, r.err).toBe(0);
    expect(doc.providersMissingFromRmd).toEqual([expect.objectContaining({ id: 'harborline', rmdNumber: 'RMD0990777', graceEndsAt: new Date(since + 48 * HOUR).toISOString() })]);
    expect(doc.providersDesignated).toEqual([]);
  }, 40_000);
});
