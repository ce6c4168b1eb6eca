/** loadWorldOnce (check, whatif, traceback) with the calling-number feeds: DNO lists and the allocation feed. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { loadWorldOnce } from '../../src/feeds/load.js';
import { toFeedPlan } from '../../src/feeds/plan.js';
import { decide } from '../../src/screening/policy.js';
import { buildFacts } from '../support/builders.js';
import { repoPath } from '../support/paths.js';

let dir: string;

const CONFIG = `
sip: { defaultRoute: ['sip:127.0.0.1:5070'] }
data:
  rmd: { path: ${repoPath('config/samples/rmd.csv')} }
  dno:
    - { name: op-dno, path: dno.csv }
    - { name: small, path: small.yaml }
  allocation: { path: allocation.csv }
callingNumber: { invalid: true }
emergency: { calledNumbers: ['988'] }
providers:
  - { id: harborline, name: Harborline Communications LLC, rmdNumber: RMD0990001 }
trunks:
  - { id: h1, provider: harborline, sources: [192.0.2.1/32] }
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rmdgate-load-'));
  await writeFile(join(dir, 'config.yaml'), CONFIG);
  await writeFile(join(dir, 'dno.csv'), 'number,source\n+12025550166,subscriber-request\n');
  await writeFile(join(dir, 'small.yaml'), 'prefixes: ["+1202555019"]\n');
  await writeFile(join(dir, 'allocation.csv'), 'npa,nxx,x\n202,555,\n');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const facts = (from: string) => buildFacts({ sourceAddress: '192.0.2.1', from: `<sip:${from}@x>;tag=1`, receivedAt: Date.UTC(2026, 11, 6) });

describe('loadWorldOnce with calling-number feeds', () => {
  it('plans one feed per DNO list and one allocation feed, after the RMD and blocklists', async () => {
    const loaded = await loadConfig(join(dir, 'config.yaml'), {});
    const plan = toFeedPlan(loaded.config, loaded.resolvePath);

    expect(plan.specs.map((s) => [s.name, s.kind, s.format])).toEqual([['rmd', 'rmd', 'csv'], ['op-dno', 'dno', 'csv'], ['small', 'dno', 'yaml'], ['allocation', 'allocation', 'csv']]);
  });

  it('compiles a world that screens calling numbers, and summarises it for check', async () => {
    const { world, summary } = await loadWorldOnce(await loadConfig(join(dir, 'config.yaml'), {}), { now: Date.UTC(2026, 11, 6) });

    expect(decide(facts('+12025550100'), world)).toMatchObject({ kind: 'allow', reason: undefined });
    expect(decide(facts('+12025550166'), world)).toMatchObject({ kind: 'reject', reason: 'calling-number-dno', evidence: { callingNumberList: 'op-dno' } });
    expect(decide(facts('+12025550199'), world)).toMatchObject({ kind: 'reject', reason: 'calling-number-dno', evidence: { callingNumberList: 'small', callingNumberEntry: '+1202555019…' } });
    expect(decide(facts('+12025560100'), world)).toMatchObject({ kind: 'reject', reason: 'calling-number-unallocated', evidence: { callingNumberEntry: '202-556' } });
    expect(decide(facts('+12021110100'), world)).toMatchObject({ kind: 'reject', reason: 'calling-number-invalid' });
    expect(decide(buildFacts({ ...facts('+12025550166'), requestUri: 'sip:988@gw' }), world)).toMatchObject({ kind: 'allow', wouldBlock: true, evidence: { protectedCall: 'emergency' } });
    expect(summary.callingNumber).toEqual({ invalid: true, dnoEntries: { 'op-dno': 1, small: 1 }, allocationRows: 1, emergencyCalledNumbers: ['911', '933', '988'], psapCallingNumbers: 0 });
  });
});
