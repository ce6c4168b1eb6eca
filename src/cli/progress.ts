/**
 * Progress of long work on a terminal: records done, rate, and time left when the total is known, redrawn on one
 * line of standard error at most 4 times a second and cleared at the end. Silent unless the stream is a TTY and
 * the output is not JSON, so pipes, files and scripts never see it.
 */

/** Where progress is drawn: a TTY stream (process.stderr), or a fake one in tests. */
export interface ProgressStream {
  readonly isTTY?: boolean | undefined;
  write(chunk: string): unknown;
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  readonly stream: ProgressStream | undefined;
  /** What is being done, e.g. "replaying calls". */
  readonly label: string;
  /** What is counted, e.g. "calls", "rows". */
  readonly unit: string;
  /** False turns it off whatever the stream (e.g. with --format json). */
  readonly enabled?: boolean;
  /** Monotonic clock, ms (performance.now by default). */
  readonly clock?: () => number;
  /** Shortest time between two redraws, ms (default 250: at most 4 a second). */
  readonly minIntervalMs?: number;
}

/** A progress reporter; `update` is cheap enough to call for every record. */
export interface Progress {
  /** `done` records so far, of `total` when known. */
  update(done: number, total?: number): void;
  /** Clears the line (when anything was drawn). */
  end(): void;
}

const SILENT: Progress = { update: () => undefined, end: () => undefined };

/** Creates a reporter; a silent one when the stream is not a TTY or `enabled` is false. */
export function createProgress(opts: ProgressOptions): Progress {
  const stream = opts.stream;
  if (stream?.isTTY !== true || opts.enabled === false) return SILENT;
  const clock = opts.clock ?? (() => performance.now());
  const every = opts.minIntervalMs ?? 250;
  const start = clock();
  let last = start;
  let drawn = false;
  return {
    update(done, total) {
      const t = clock();
      if (t - last < every) return;
      last = t;
      drawn = true;
      stream.write(`\r${progressLine(opts.label, opts.unit, done, total, t - start)}\x1b[K`);
    },
    end() {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}

/** The progress line: `replaying calls: 12,000 of 48,000 calls (25%), 6,000 calls/s, 6s left`. */
export function progressLine(label: string, unit: string, done: number, total: number | undefined, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const count = total === undefined ? `${n(done)} ${unit}` : `${n(done)} of ${n(total)} ${unit} (${total > 0 ? Math.floor((done * 100) / total) : 100}%)`;
  const left = total !== undefined && rate > 0 && total >= done ? `, ${duration((total - done) / rate)} left` : '';
  return `${label}: ${count}, ${n(Math.round(rate))} ${unit}/s${left}`;
}

function n(x: number): string {
  return x.toLocaleString('en-US');
}

function duration(seconds: number): string {
  const s = Math.ceil(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Options of {@link showElapsed}. */
export interface ElapsedOptions {
  readonly stream: ProgressStream | undefined;
  /** What is awaited, e.g. "refreshing rmd on the gate". */
  readonly label: string;
  readonly enabled?: boolean;
  readonly clock?: () => number;
  /** Calls `fn` every `ms` until the returned function is called (setInterval by default). */
  readonly every?: (ms: number, fn: () => void) => () => void;
}

/**
 * For work whose count is not known here (a refresh the gate runs): the time elapsed, redrawn 4 times a second on a
 * TTY, cleared by the returned function. Silent where {@link createProgress} is.
 */
export function showElapsed(opts: ElapsedOptions): () => void {
  const stream = opts.stream;
  if (stream?.isTTY !== true || opts.enabled === false) return () => undefined;
  const clock = opts.clock ?? (() => performance.now());
  const every = opts.every ?? ((ms, fn) => {
    const t = setInterval(fn, ms);
    t.unref();
    return () => clearInterval(t);
  });
  const start = clock();
  let drawn = false;
  const stop = every(250, () => {
    drawn = true;
    stream.write(`\r${opts.label}: ${((clock() - start) / 1000).toFixed(1)} s\x1b[K`);
  });
  return () => {
    stop();
    if (drawn) stream.write('\r\x1b[K');
  };
}
