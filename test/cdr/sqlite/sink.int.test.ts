import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCdrSinks } from '../../../src/cdr/sinks.js';
import { createSqliteCdrReader } from '../../../src/cdr/sqlite/query.js';
import { listDayFiles } from '../../../src/cdr/sqlite/day-files.js';
import { AT, buildCdr, buildCdrs } from '../../support/builders.js';
import { cdrConfig } from '../support/cdr-config.js';
import { countingMetrics, silentLog } from '../../support/fakes.js';

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
    const found = await reader.findCalls({ callingKey: 13035550100, calledKey: 12025550123, fromMs: AT - 1000, toMs: AT + 1000, atMs: AT, limit: 10 });
    await reader.close();
    await sink.close();

    expect(found.calls.map((f) => f.record.seq)).toEqual([7]);
    expect(found.total).toBe(1);
  });

  it('keeps each store call on the SIP loop short (p99.9 < 5 ms) while ingesting 20,000 records per second', async () => {
    const sink = await createCdrSinks(cdrConfig(dir, { flushIntervalMs: 200 }), { resolvePath: (p) => p, log: silentLog, metrics: countingMetrics(), monotonicMs: () => performance.now() });
    const loop = monitorEventLoopDelay({ resolution: 1 });
    const calls: number[] = [];
    const started = Date.now();
    let n = 0;
    loop.enable();
    for (let slice = 0; slice < 400 && Date.now() - started < 2000; slice++) {
      const due = Math.floor(((Date.now() - started) * 20_000) / 1000);
      for (; n < due; n++) {
        const record = buildCdr({ seq: n + 1, receivedAtMs: AT + n });
        const t0 = performance.now();
        sink.write(record);
        calls.push(performance.now() - t0);
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    loop.disable();
    await sink.close();

    calls.sort((a, b) => a - b);
    const p999 = calls[Math.floor(calls.length * 0.999)] ?? Infinity;
    console.info(`ingest: ${n} records in ${Date.now() - started} ms; write() p99.9 ${p999.toFixed(3)} ms, max ${calls.at(-1)?.toFixed(3)} ms; event-loop delay p99 ${(loop.percentile(99) / 1e6).toFixed(2)} ms (includes other test files' CPU load)`);
    expect(n).toBeGreaterThanOrEqual(35_000);
    expect(p999).toBeLessThan(5);
  });
});
