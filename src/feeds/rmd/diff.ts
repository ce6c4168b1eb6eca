/**
 * What changed between two RMD snapshots: removed, newly listed, implementation class, roles, contact, every other
 * field of a filing, and recertification overdue — for every filing, or only for configured providers. PURE:
 * evaluation times arrive as arguments.
 */
import {
  isRecertificationOverdue, normaliseContactPhone, type Provider, recertificationDeadline as recertificationCycle, type RmdFiling, type RmdSnapshot,
} from '../../screening/index.js';

export { isRecertificationOverdue } from '../../screening/recertification.js';

/** The closed set of change kinds (the `change` metric label and the report's vocabulary). */
export const RMD_CHANGE_KINDS = [
  'removed', 'listed', 'implementation-changed', 'roles-changed', 'contact-changed', 'filing-changed', 'recertification-overdue',
] as const;
export type RmdChangeKind = (typeof RMD_CHANGE_KINDS)[number];

/**
 * One change of one filing (or configured provider). `before`/`after` describe the changed value: the field's old and
 * new value (`field` names it), or for `removed`/`listed` the filing as last/first seen and `(not listed)`.
 */
export interface RmdChange {
  readonly kind: RmdChangeKind;
  /** The configured provider, when the diff is scoped to configured providers. */
  readonly providerId?: string | undefined;
  readonly rmdNumber: string;
  readonly frn: string;
  readonly businessName: string;
  /** The filing field that changed (an RmdFiling key: `contactPhone`, `lastRecertified` …); absent for removed/listed. */
  readonly field?: string | undefined;
  readonly before?: string | undefined;
  readonly after?: string | undefined;
}

/** The before/after text of a filing that is not in a snapshot. */
export const NOT_LISTED = '(not listed)';

/** A filing whose recertification for the current cycle is missing (a state, listed on every report). */
export interface OverdueFiling {
  readonly providerId?: string | undefined;
  readonly rmdNumber: string;
  readonly businessName: string;
  readonly lastRecertified: string;
}

/** The diff of two snapshots. */
export interface RmdDiff {
  readonly scope: 'all' | 'configured';
  readonly oldSnapshotId: string | undefined;
  readonly newSnapshotId: string;
  readonly oldRows: number;
  readonly newRows: number;
  /** When the new snapshot was evaluated, epoch ms. */
  readonly at: number;
  /** The recertification deadline in force at `at` (`YYYY-MM-DD`), if any cycle has started. */
  readonly recertificationDeadline: string | undefined;
  readonly changes: readonly RmdChange[];
  readonly overdue: readonly OverdueFiling[];
  readonly counts: Readonly<Record<RmdChangeKind, number>>;
}

/** Options of {@link diffRmd}. Without `providers` every filing is compared (keyed by RMD number). */
export interface DiffOptions {
  readonly providers?: readonly Provider[] | undefined;
  /** Evaluation time of the old snapshot (its load time), epoch ms. */
  readonly oldAt: number;
  /** Evaluation time of the new snapshot (now), epoch ms. */
  readonly newAt: number;
}

/** The deadline (`YYYY-MM-DD`) of the recertification cycle in force at `at`, if any (rule: core/recertification.ts). */
export function recertificationDeadline(at: number): string | undefined {
  return recertificationCycle(at)?.deadline;
}

/** The filing a configured provider matches: by RMD number first, then by FRN (as compileWorld does). */
export function filingOf(p: Provider, rmd: RmdSnapshot | undefined): RmdFiling | undefined {
  if (rmd === undefined) return undefined;
  const byNumber = p.rmdNumber === undefined ? undefined : rmd.byRmdNumber.get(p.rmdNumber);
  return byNumber ?? (p.frn === undefined ? undefined : rmd.byFrn.get(p.frn));
}

interface Subject {
  readonly providerId?: string | undefined;
  readonly before: RmdFiling | undefined;
  readonly after: RmdFiling | undefined;
}

function subjects(old: RmdSnapshot | undefined, next: RmdSnapshot, providers: readonly Provider[] | undefined): Subject[] {
  if (providers !== undefined) return providers.map((p) => ({ providerId: p.id, before: filingOf(p, old), after: filingOf(p, next) }));
  const keys = new Set([...(old?.byRmdNumber.keys() ?? []), ...next.byRmdNumber.keys()]);
  return [...keys].sort().map((k) => ({ before: old?.byRmdNumber.get(k), after: next.byRmdNumber.get(k) }));
}

function rolesText(f: RmdFiling): string {
  const roles = [f.roles.voiceServiceProvider && 'voice-service-provider', f.roles.gateway && 'gateway', f.roles.intermediate && 'intermediate'];
  return roles.filter((r): r is string => r !== false).join(',') || 'none';
}

/** Fields with a change kind of their own, or that identify the filing. */
const OWN_KIND_FIELDS: ReadonlySet<string> = new Set(['rmdNumber', 'implementation', 'roles']);

