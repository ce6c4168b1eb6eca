/**
 * Per-record CDR accounting across sinks: each record gets one ticket naming how many sinks take it; sinks settle
 * their share (written, lost) and the main counters move once per record, the per-sink counters once per sink.
 */
import type { Logger } from '../screening/index.js';
import type { CdrLossCause, CdrRecordType, CdrSinkMetrics, CdrSinkName } from './ports.js';

/** One record's fate across sinks: its type, sinks still to settle, and whether one of them lost it. */
export interface Ticket {
  readonly type: CdrRecordType;
  left: number;
  lost: boolean;
}

/** Adds one to a per-type count of one settlement (a batch is usually all one type). */
const bump = (m: Map<CdrRecordType, number>, type: CdrRecordType): void => void m.set(type, (m.get(type) ?? 0) + 1);

/** Settles tickets into the CDR counters. */
export class RecordOutcomes {
  constructor(private readonly metrics: CdrSinkMetrics) {}

  /** A ticket for a record of `type` that `sinks` sinks take. */
  ticket(sinks: number, type: CdrRecordType): Ticket {
    return { type, left: sinks, lost: false };
  }

  /** `sink` wrote these records: counted for the sink, and once per record when it was the last sink to settle. */
  written(sink: CdrSinkName, tickets: readonly Ticket[]): void {
    if (tickets.length === 0) return;
    const done = new Map<CdrRecordType, number>();
    for (const t of tickets) if (--t.left === 0 && !t.lost) bump(done, t.type);
    this.metrics.sinkWritten(sink, tickets.length);
    for (const [type, n] of done) this.metrics.written(n, type);
  }

  /** `sink` wrote back `n` records an earlier run held: counted for the sink only (this run never counted them). */
  recovered(sink: CdrSinkName, n: number): void {
    if (n > 0) this.metrics.sinkWritten(sink, n);
  }

  /** `sink` lost these records: counted for the sink, and once per record (the first sink to lose it names the cause). */
  lost(sink: CdrSinkName, tickets: readonly Ticket[], cause: CdrLossCause): void {
    if (tickets.length === 0) return;
    const first = new Map<CdrRecordType, number>();
    for (const t of tickets) {
      t.left--;
      if (t.lost) continue;
      t.lost = true;
      bump(first, t.type);
    }
    this.metrics.sinkLost(sink, tickets.length, cause);
    for (const [type, n] of first) this.metrics.lost(n, cause, type);
  }
}

/** Tickets of records a sink holds for retry, oldest first (the backlog settles them in the same order). */
export class TicketFifo {
  private items: Ticket[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(tickets: readonly Ticket[]): void {
    for (const t of tickets) this.items.push(t);
  }

  /** Removes and returns the `n` oldest (fewer when fewer are held). */
  shift(n: number): Ticket[] {
    const out = this.items.slice(this.head, this.head + n);
    this.head += out.length;
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return out;
  }

  /** Removes and returns the `n` newest. */
  pop(n: number): Ticket[] {
    const from = Math.max(this.head, this.items.length - n);
    return this.items.splice(from);
  }
}

/** A loss is logged at most this often per sink, ms (every lost record is counted). */
export const LOSS_LOG_INTERVAL_MS = 10_000;

/** Logs losses of one sink at most once per interval, with the records lost since the last line. */
export function createLossLog(log: Logger, sink: CdrSinkName, intervalMs = LOSS_LOG_INTERVAL_MS): (n: number, cause: CdrLossCause, error: string | undefined) => void {
  let last = -Infinity;
  let since = 0;
  return (n, cause, error) => {
    since += n;
    const now = Date.now();
    if (now - last < intervalMs) return;
    last = now;
    log.error({ sink, records: since, cause, error }, 'cdr records lost');
    since = 0;
  };
}
