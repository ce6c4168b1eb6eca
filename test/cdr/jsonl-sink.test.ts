/**
 * A torn JSON-lines record (an append cut short by a crash or a full disk) is truncated back to the last newline
 * before the next append, so the next record starts a line of its own and every line parses.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openBacklog } from '../../src/cdr/backlog.js';
import { createJsonlCdrSink } from '../../src/cdr/jsonl-sink.js';
import { RecordOutcomes } from '../../src/cdr/record-outcomes.js';
import { buildCdr } from '../support/builders.js';
import { countingMetrics, silentLog } from '../support/fakes.js';

const AT = Date.UTC(2026, 10, 23, 12);

describe('JSON-lines sink: torn last record', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const tmp = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'rmdgate-jsonl-'));
    dirs.push(d);
    return d;
  };

  it('truncates a torn record left in the day file before appending, so every line parses', async () => {
    const dir = tmp();
    const path = join(dir, 'cdr-2026-11-23.jsonl');
    const whole = JSON.stringify(buildCdr({ seq: 1, receivedAtMs: AT })) + '\n';
    writeFileSync(path, whole + JSON.stringify(buildCdr({ seq: 2, receivedAtMs: AT })).slice(0, 700));
    const metrics = countingMetrics();
    const sink = createJsonlCdrSink({
      dir, flushIntervalMs: 50, maxQueue: 100, maxQueueBytes: 1 << 20, log: silentLog, outcomes: new RecordOutcomes(metrics), monotonicMs: () => performance.now(),
      backlog: await openBacklog({ memoryRecords: 100, memoryBytes: 1 << 20, spoolDir: join(dir, 'backlog'), spoolRecords: 0, spoolBytes: 0 }),
      retryIntervalMs: 100, report: { writeSeconds: () => undefined, queueDepth: () => undefined, backlog: () => undefined },
    });

    sink.write(buildCdr({ seq: 3, receivedAtMs: AT }));
    sink.write(buildCdr({ seq: 4, receivedAtMs: AT }));
    await sink.close();

    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual([1, 3, 4]);
    expect(metrics.counts).toEqual({ written: 2, lost: 0 });
  });

  it('bounds its queue in bytes: fat records beyond maxQueueBytes are counted lost (queue-full)', async () => {
    const dir = tmp();
    const metrics = countingMetrics();
    const sink = createJsonlCdrSink({
      dir, flushIntervalMs: 60_000, maxQueue: 100_000, maxQueueBytes: 64 * 1024, log: silentLog, outcomes: new RecordOutcomes(metrics), monotonicMs: () => performance.now(),
      backlog: await openBacklog({ memoryRecords: 100, memoryBytes: 1 << 20, spoolDir: join(dir, 'backlog'), spoolRecords: 0, spoolBytes: 0 }),
      retryIntervalMs: 100, report: { writeSeconds: () => undefined, queueDepth: () => undefined, backlog: () => undefined },
    });
    const fat = (i: number) => buildCdr({ seq: i, receivedAtMs: AT, callId: 'c'.repeat(2000), fromUser: 'f'.repeat(2000), paiUser: 'p'.repeat(2000) });
    const fits = Math.floor((64 * 1024) / (2 * JSON.stringify(fat(0)).length));
    for (let i = 0; i < 20; i++) sink.write(fat(i));
    expect(metrics.lostBy['queue-full']).toBe(20 - fits);
    await sink.close();
    expect(metrics.counts).toEqual({ written: fits, lost: 20 - fits });
  });
});
