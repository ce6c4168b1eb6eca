import { describe, expect, it } from 'vitest';
import { createProgress, progressLine, showElapsed } from '../../src/cli/progress.js';

/** A stream that says it is (or is not) a terminal and keeps what is written. */
function fakeStream(isTTY: boolean): { isTTY: boolean; chunks: string[]; write(c: string): boolean } {
  const chunks: string[] = [];
  return { isTTY, chunks, write: (c: string) => chunks.push(c) > 0 };
}

/** A clock the test moves by hand, ms. */
function fakeClock(): { now: () => number; advance(ms: number): void } {
  let t = 1000;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe('progress reporter', () => {
  it('draws done, rate and time left on a TTY, and clears the line at the end', () => {
    const stream = fakeStream(true);
    const clock = fakeClock();
    const p = createProgress({ stream, label: 'replaying calls', unit: 'calls', clock: clock.now });

    clock.advance(1000);
    p.update(2000, 10_000);
    p.end();

    expect(stream.chunks).toEqual(['\rreplaying calls: 2,000 of 10,000 calls (20%), 2,000 calls/s, 4s left\x1b[K', '\r\x1b[K']);
  });

  it('redraws at most 4 times a second however often it is updated', () => {
    const stream = fakeStream(true);
    const clock = fakeClock();
    const p = createProgress({ stream, label: 'answering', unit: 'requests', clock: clock.now });

    for (let i = 1; i <= 2000; i++) {
      clock.advance(1); // 2000 updates over 2 s
      p.update(i);
    }

    expect(stream.chunks).toHaveLength(8);
    expect(stream.chunks.at(-1)).toBe('\ranswering: 2,000 requests, 1,000 requests/s\x1b[K');
  });

  it('draws nothing for work shorter than the first interval, and then has nothing to clear', () => {
    const stream = fakeStream(true);
    const clock = fakeClock();
    const p = createProgress({ stream, label: 'x', unit: 'rows', clock: clock.now });

    clock.advance(100);
    p.update(5, 10);
    p.end();

    expect(stream.chunks).toEqual([]);
  });

  it.each([
    { name: 'the stream is not a TTY', isTTY: false, enabled: true },
    { name: 'the output is JSON (disabled)', isTTY: true, enabled: false },
  ])('stays silent when $name', ({ isTTY, enabled }) => {
    const stream = fakeStream(isTTY);
    const clock = fakeClock();
    const p = createProgress({ stream, label: 'x', unit: 'rows', enabled, clock: clock.now });

    for (let i = 0; i < 10; i++) {
      clock.advance(1000);
      p.update(i, 10);
    }
    p.end();

    expect(stream.chunks).toEqual([]);
  });

  it('stays silent without a stream', () => {
    expect(() => createProgress({ stream: undefined, label: 'x', unit: 'rows' }).update(1)).not.toThrow();
  });

  it.each([
    { done: 0, total: 0, ms: 0, line: 'diff: 0 of 0 files (100%), 0 files/s' },
    { done: 30, total: 100_000, ms: 1000, line: 'diff: 30 of 100,000 files (0%), 30 files/s, 55m33s left' },
    { done: 1, total: 100_000, ms: 1000, line: 'diff: 1 of 100,000 files (0%), 1 files/s, 27h46m left' },
    { done: 5, total: undefined, ms: 2000, line: 'diff: 5 files, 3 files/s' },
  ])('writes $line', ({ done, total, ms, line }) => {
    expect(progressLine('diff', 'files', done, total, ms)).toBe(line);
  });
});

describe('elapsed time while the gate works', () => {
  /** A scheduler the test fires by hand. */
  function manualTimer(): { every: (ms: number, fn: () => void) => () => void; fire(): void; stopped: boolean; ms: number } {
    const t = { fn: () => undefined as void, stopped: false, ms: 0, every: (ms: number, fn: () => void) => ((t.ms = ms), (t.fn = fn), () => void (t.stopped = true)), fire: () => t.fn() };
    return t;
  }

  it('redraws the elapsed time 4 times a second on a TTY and clears it when done', () => {
    const stream = fakeStream(true);
    const clock = fakeClock();
    const timer = manualTimer();
    const done = showElapsed({ stream, label: 'refreshing rmd on the gate', clock: clock.now, every: timer.every });

    clock.advance(1250);
    timer.fire();
    done();

    expect(timer.ms).toBe(250);
    expect(timer.stopped).toBe(true);
    expect(stream.chunks).toEqual(['\rrefreshing rmd on the gate: 1.3 s\x1b[K', '\r\x1b[K']);
  });

  it.each([{ isTTY: false, enabled: true }, { isTTY: true, enabled: false }])('stays silent and schedules nothing (TTY $isTTY, enabled $enabled)', ({ isTTY, enabled }) => {
    const stream = fakeStream(isTTY);
    const timer = manualTimer();
    showElapsed({ stream, label: 'x', enabled, every: timer.every })();

    expect(timer.ms).toBe(0);
    expect(stream.chunks).toEqual([]);
  });
});
