/**
 * Flood control of the built-in front: unknown sources over their rate are dropped or rejected and counted, trunk
 * sources are never limited, and one summary log line per interval replaces a line per request.
 */
import { describe, expect, it } from 'vitest';
import { FLOOD_LOG_INTERVAL_MS, createFloodGate, type FloodOptions } from '../../../src/sip/builtin/flood.js';
import { createRecordingFrontMetrics } from '../../support/recording-front-metrics.js';
import { recordingLog } from '../../support/fakes.js';

type LogLine = { level: string; msg: string | undefined; obj: object };

const OPTIONS: FloodOptions = { enabled: true, ratePerSecond: 10, burst: 5, action: 'drop', retryAfterSeconds: 60, maxSources: 1000 };

function gate(options: Partial<FloodOptions> = {}) {
  const clock = { t: 0 };
  const metrics = createRecordingFrontMetrics();
  const lines: LogLine[] = [];
  const g = createFloodGate({ options: { ...OPTIONS, ...options }, isTrunkSource: (a) => a === '127.0.0.1', now: () => clock.t, metrics, log: recordingLog(lines) });
  return { g, clock, metrics, lines };
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
});
