/**
 * The root pino logger: JSON, ISO UTC time, service/version base fields, secrets redacted, errors under `err`.
 * Its asynchronous destination buffers at most LOG_BUFFER_BYTES while stdout is slow (a blocked pipe, a slow log
 * shipper); lines beyond are dropped and counted (`rmdgate_log_dropped_lines_total`), never queued without bound.
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';

/** Bytes the log destination holds while it cannot write; beyond, lines are dropped and counted. */
export const LOG_BUFFER_BYTES = 16 * 1024 * 1024;

/** Creates the root logger; `destination` lets tests capture lines; `onDrop` is told of each line dropped. */
export function createLogger(opts: { level: string; version: string; destination?: DestinationStream; onDrop?: () => void }): PinoLogger {
  return pino(
    {
      level: opts.level,
      base: { service: 'rmdgate', version: opts.version },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['secret', '*.secret', 'token', '*.token', 'authorization', '*.authorization'], censor: '[redacted]' },
    },
    opts.destination ?? boundedStdout(opts.onDrop),
  );
}

/** stdout, asynchronous, bounded to LOG_BUFFER_BYTES. */
export function boundedStdout(onDrop?: () => void, maxLength = LOG_BUFFER_BYTES): DestinationStream {
  const dest = pino.destination({ sync: false, maxLength });
  if (onDrop) dest.on('drop', onDrop);
  return dest;
}
