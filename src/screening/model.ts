/**
 * The screening vocabulary: plain data types shared by the pure core, the use case and every adapter.
 * PURE: no node:* imports, no drachtio types, no clock or env reads.
 */

/** SIP transport a request arrived on, lower case as drachtio reports it. */
export type Transport = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';

/**
 * Everything the core needs to know about one INVITE, extracted from the wire by a SIP front.
 * Header values are raw strings as received (already unfolded, control characters removed, length-capped
 * by the adapter); `undefined` means the header was absent.
 */
export interface InviteFacts {
  /** Call-ID header value. */
  readonly callId: string;
  /** When the front received the request, epoch milliseconds (UTC). The core's only notion of "now". */
  readonly receivedAt: number;
  readonly transport: Transport;
  /** Source IP address of the packet or connection (IPv4 dotted quad or IPv6 text, no brackets). */
  readonly sourceAddress: string;
  readonly sourcePort: number;
  /** Local address the request arrived on, when the front knows it. */
  readonly localAddress?: string | undefined;
  readonly localPort?: number | undefined;
  /** Request-URI as text, e.g. `sip:+12025550123@core.example.net;user=phone`. */
  readonly requestUri: string;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly pAssertedIdentity?: string | undefined;
  /** All Identity header values (RFC 8224); several may be present (ppt=shaken, div, rcd …). */
  readonly identity?: readonly string[] | undefined;
  /** Diversion header value(s), joined, if any. */
  readonly diversion?: string | undefined;
  /**
   * Values of the headers named in config for trunk narrowing (`trunkHeader`), keyed by lower-case header name.
   * The front collects only the configured names.
   */
  readonly selectorHeaders?: Readonly<Record<string, string>> | undefined;
}

/** Local address/port narrowing of a trunk: which of our listeners the peer must have sent to. */
export interface ReceivedOn {
  readonly address?: string | undefined;
  readonly port?: number | undefined;
}

/**
 * A configured peer: one or more source CIDRs, optionally narrowed by the local listener and by sender-set
 * RFC 4904 trunk-group data (tgrp / trunk-context) or a configured header — those narrow only, never identify alone.
 */
export interface Trunk {
  readonly id: string;
  /** Id of the upstream provider that hands calls over on this trunk. */
  readonly providerId: string;
  /** CIDRs, IPv4 or IPv6 (`203.0.113.7/32`, `2001:db8::/48`); a bare address means a host route. */
  readonly sources: readonly string[];
  readonly receivedOn?: ReceivedOn | undefined;
  /** RFC 4904 `tgrp` parameter value the Request-URI must carry. */
  readonly tgrp?: string | undefined;
  /** RFC 4904 `trunk-context` parameter value the Request-URI must carry. */
  readonly trunkContext?: string | undefined;
  /** Value the configured trunk header (config `sip.trunkHeader`) must carry. */
  readonly headerValue?: string | undefined;
  /** 302 Contact URIs for allowed calls; falls back to the global default route. */
  readonly route?: readonly string[] | undefined;
}

/** The upstream voice service provider a trunk belongs to; what the RMD lists. */
export interface Provider {
  readonly id: string;
  /** Legal business name (for people and for name-keyed blocklist entries). */
  readonly name: string;
  readonly dba?: readonly string[] | undefined;
  /** RMD filing number, `RMD` + 7 digits. */
  readonly rmdNumber?: string | undefined;
  /** FCC Registration Number, 10 digits with leading zeros. */
  readonly frn?: string | undefined;
  /**
   * false for peers that are not voice service providers under 64.6305(g) (e.g. an enterprise PBX customer);
   * their RMD status is recorded but never enforced. Default true.
   */
  readonly rmdRequired: boolean;
}

/** STIR/SHAKEN implementation class as filed in the RMD `implementation` column. */
export type ImplementationClass = 'complete' | 'partial' | 'none' | 'unknown';

/** One RMD filing (a row of the FCC CSV export), normalised. */
export interface RmdFiling {
  /** `RMD` + 7 digits, or '' when the export has no RMD numbers (the filing is then keyed by FRN). */
  readonly rmdNumber: string;
  /** 10-digit FRN, or '' when the row had none. */
  readonly frn: string;
  /** Additional FRNs parsed from `other_frns`. */
  readonly otherFrns: readonly string[];
  readonly businessName: string;
  readonly otherNames: readonly string[];
  readonly implementation: ImplementationClass;
  /** Raw implementation text as filed. */
  readonly implementationText: string;
  readonly roles: { readonly voiceServiceProvider: boolean; readonly gateway: boolean; readonly intermediate: boolean };
  /** `foreign_voice_provider` Yes/No; null when blank. */
  readonly foreign: boolean | null;
  /** ISO date `YYYY-MM-DD`, or '' when blank. */
  readonly lastRecertified: string;
  /** true when the export has no `last_recertified` column: the recertification state is unknown, never overdue. */
  readonly recertificationUnknown?: boolean | undefined;
  readonly lastUpdated: string;
  readonly contactName: string;
  readonly contactPhone: string;
  /** Robocall-mitigation contact e-mail; undefined when the export has no such column. */
  readonly contactEmail?: string | undefined;
  /** Operating Company Number (collected since 2024-02-26); undefined when the export has no such column. */
  readonly ocn?: string | undefined;
  readonly filingUrl: string;
}

