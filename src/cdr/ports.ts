/**
 * Ports of the CDR store as tracebacks and what-if read it: the stored call shape, the number/time query and the
 * raw INVITE fields kept beside each CdrRecord. Adapters in adapters/store implement them.
 */
import type { CdrRecord } from '../screening/cdr-record.js';

/** Raw INVITE fields kept beside the CdrRecord so what-if can redo trunk narrowing (tgrp, trunk-context, header). */
export interface CdrRawFields {
  /** The Request-URI as received, with parameters. */
  readonly requestUri?: string | undefined;
  /** Values of the configured trunk-narrowing headers, keyed by lower-case header name. */
  readonly selectorHeaders?: Readonly<Record<string, string>> | undefined;
}

/** A CDR read back from a store, with the raw fields when they were recorded (else null). */
export interface StoredCdr {
  readonly record: CdrRecord;
  readonly requestUri: string | null;
  readonly selectorHeaders: Readonly<Record<string, string>> | null;
}

/**
 * A traceback lookup: calls to `calledKey` from `callingKey` (matched against the calling number — PAI, else
 * From — and the From number) received within [fromMs, toMs]. Keys are number keys (see toNumberKey) as integers.
 */
export interface CallQuery {
  readonly callingKey: number;
  readonly calledKey: number;
  readonly fromMs: number;
  readonly toMs: number;
  /** Most matches returned (oldest first). */
  readonly limit: number;
}

/** Read access to stored CDRs for tracebacks. Queries are parameterised; implementations never build SQL from input. */
export interface CdrQueryStore {
  /** Which store answered (`sqlite DIR`, `postgres TABLE`), for the answer's provenance line. */
  readonly description: string;
  findCalls(q: CallQuery): Promise<readonly StoredCdr[]>;
  close(): Promise<void>;
}
