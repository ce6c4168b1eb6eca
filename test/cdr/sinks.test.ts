/**
 * The JSON-lines sink reports its own health to /readyz (`cdr-store`): failing from a failed append until an append
 * succeeds again — judged on its own batches, so another sink's success cannot mask it.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCdrSinks } from '../../src/cdr/sinks.js';
import { toCdrRecord } from '../../src/screening/cdr-record.js';
import { decide } from '../../src/screening/policy.js';
import { buildFacts, buildWorld } from '../support/builders.js';
import { cdrConfig } from './support/cdr-config.js';
import { countingMetrics, silentLog } from '../support/fakes.js';

describe('JSON-lines CDR sink health', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('fails after a failed append and recovers with the next successful one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rmdgate-jsonl-health-'));
    dirs.push(dir);
    const metrics = countingMetrics();
    const sink = await createCdrSinks(cdrConfig(dir, { sqlite: { enabled: false }, jsonl: { enabled: true } }), { resolvePath: (p) => p, log: silentLog, metrics, monotonicMs: () => performance.now() });
    const world = buildWorld();
    const write = (): void => {
      const facts = buildFacts({ receivedAt: Date.UTC(2026, 10, 23, 12) });
      sink.write(toCdrRecord(facts, decide(facts, world), { node: 'n', seq: 1, decidedAt: facts.receivedAt, sipStatus: 302, mode: 'enforce', configVersion: 'v', provider: undefined, rmdLoadedAt: undefined }));
    };
    try {
      expect(sink.health()).toMatchObject({ ok: true });
      const dayFile = join(dir, 'cdr-2026-11-23.jsonl');
      mkdirSync(dayFile); // a directory where the day file goes: the append fails (EISDIR)
      write();
      await sink.flush();
      expect(metrics.lostBy['write-error']).toBe(1);
      expect(sink.health()).toEqual({ ok: false, detail: `jsonl: last append to ${dir} failed` });

      rmSync(dayFile, { recursive: true });
      write();
      await sink.flush();
      expect(metrics.counts.written).toBe(1);
      expect(sink.health()).toMatchObject({ ok: true });
    } finally {
      await sink.close();
    }
  });
});
