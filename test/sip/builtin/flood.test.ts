/**
 * Flood control of the built-in front: unknown sources over their rate are dropped or rejected and counted, trunk
 * sources are never limited, one summary log line per interval replaces a line per request, and one flood summary
 * record per source per interval replaces a CDR per request.
 */
import { describe, expect, it } from 'vitest';
import { FLOOD_LOG_INTERVAL_MS, createFloodGate, type FloodOptions } from '../../../src/sip/builtin/flood.js';
import { createRecordingFrontMetrics } from '../../support/recording-front-metrics.js';
import { recordingLog } from '../../support/fakes.js';
import type { FloodSummary } from '../../../src/screening/index.js';

type LogLine = { level: string; msg: string | undefined; obj: object };

/** Wall clock at monotonic 0: 2026-12-06T12:00:00Z. */
const WALL = Date.UTC(2026, 11, 6, 12);
const OPTIONS: FloodOptions = { enabled: true, ratePerSecond: 10, burst: 5, action: 'drop', retryAfterSeconds: 60, maxSources: 1000 };

function gate(options: Partial<FloodOptions> = {}) {
  const clock = { t: 0 };
  const metrics = createRecordingFrontMetrics();
  const lines: LogLine[] = [];
  const summaries: FloodSummary[] = [];
  const g = createFloodGate({
    options: { ...OPTIONS, ...options }, isTrunkSource: (a) => a === '127.0.0.1', now: () => clock.t, wallMs: () => WALL + clock.t, metrics, log: recordingLog(lines),
    onSummary: (s) => summaries.push(s),
  });
  return { g, clock, metrics, lines, summaries };
}

const verdicts = (check: () => string, n: number): Record<string, number> => {
  const out: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const v = check();
    out[v] = (out[v] ?? 0) + 1;
  }
  return out;
};

