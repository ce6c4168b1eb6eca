/**
 * Interfaces the use case and the SIP fronts depend on; adapters implement them, main.ts wires them.
 */
import type { InviteFacts } from './model.js';
import type { SipReply } from '../sip/shared/sip-reply.js';

/** What a SIP front calls for each new INVITE (never for retransmissions). Must not throw. */
export type InviteHandler = (facts: InviteFacts) => SipReply | Promise<SipReply>;

/** Counters a SIP front reports to. Label values are closed sets, never network data. */
export interface FrontMetrics {
  /** A SIP request or response was received. `method` is upper-case SIP method or `response`; unknown methods map to `other`. */
  message(method: string, transport: string): void;
  /** A final response was sent with this status. */
  response(status: number, transport: string): void;
  /** A message could not be used; `kind` is a short closed token such as `parse`, `oversize`, `missing-header`. */
  malformed(kind: string, transport: string): void;
  /** A retransmitted request was answered from the transaction cache (or absorbed). */
  retransmission(method: string, transport: string): void;
}

/** Minimal structured logger shape (pino's), so ports do not import pino. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
  isLevelEnabled(level: string): boolean;
}

/** Clock port: wall time for records, monotonic time for durations. */
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
}

/** Metrics the screening use case reports to. */
export interface ScreeningMetrics {
  screened(o: ScreenedObservation): void;
  /** A screening threw (a bug) and the fail-open/closed policy answered instead. */
  screeningError(): void;
}

/** Where CDRs go. write() never blocks and never throws; records beyond the queue bound are counted as lost. */
export interface CdrSink {
  /**
   * Screening records, and disposition records from the drachtio front (`type` tells them apart). A sink that does
   * not keep a record type skips it without failing.
   */
  write(record: import('./cdr-record.js').CallRecord, raw?: import('../cdr/ports.js').CdrRawFields): void;
  /** Resolves when everything written so far is on disk (or counted lost). */
  flush(): Promise<void>;
  /** Flushes and closes; later writes are counted lost. */
  close(): Promise<void>;
}
