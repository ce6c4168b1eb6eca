import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCdrSinks } from '../../../src/adapters/store/cdr-sinks.js';
import { createSqliteCdrReader } from '../../../src/adapters/store/sqlite-cdr-query.js';
import { listDayFiles } from '../../../src/adapters/store/sqlite-day-files.js';
import { AT, buildCdr, buildCdrs } from '../../unit/store/support/build-cdr.js';
import { cdrConfig } from '../../unit/store/support/cdr-config.js';
import { countingMetrics, silentLog } from '../../unit/store/support/fakes.js';

const DAY_MS = 86_400_000;

describe('sqlite CDR sink (worker thread)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rmdgate-sqlite-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('stores every record written before close(), in the day file of its UTC receive day', async () => {
    const metrics = countingMetrics();
    const sink = await createCdrSinks(cdrConfig(dir), { resolvePath: (p) => p, log: silentLog, metrics, monotonicMs: () => performance.now() });
    const records = [...buildCdrs(2500, { startMs: AT }), ...buildCdrs(500, { firstSeq: 10_000, startMs: AT + DAY_MS })];

    for (const r of records) sink.write(r);
    await sink.close();

    expect(listDayFiles(dir)).toEqual(['2026-11-20', '2026-11-21']);
    const reader = createSqliteCdrReader(dir);
    const stored = [...reader.scan(AT - DAY_MS, AT + 2 * DAY_MS)];
    await reader.close();
    expect(stored).toHaveLength(3000);
    expect(stored[0]?.record).toEqual(records[0]);
    expect(metrics.counts).toMatchObject({ written: 3000, lost: 0 });
  });

  it('counts writes after close() as lost with cause closed', async () => {
    const metrics = countingMetrics();
    const sink = await createCdrSinks(cdrConfig(dir), { resolvePath: (p) => p, log: silentLog, metrics, monotonicMs: () => performance.now() });
    await sink.close();

    sink.write(buildCdr());

    expect(metrics.lostBy['closed']).toBe(1);
  });

  it('makes records queryable after flush() while the sink stays open', async () => {
    const sink = await createCdrSinks(cdrConfig(dir), { resolvePath: (p) => p, log: silentLog, metrics: countingMetrics(), monotonicMs: () => performance.now() });
    sink.write(buildCdr({ seq: 7 }));

    await sink.flush();
    const reader = createSqliteCdrReader(dir);
    const found = await reader.findCalls({ callingKey: 3035550100, calledKey: 2025550123, fromMs: AT - 1000, toMs: AT + 1000, limit: 10 });
    await reader.close();
    await sink.close();

    expect(found.map((f) => f.record.seq)).toEqual([7]);
  });

  it('keeps the event loop responsive (p99 delay < 5 ms) while ingesting 20,000 records per second', async () => {
    const sink = await createCdrSinks(cdrConfig(dir, { flushIntervalMs: 200 }), { resolvePath: (p) => p, log: silentLog, metrics: countingMetrics(), monotonicMs: () => performance.now() });
    const h = monitorEventLoopDelay({ resolution: 1 });
    const perTick = 200;
    let seq = 1;
    h.enable();
    const started = Date.now();
    for (let tick = 0; tick < 200 && Date.now() - started < 4000; tick++) {
      for (let i = 0; i < perTick; i++) sink.write(buildCdr({ seq: seq++, receivedAtMs: AT + seq }));
      await new Promise((r) => setTimeout(r, 10));
    }
    h.disable();
    await sink.close();

    expect(seq - 1).toBeGreaterThanOrEqual(20_000);
    expect(h.percentile(99) / 1e6).toBeLessThan(5);
  });
});