describe('flood gate', () => {
  it('lets an unknown source spend its burst, then drops and counts the rest', () => {
    const { g, metrics } = gate();
    expect(verdicts(() => g.check('198.51.100.7', 'udp'), 20)).toEqual({ pass: 5, dropped: 15 });
    expect(metrics.count('flood', 'dropped', 'udp')).toBe(15);
  });

  it('never limits a configured trunk source', () => {
    const { g, metrics } = gate();
    expect(verdicts(() => g.check('127.0.0.1', 'tcp'), 10_000)).toEqual({ pass: 10_000 });
    expect(metrics.count('flood')).toBe(0);
  });

  it('answers `rejected` when the action is reject', () => {
    const { g } = gate({ action: 'reject', burst: 1 });
    expect(verdicts(() => g.check('198.51.100.7', 'udp'), 3)).toEqual({ pass: 1, rejected: 2 });
  });

  it('passes everything when disabled', () => {
    const { g } = gate({ enabled: false });
    expect(verdicts(() => g.check('198.51.100.7', 'udp'), 1000)).toEqual({ pass: 1000 });
  });

  it('writes one summary line at the first refusal and then at most one per interval, naming the busiest sources', () => {
    const { g, clock, lines } = gate({ burst: 1, ratePerSecond: 1 });
    for (let second = 0; second < 30; second++) {
      clock.t = second * 1000;
      for (let s = 0; s < 50; s++) for (let i = 0; i < (s === 7 ? 40 : 4); i++) g.check(`203.0.113.${s}`, 'udp');
    }
    const summaries = lines.filter((l) => l.msg === 'sip flood: requests from unknown sources over their rate');
    expect(summaries).toHaveLength(1 + Math.floor((29 * 1000) / FLOOD_LOG_INTERVAL_MS));
    const last = summaries.at(-1)!.obj as { requests: number; sources: number; top: { source: string; requests: number }[] };
    expect(last.sources).toBe(50);
    expect(last.top[0]).toMatchObject({ source: '203.0.113.7' });
    expect(last.top).toHaveLength(5);
  });

  it('emits one summary per source per interval when the interval rolls over, with its times, count, action and reason', () => {
    const { g, clock, summaries } = gate({ burst: 1, ratePerSecond: 1, action: 'reject' });
    clock.t = 500;
    for (let i = 0; i < 11; i++) g.check('198.51.100.7', 'udp');
    for (let i = 0; i < 4; i++) g.check('198.51.100.8', 'tcp');
    clock.t = 9_000;
    g.tick();
    expect(summaries).toEqual([]);

    clock.t = 10_499;
    expect(g.check('198.51.100.7', 'udp')).toBe('pass');
    expect(summaries).toEqual([]);
    clock.t = 10_500;
    expect(g.check('198.51.100.7', 'udp')).toBe('rejected');

    expect(summaries).toEqual([
      { sourceAddress: '198.51.100.7', sources: 1, transport: 'udp', intervalStartMs: WALL + 500, intervalEndMs: WALL + 10_500, requests: 10, action: 'rejected' },
      { sourceAddress: '198.51.100.8', sources: 1, transport: 'tcp', intervalStartMs: WALL + 500, intervalEndMs: WALL + 10_500, requests: 3, action: 'rejected' },
    ]);
    clock.t = 11_000;
    g.flush();
    expect(summaries.slice(2)).toEqual([
      { sourceAddress: '198.51.100.7', sources: 1, transport: 'udp', intervalStartMs: WALL + 10_500, intervalEndMs: WALL + 11_000, requests: 1, action: 'rejected' },
    ]);
  });

  it('emits an interval on the timer tick once it has run its length, even when the flood has stopped', () => {
    const { g, clock, summaries } = gate({ burst: 1 });
    for (let i = 0; i < 3; i++) g.check('198.51.100.7', 'udp');
    clock.t = 12_000;
    g.tick();
    g.tick();

    expect(summaries).toEqual([{ sourceAddress: '198.51.100.7', sources: 1, transport: 'udp', intervalStartMs: WALL, intervalEndMs: WALL + 10_000, requests: 2, action: 'dropped' }]);
  });

  it('flushes the pending interval at stop, ending it at the flush, and has nothing left after', () => {
    const { g, clock, summaries } = gate({ burst: 1 });
    clock.t = 1_000;
    for (let i = 0; i < 6; i++) g.check('198.51.100.7', 'udp');
    clock.t = 3_000;
    g.flush();
    g.flush();

    expect(summaries).toEqual([{ sourceAddress: '198.51.100.7', sources: 1, transport: 'udp', intervalStartMs: WALL + 1_000, intervalEndMs: WALL + 3_000, requests: 5, action: 'dropped' }]);
  });

  it('keeps at most 1000 sources per interval and adds up the rest in one `other` summary', () => {
    const { g, summaries } = gate({ burst: 1, maxSources: 5000 });
    for (let s = 0; s < 1200; s++) for (let i = 0; i < 3; i++) g.check(`10.0.${s >> 8}.${s & 255}`, 'udp');
    g.flush();

    expect(summaries).toHaveLength(1001);
    expect(summaries.filter((s) => s.sourceAddress !== 'other').every((s) => s.requests === 2 && s.sources === 1)).toBe(true);
    expect(summaries.at(-1)).toMatchObject({ sourceAddress: 'other', sources: 200, requests: 400 });
  });

  it('emits nothing for trunk sources, sources within their rate, or when disabled', () => {
    const { g, summaries } = gate();
    for (let i = 0; i < 100; i++) g.check('127.0.0.1', 'udp');
    for (let i = 0; i < 5; i++) g.check('198.51.100.7', 'udp');
    g.flush();
    const off = gate({ enabled: false });
    for (let i = 0; i < 100; i++) off.g.check('198.51.100.7', 'udp');
    off.g.flush();

    expect(summaries).toEqual([]);
    expect(off.summaries).toEqual([]);
  });

  it('names the flood-limit reason in the summary log line', () => {
    const { g, lines } = gate({ burst: 1 });
    g.check('198.51.100.7', 'udp');
    g.check('198.51.100.7', 'udp');

    expect(lines.find((l) => l.msg === 'sip flood: requests from unknown sources over their rate')?.obj).toMatchObject({ reason: 'flood-limit', action: 'dropped' });
  });
});
