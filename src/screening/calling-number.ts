/**
 * Calling-number screening (47 CFR 64.1200(o), do-not-originate): the number a call claims to come from is invalid
 * (NANP structure), unallocated (allocation feed) or on a DNO list. And emergency protection (domain.md §9.2): calls to
 * emergency numbers and calls from PSAPs on a configured trunk are never refused. PURE; allocation-free unless a rule
 * fires.
 */
import type { AllocationTable } from './allocation-table.js';
import type { DnoList } from './dno-table.js';
import type { InviteFacts, PolicyReason } from './model.js';
import { dialedKey, digitsKey, nanpRuleBroken, NANP_BAD_LENGTH, NOT_A_NUMBER, nationalOfHeader } from './nanp.js';
import { toE164, toPhoneNumber } from './phone-number.js';

/**
 * Which header's number is screened: `pai-then-from` (P-Asserted-Identity when it carries a number, else From — the
 * CDR's `callingE164`), `from` or `pai` (no PAI, nothing screened).
 */
export type CallingNumberSource = 'pai-then-from' | 'from' | 'pai';

/** The calling-number checks in force (config `callingNumber` and the DNO and allocation feeds). */
export interface CallingNumberScreening {
  readonly source: CallingNumberSource;
  /** Apply the NANP structure rules (`calling-number-invalid`). */
  readonly invalid: boolean;
  /** DNO lists, checked in order (`calling-number-dno`). */
  readonly dno: readonly DnoList[];
  /** Allocated codes and blocks; undefined = no feed, the check is off (`calling-number-unallocated`). */
  readonly allocation?: AllocationTable | undefined;
  /** Name the allocation feed is recorded under. */
  readonly allocationName?: string | undefined;
}

/** The calling-number reasons, in the order they are checked (the first that fires is the finding). */
export const CALLING_NUMBER_REASONS = ['calling-number-invalid', 'calling-number-dno', 'calling-number-unallocated'] as const satisfies readonly PolicyReason[];
export type CallingNumberReason = (typeof CALLING_NUMBER_REASONS)[number];

/** The list name recorded for NANP structure findings. */
export const NANP_LIST = 'nanp';

/** A calling-number finding: the reason and what fired (recorded in the CDR's `callingNumber*` fields). */
export interface CallingNumberFinding {
  readonly reason: CallingNumberReason;
  /** `nanp`, a DNO list name, or the allocation feed's name. */
  readonly list: string;
  /** The rule (`nxx-n11`), the DNO entry (`+12025550100`, prefix `+1202555…`) or the missing code (`202-555`, `202-555-0`). */
  readonly entry: string;
  /** The DNO entry's source; the rule family otherwise. */
  readonly source: string;
  /** The DNO entry's note, if any. */
  readonly note?: string | undefined;
}

const decodedUser = (header: string): string => toPhoneNumber(header).raw;

/** The national number (or class) of the header the settings name (PAI first for `pai-then-from` when it holds a number). */
function screenedNational(facts: InviteFacts, source: CallingNumberSource): number {
  if (source === 'from') return nationalOfHeader(facts.from, decodedUser);
  const pai = nationalOfHeader(facts.pAssertedIdentity, decodedUser);
  return source === 'pai' || pai !== NOT_A_NUMBER ? pai : nationalOfHeader(facts.from, decodedUser);
}

/**
 * The first calling-number rule the call breaks at `now` (epoch ms), in {@link CALLING_NUMBER_REASONS} order: an
 * invalid number is reported as invalid even when a list also names it, a listed number as DNO before unallocated.
 * Numbers of other countries and non-numbers are not screened.
 */
export function findCallingNumber(facts: InviteFacts, cn: CallingNumberScreening, now: number): CallingNumberFinding | undefined {
  const national = screenedNational(facts, cn.source);
  if (national < 0) return national === NANP_BAD_LENGTH && cn.invalid ? invalidFinding('length') : undefined;
  const rule = cn.invalid ? nanpRuleBroken(national) : undefined;
  if (rule !== undefined) return invalidFinding(rule);
  for (const list of cn.dno) {
    const m = list.lookup(national, now);
    if (m !== undefined) return { reason: 'calling-number-dno', list: list.name, entry: m.entry, source: m.meta.source, note: m.meta.note };
  }
  const missing = cn.allocation?.unallocated(national);
  return missing === undefined ? undefined : { reason: 'calling-number-unallocated', list: cn.allocationName ?? 'allocation', entry: missing, source: 'numbering-administrator' };
}

function invalidFinding(rule: string): CallingNumberFinding {
  return { reason: 'calling-number-invalid', list: NANP_LIST, entry: rule, source: 'nanp-structure' };
}

/** Emergency numbers that are always protected, whatever the config says (config can only add to them). */
export const BUILTIN_EMERGENCY_NUMBERS: readonly string[] = ['911', '933'];

/** Calls that are never refused on a configured trunk. */
export interface EmergencyProtection {
  /** Called numbers (digits, no `+`): 911, 933 and configured additions. */
  readonly calledNumbers: ReadonlySet<string>;
  /** PSAP calling numbers, E.164. */
  readonly psapCallingNumbers: ReadonlySet<string>;
  /** The called numbers as {@link digitsKey} keys, compared with the Request-URI user read in place. */
  readonly calledKeys: ReadonlySet<number>;
  /** Digits of the longest called number: a Request-URI user with more digits is not compared. */
  readonly longestCalled: number;
}

/** Which protection a call has: `emergency` (called an emergency number), `psap` (from a PSAP). */
export type ProtectedCall = 'emergency' | 'psap';

/**
 * Builds the protection from configured additions: the built-in numbers are always in. Called numbers are compared
 * as digits (visual separators and a leading `+` dropped); PSAP numbers as E.164 (entries that are not numbers are
 * ignored: config validation refuses them).
 */
export function toEmergencyProtection(calledNumbers: readonly string[] = [], psapCallingNumbers: readonly string[] = []): EmergencyProtection {
  const called = new Set([...BUILTIN_EMERGENCY_NUMBERS, ...calledNumbers.map(calledDigits)]);
  return {
    calledNumbers: called,
    psapCallingNumbers: new Set(psapCallingNumbers.flatMap((n) => toE164(n) ?? [])),
    calledKeys: new Set([...called].map((n) => digitsKey(n, 0, n.length, 15))),
    longestCalled: Math.max(...[...called].map((n) => n.length)),
  };
}

function calledDigits(user: string): string {
  return user.replace(/[-.()\s]/g, '').replace(/^\+/, '');
}

/** The protection a call has, if any: its Request-URI user is an emergency number, or its From or PAI is a PSAP. */
export function protectionOf(facts: InviteFacts, p: EmergencyProtection): ProtectedCall | undefined {
  if (p.calledKeys.has(dialedKey(facts.requestUri, p.longestCalled, decodedUser))) return 'emergency';
  // Stryker disable next-line ConditionalExpression: equivalent, a shortcut; the loop below finds nothing in an empty set
  if (p.psapCallingNumbers.size === 0) return undefined;
  for (const header of [facts.pAssertedIdentity, facts.from]) {
    const e164 = toPhoneNumber(header).e164;
    if (e164 !== undefined && p.psapCallingNumbers.has(e164)) return 'psap';
  }
  return undefined;
}
