/**
 * The root pino logger: JSON, ISO UTC time, service/version base fields, secrets redacted, errors under `err`.
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';

/** Creates the root logger; `destination` lets tests capture lines. */
export function createLogger(opts: { level: string; version: string; destination?: DestinationStream }): PinoLogger {
  return pino(
    {
      level: opts.level,
      base: { service: 'rmdgate', version: opts.version },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['secret', '*.secret', 'token', '*.token', 'authorization', '*.authorization'], censor: '[redacted]' },
    },
    opts.destination ?? pino.destination({ sync: false }),
  );
}
