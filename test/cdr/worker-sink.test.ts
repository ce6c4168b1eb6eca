/**
 * A store worker that dies while the gate runs is fatal: the sink calls onFatal (serve exits 1 so a supervisor
 * restarts the process), counts what it held as lost and reports unhealthy. A worker stopped by close() is not.
 */
import { describe, expect, it } from 'vitest';
import { recordBytes } from '../../src/cdr/record-size.js';
import { startWorkerCdrSink } from '../../src/cdr/worker-sink.js';
import { entryOf } from '../../src/lib/off-thread.js';
import { buildCdr } from '../support/builders.js';
import { countingMetrics, silentLog } from '../support/fakes.js';
import { waitUntil } from '../support/wait.js';

const DYING = entryOf('./support/dying-store-worker.js', import.meta.url);

describe('worker CDR sink: a dead store worker', () => {
  it('calls onFatal once, counts queued records lost and reports unhealthy', async () => {
    const fatal: { what: string; message: string }[] = [];
    const metrics = countingMetrics();
    const sink = await startWorkerCdrSink({
      name: 'sqlite', entry: DYING, workerData: null, flushIntervalMs: 60_000, maxQueue: 100, maxQueueBytes: 1 << 20, log: silentLog, metrics,
      onFatal: (what, err) => void fatal.push({ what, message: err.message }),
    });
    sink.write(buildCdr());
    sink.write(buildCdr());

    await waitUntil(() => fatal.length > 0, 5000, 'onFatal');
    expect(fatal).toEqual([{ what: 'cdr sqlite store', message: 'sqlite store worker exited (code 3)' }]);
    expect(metrics.lostBy['write-error']).toBe(2);
    expect(sink.health()).toEqual({ ok: false, detail: 'sqlite store worker exited (code 3)' });
    sink.write(buildCdr());
    expect(metrics.lostBy['write-error']).toBe(3);
    await sink.close();
    expect(fatal).toHaveLength(1);
  });
});

describe('worker CDR sink: queue bounded in bytes', () => {
  it('counts records lost (queue-full) once their estimated bytes would pass maxQueueBytes, whatever maxQueue says', async () => {
    const metrics = countingMetrics();
    const sink = await startWorkerCdrSink({
      name: 'sqlite', entry: DYING, workerData: null, flushIntervalMs: 60_000, maxQueue: 100_000, maxQueueBytes: 64 * 1024, log: silentLog, metrics,
    });
    // Fat records (2,000-character Call-ID and users, as sanitising lets through): ~13 KB each by the estimate.
    const fat = (i: number) => buildCdr({ seq: i, callId: 'c'.repeat(2000), fromUser: 'f'.repeat(2000), paiUser: 'p'.repeat(2000) });
    const fits = Math.floor((64 * 1024) / recordBytes(fat(0)));
    expect(fits).toBeGreaterThanOrEqual(3);
    expect(fits).toBeLessThanOrEqual(6);
    for (let i = 0; i < 20; i++) sink.write(fat(i));
    expect(metrics.lostBy['queue-full']).toBe(20 - fits);
    await sink.close();
  });
});
