/**
 * The root pino logger: JSON, ISO UTC time, service/version base fields, secrets redacted, errors under `err`.
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';

/**
 * Default destination (stdout): asynchronous, and buffered up to {@link MIN_WRITE_BYTES} so a busy gate (one info line
 * per rejected call) issues one write per few kilobytes instead of one per line; {@link FLUSH_INTERVAL_MS} bounds how
 * long a line may wait in the buffer. pino flushes the buffer synchronously on exit.
 */
const MIN_WRITE_BYTES = 4096;
const FLUSH_INTERVAL_MS = 250;

/** Creates the root logger; `destination` lets tests capture lines. */
export function createLogger(opts: { level: string; version: string; destination?: DestinationStream }): PinoLogger {
  return pino(
    {
      level: opts.level,
      base: { service: 'rmdgate', version: opts.version },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['secret', '*.secret', 'token', '*.token', 'authorization', '*.authorization'], censor: '[redacted]' },
    },
    opts.destination ?? pino.destination({ sync: false, minLength: MIN_WRITE_BYTES, periodicFlush: FLUSH_INTERVAL_MS }),
  );
}