/** Report order of the compared fields; fields the model gains later follow, sorted by name. */
const FIELD_ORDER = [
  'contactName', 'contactPhone', 'businessName', 'otherNames', 'frn', 'otherFrns', 'foreign', 'implementationText',
  'lastRecertified', 'lastUpdated', 'filingUrl',
];

/** A field's value as compared and reported: lists joined, yes/no, contact phones in E.164 when they have one. */
function fieldText(f: RmdFiling, field: string): string {
  const v: unknown = (f as unknown as Record<string, unknown>)[field];
  if (field === 'contactPhone' && typeof v === 'string') return normaliseContactPhone(v);
  if (Array.isArray(v)) return v.join(', ');
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (v === null || v === undefined) return '';
  return typeof v === 'string' ? v.trim() : JSON.stringify(v);
}

function comparedFields(a: RmdFiling, b: RmdFiling): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)].filter((k) => !OWN_KIND_FIELDS.has(k)));
  const known = FIELD_ORDER.filter((k) => keys.has(k));
  return [...known, ...[...keys].filter((k) => !FIELD_ORDER.includes(k)).sort()];
}

/** One line describing a filing (the before of `removed`, the after of `listed`). */
export function filingSummary(f: RmdFiling): string {
  const contact = [f.contactName.trim(), normaliseContactPhone(f.contactPhone)].filter((x) => x !== '').join(' ');
  return [
    f.businessName,
    `FRN ${f.frn || '-'}`,
    `implementation ${f.implementation}`,
    `roles ${rolesText(f)}`,
    `last recertified ${f.lastRecertified || '(never)'}`,
    `contact ${contact || '-'}`,
  ].join('; ');
}

function fieldChanges(before: RmdFiling, after: RmdFiling, base: Omit<RmdChange, 'kind'>, implementationChanged: boolean): RmdChange[] {
  const out: RmdChange[] = [];
  for (const field of comparedFields(before, after)) {
    if (field === 'implementationText' && implementationChanged) continue;
    const [b, a] = [fieldText(before, field), fieldText(after, field)];
    if (b !== a) out.push({ kind: field.startsWith('contact') ? 'contact-changed' : 'filing-changed', ...base, field, before: b, after: a });
  }
  return out;
}

function changesOf(s: Subject, opts: DiffOptions): RmdChange[] {
  const f = s.after ?? s.before;
  if (f === undefined) return [];
  const base = { providerId: s.providerId, rmdNumber: f.rmdNumber, frn: f.frn, businessName: f.businessName };
  const { before, after } = s;
  if (after === undefined) return [{ kind: 'removed', ...base, before: before === undefined ? undefined : filingSummary(before), after: NOT_LISTED }];
  const out: RmdChange[] = [];
  if (before === undefined) out.push({ kind: 'listed', ...base, before: NOT_LISTED, after: filingSummary(after) });
  else {
    const implementationChanged = before.implementation !== after.implementation;
    if (implementationChanged) out.push({ kind: 'implementation-changed', ...base, field: 'implementation', before: before.implementation, after: after.implementation });
    if (rolesText(before) !== rolesText(after)) out.push({ kind: 'roles-changed', ...base, field: 'roles', before: rolesText(before), after: rolesText(after) });
    out.push(...fieldChanges(before, after, base, implementationChanged));
  }
  const wasOverdue = before !== undefined && isRecertificationOverdue(before, opts.oldAt);
  if (isRecertificationOverdue(after, opts.newAt) && !wasOverdue) {
    out.push({ kind: 'recertification-overdue', ...base, field: 'lastRecertified', before: before === undefined ? NOT_LISTED : before.lastRecertified || '(never)', after: after.lastRecertified || '(never)' });
  }
  return out;
}

/**
 * Compares two snapshots. A recertification-overdue change is reported when the filing is overdue at `newAt` but was
 * not at `oldAt` (so it is reported once per cycle, on the first snapshot after the deadline); `overdue` lists every
 * overdue filing in scope on each report.
 */
export function diffRmd(old: RmdSnapshot | undefined, next: RmdSnapshot, opts: DiffOptions): RmdDiff {
  const changes: RmdChange[] = [];
  const overdue: OverdueFiling[] = [];
  for (const s of subjects(old, next, opts.providers)) {
    changes.push(...changesOf(s, opts));
    if (s.after !== undefined && isRecertificationOverdue(s.after, opts.newAt)) {
      overdue.push({ providerId: s.providerId, rmdNumber: s.after.rmdNumber, businessName: s.after.businessName, lastRecertified: s.after.lastRecertified });
    }
  }
  const counts = Object.fromEntries(RMD_CHANGE_KINDS.map((k) => [k, changes.filter((c) => c.kind === k).length])) as Record<RmdChangeKind, number>;
  return {
    scope: opts.providers === undefined ? 'all' : 'configured',
    oldSnapshotId: old?.id,
    newSnapshotId: next.id,
    oldRows: old?.rows ?? 0,
    newRows: next.rows,
    at: opts.newAt,
    recertificationDeadline: recertificationDeadline(opts.newAt),
    changes,
    overdue,
    counts,
  };
}
