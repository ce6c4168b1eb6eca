/**
 * Fakes for store tests: a silent logger, a logger that records lines, and CdrSinkMetrics that count.
 */
import type { Logger } from '../../../../src/app/ports.js';
import type { CdrSinkMetrics } from '../../../../src/adapters/cdr/jsonl-cdr-sink.js';

/** A logger that drops everything. */
export const silentLog: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLog,
  isLevelEnabled: () => false,
};

/** A logger that records `{ level, msg, obj }`. */
export function recordingLog(lines: { level: string; msg: string | undefined; obj: object }[]): Logger {
  const at = (level: string) => (obj: object, msg?: string) => void lines.push({ level, msg, obj });
  const log: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => log, isLevelEnabled: () => true };
  return log;
}

/** Counting metrics: totals of written and lost, lost by cause. */
export function countingMetrics(): CdrSinkMetrics & { counts: { written: number; lost: number }; lostBy: Record<string, number> } {
  const counts = { written: 0, lost: 0 };
  const lostBy: Record<string, number> = {};
  return {
    counts,
    lostBy,
    written: (n) => void (counts.written += n),
    lost: (n, cause) => {
      counts.lost += n;
      lostBy[cause] = (lostBy[cause] ?? 0) + n;
    },
    writeSeconds: () => undefined,
    queueDepth: () => undefined,
  };
}
