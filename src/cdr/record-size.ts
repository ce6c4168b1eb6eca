/**
 * What a queued CDR costs in memory, estimated from its strings (the fields that carry request text: Call-ID, From,
 * To, Identity … each capped by the fronts' sanitising) plus a fixed overhead: the queues bound bytes with it, not only
 * records, so a run of fat requests cannot make a queue of `cdr.maxQueue` records hold gigabytes.
 */
import type { CallRecord, CdrRawFields } from '../screening/index.js';

/** Fixed cost of one queued record (object, non-string fields), bytes. */
const RECORD_OVERHEAD_BYTES = 512;

/** Estimated bytes of a record (and its raw fields) in a queue: 2 bytes per string character plus the overhead. */
export function recordBytes(record: CallRecord, raw?: CdrRawFields): number {
  let chars = 0;
  for (const v of Object.values(record)) if (typeof v === 'string') chars += v.length;
  if (raw !== undefined) {
    for (const v of Object.values(raw)) {
      if (typeof v === 'string') chars += v.length;
      else if (v !== null && typeof v === 'object') for (const x of Object.values(v as Record<string, unknown>)) if (typeof x === 'string') chars += x.length;
    }
  }
  return RECORD_OVERHEAD_BYTES + 2 * chars;
}