/** An immutable RMD snapshot as loaded from one file or download. */
export interface RmdSnapshot {
  /** Content hash (sha256 hex, first 16 chars) — the snapshot id recorded in every CDR. */
  readonly id: string;
  /** Where it came from (path or URL). */
  readonly source: string;
  /** When it was loaded/fetched, epoch ms. */
  readonly loadedAt: number;
  readonly rows: number;
  /** Every filing, keyed by RMD number (`frn:<FRN>` for a filing from an export without RMD numbers). */
  readonly byRmdNumber: ReadonlyMap<string, RmdFiling>;
  /** Keyed by main FRN and every `other_frns` FRN. */
  readonly byFrn: ReadonlyMap<string, RmdFiling>;
}

/** Designation list kinds. */
export const LIST_KINDS = ['k4', 'fdo', 'rmd-removed', 'c-cist', 'operator'] as const;
export type ListKind = (typeof LIST_KINDS)[number];

/** One blocklist entry; keyed by at least one of RMD number, FRN or business name. */
export interface BlocklistEntry {
  /** Stable id: `<list name>:<entry id or line>`. */
  readonly id: string;
  /** Name of the list (file) it came from. */
  readonly list: string;
  readonly kind: ListKind;
  readonly rmdNumber?: string | undefined;
  readonly frn?: string | undefined;
  /** Business name as written; matched after normalisation (see `normaliseBusinessName`). */
  readonly name?: string | undefined;
  /** Source document, e.g. `DA 22-727`. */
  readonly source: string;
  /** Effective from, epoch ms (UTC midnight of the date given). */
  readonly effectiveAt: number;
  /** Expires at (exclusive), epoch ms; undefined = never. */
  readonly expiresAt?: number | undefined;
  readonly note?: string | undefined;
}

/** The reasons policy decides on: each has an action and an answer the operator chooses (config `policy.reasons`). */
export const POLICY_REASONS = [
  'unknown-trunk',
  'provider-not-in-rmd',
  'provider-designated',
  'rmd-unavailable',
  'screening-error',
  'calling-number-invalid',
  'calling-number-unallocated',
  'calling-number-dno',
] as const;
export type PolicyReason = (typeof POLICY_REASONS)[number];

/**
 * The closed set of reason tokens: the same string goes on the wire (X-Reason), in the CDR, the log and metrics.
 * The policy reasons, then `unusable-request-uri`: an allowed call whose Request-URI cannot be carried into the
 * redirect (request-uri.ts). That one is always refused, in any mode, and has no setting. Last `flood-limit`: a
 * request from a source no trunk covers over its rate (`sip.flood`), dropped unparsed or answered 503 by the built-in
 * front before any screening; it is recorded in flood summary records, never in a screening record.
 */
export const REASONS = [...POLICY_REASONS, 'unusable-request-uri', 'flood-limit'] as const;
export type Reason = (typeof REASONS)[number];

/** The reason token of requests refused by flood control (wire, flood summary CDR, log line, metric label). */
export const FLOOD_REASON = 'flood-limit' satisfies Reason;

/** What policy does with a reason. `monitor` records a would-block and lets the call through. */
export type Action = 'block' | 'monitor' | 'allow';

/** Global enforcement mode: `monitor` turns every block into a would-block (rollouts). */
export type Mode = 'enforce' | 'monitor';

/** How a rejection is encoded on the wire. */
export interface RejectAnswer {
  readonly status: number;
  readonly phrase: string;
  /** RFC 3326 Reason header value, without the header name; undefined = none. */
  readonly reasonHeader?: string | undefined;
}

/** Evidence behind a decision, recorded in the CDR. */
export interface Evidence {
  readonly trunkId?: string | undefined;
  readonly providerId?: string | undefined;
  readonly listEntryId?: string | undefined;
  readonly listKind?: ListKind | undefined;
  readonly listSource?: string | undefined;
  readonly rmdSnapshotId?: string | undefined;
  readonly rmdNumber?: string | undefined;
  /** What the RMD matched on: rmd number, frn, or nothing. */
  readonly rmdMatch?: 'rmd-number' | 'frn' | undefined;
  /** Calling-number finding (calling-number.ts): `nanp`, the DNO list or the allocation feed that fired. */
  readonly callingNumberList?: string | undefined;
  /** The rule, DNO entry or missing NPA-NXX(-X) that fired. */
  readonly callingNumberEntry?: string | undefined;
  /** The DNO entry's source (who listed it), or the rule family. */
  readonly callingNumberSource?: string | undefined;
  /** Set when an emergency call or a call from a PSAP was let through although a blocking rule fired. */
  readonly protectedCall?: 'emergency' | 'psap' | undefined;
}

/**
 * The outcome of screening one INVITE.
 * - `allow`: pass the call (302/proxy). `wouldBlock` set when a reason fired but its action was monitor (or mode monitor).
 * - `reject`: send `answer`.
 */
export type Decision =
  | {
      readonly kind: 'allow';
      readonly reason: Reason | undefined;
      readonly wouldBlock: boolean;
      readonly evidence: Evidence;
      readonly route: readonly string[];
    }
  | {
      readonly kind: 'reject';
      readonly reason: Reason;
      readonly evidence: Evidence;
      readonly answer: RejectAnswer;
    };
