/**
 * What both SIP fronts report to. Label values are closed sets, never network data.
 */

/** Counters a SIP front reports to (ops implements them). */
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
