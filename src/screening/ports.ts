/**
 * What the screening use case needs from outside (time, logging, CDR storage, metrics). Other subsystems implement
 * these; main.ts wires them. The logger and clock shapes are shared by every subsystem.
 */
import type { CallRecord } from './cdr-record.js';

/** Minimal structured logger shape (pino's), so no subsystem but ops imports pino. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
  isLevelEnabled(level: string): boolean;
}

/** Wall time for records, monotonic time for durations. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Monotonic milliseconds (fractional), for measuring durations only. */
  monotonicMs(): number;
}

/** One screened INVITE as counted by metrics. `decision` is allow, reject or would-block. */
export interface ScreenedObservation {
  readonly trunk: string;
  readonly decision: 'allow' | 'reject' | 'would-block';
  /** Reason token, or `none` for clean allows. */
  readonly reason: string;
  readonly mode: string;
  readonly seconds: number;
  /** Set when an emergency or PSAP call was let through although `reason` would have refused it. */
  readonly protectedCall?: 'emergency' | 'psap' | undefined;
}

/** Metrics the screening use case reports to. */
export interface ScreeningMetrics {
  screened(o: ScreenedObservation): void;
  /** A screening threw (a bug) and the screening-error policy answered instead. */
  screeningError(): void;
}

/** Raw INVITE fields kept beside a CdrRecord so what-if can redo trunk narrowing (tgrp, trunk-context, header). */
export interface CdrRawFields {
  /** The Request-URI as received, with parameters. */
  readonly requestUri?: string | undefined;
  /** Values of the configured trunk-narrowing headers, keyed by lower-case header name. */
  readonly selectorHeaders?: Readonly<Record<string, string>> | undefined;
}

/** Where CDRs go. write() never blocks and never throws; records beyond the queue bound are counted as lost. */
export interface CdrSink {
  /**
   * Screening records, and disposition records from the drachtio front (`type` tells them apart). A sink that does
   * not keep a record type skips it without failing.
   */
  write(record: CallRecord, raw?: CdrRawFields): void;
  /** Resolves when everything written so far is on disk (or counted lost). */
  flush(): Promise<void>;
  /** Flushes and closes; later writes are counted lost. */
  close(): Promise<void>;
}
