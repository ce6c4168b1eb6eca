/**
 * Reason tokens → default action and SIP answer, and the 603 / 603+ (ATIS-1000099) Reason header encodings. PURE.
 */
import type { Action, PolicyReason, Reason, RejectAnswer } from './model.js';

/** Statuses a reason may be answered with (config refuses others). */
export const REJECT_STATUSES = [403, 480, 486, 488, 500, 503, 603, 607, 608] as const;
export type RejectStatus = (typeof REJECT_STATUSES)[number];

/** RFC 3261/8197/8688 default reason phrases. */
export const DEFAULT_PHRASES: Readonly<Record<RejectStatus, string>> = {
  403: 'Forbidden',
  480: 'Temporarily Unavailable',
  486: 'Busy Here',
  488: 'Not Acceptable Here',
  500: 'Server Internal Error',
  503: 'Service Unavailable',
  603: 'Decline',
  607: 'Unwanted',
  608: 'Rejected',
};

/** How the answer for a reason is encoded: `plain` = status + `Reason: SIP;cause=<status>;text="<reason>"`; `603plus` = ATIS-1000099. */
export type AnswerStyle = 'plain' | '603plus';

/** The per-reason settings an operator chooses (config `policy.reasons.<reason>`). */
export interface ReasonSetting {
  readonly action: Action;
  readonly status: RejectStatus;
  readonly style: AnswerStyle;
  /** Overrides the default phrase (plain style only). */
  readonly phrase?: string | undefined;
}

/** Redress contacts for 603+ (at least one is required when any reason uses 603plus). */
export interface Redress {
  readonly url?: string | undefined;
  readonly tel?: string | undefined;
  readonly email?: string | undefined;
}

/** Default action and answer per reason: unknown sources 403, regulatory blocks plain 603 (domain.md §4.5). */
export const DEFAULT_REASON_SETTINGS: Readonly<Record<PolicyReason, ReasonSetting>> = {
  'unknown-trunk': { action: 'block', status: 403, style: 'plain' },
  'provider-not-in-rmd': { action: 'block', status: 603, style: 'plain' },
  'provider-designated': { action: 'block', status: 603, style: 'plain' },
  'rmd-unavailable': { action: 'allow', status: 503, style: 'plain' },
  'screening-error': { action: 'allow', status: 500, style: 'plain' },
  'calling-number-invalid': { action: 'block', status: 603, style: 'plain' },
  'calling-number-unallocated': { action: 'block', status: 603, style: 'plain' },
  'calling-number-dno': { action: 'block', status: 603, style: 'plain' },
};

/** Human meaning and the rule each reason enforces (README table source, checked by a doc-sync test). */
export const REASON_MEANINGS: Readonly<Record<Reason, { meaning: string; rule: string }>> = {
  'unknown-trunk': { meaning: 'source address matches no configured trunk', rule: 'ingress ACL (carrier policy)' },
  'provider-not-in-rmd': { meaning: "the trunk's provider has no filing in the RMD snapshot", rule: '47 CFR 64.6305(g)' },
  'provider-designated': { meaning: 'the provider is on a designation list (k4, fdo, rmd-removed, c-cist, operator)', rule: '47 CFR 64.1200(k)(4), (n)(5)-(6); 64.6305(g) removal orders' },
  'rmd-unavailable': { meaning: 'no RMD snapshot is loaded, so RMD status cannot be checked', rule: 'fail-open/closed policy' },
  'screening-error': { meaning: 'screening failed or missed its deadline', rule: 'fail-open/closed policy' },
  'calling-number-invalid': { meaning: 'the calling number (PAI, else From) is a NANP number that cannot exist (NPA/NXX starting 0 or 1, N11 or N9X or 37X/96X NPA, N11 NXX, +1 without 10 digits); only with callingNumber.invalid', rule: '47 CFR 64.1200(o) (DNO: invalid numbers)' },
  'calling-number-unallocated': { meaning: 'the calling number\'s NPA-NXX (or thousands block) is not allocated in the allocation feed; only with data.allocation', rule: '47 CFR 64.1200(o) (DNO: unallocated numbers)' },
  'calling-number-dno': { meaning: 'the calling number (or a prefix of it) is on a do-not-originate list (data.dno)', rule: '47 CFR 64.1200(o) (DNO list)' },
  'unusable-request-uri': { meaning: 'an allowed call whose Request-URI user cannot be carried into the redirect (too long, not SIP user characters, encoded control characters, a scheme other than sip/sips/tel)', rule: 'RFC 3261 19.1 (the dialed number must reach the route)' },
  'flood-limit': { meaning: 'a request from a source no trunk covers was over that source\'s rate (sip.flood); refused unparsed and counted in a flood summary record per source per interval', rule: 'flood control (RFC 3261 21.5.4 Retry-After)' },
};

/**
 * Builds the wire answer for a reason. `603plus` → `603 Network Blocked` +
 * `Reason: SIP;cause=603;text="v=analytics1;url=...";location=TN`; plain → the status, its phrase and
 * `Reason: SIP;cause=<status>;text="<reason>"`.
 */
export function toRejectAnswer(reason: Reason, setting: ReasonSetting, redress: Redress): RejectAnswer {
  if (setting.style === '603plus') {
    const methods = [
      redress.url !== undefined ? `url=${redress.url}` : undefined,
      redress.tel !== undefined ? `tel=${redress.tel}` : undefined,
      redress.email !== undefined ? `email=${redress.email}` : undefined,
    ].filter((m): m is string => m !== undefined);
    return {
      status: 603,
      phrase: 'Network Blocked',
      reasonHeader: `SIP;cause=603;text="v=analytics1;${methods.join(';')}";location=TN`,
    };
  }
  return {
    status: setting.status,
    phrase: setting.phrase ?? DEFAULT_PHRASES[setting.status],
    reasonHeader: `SIP;cause=${setting.status};text="${reason}"`,
  };
}
