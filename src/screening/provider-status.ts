/**
 * What is in force for a provider at a given time (pure), the one definition the live decision, `whatif`, `check`, the
 * admin status and the provider-status metric share: a designation entry is active from `effectiveAt` (inclusive) to
 * `expiresAt` (exclusive); a provider gone from the RMD is in its removal grace until the grace end (exclusive).
 * From those, each configured provider's RMD status: listed, overdue (listed but late for the annual
 * recertification), in-grace, missing, designated or exempt.
 */
import type { BlocklistEntry } from './model.js';
import type { ProviderState, ScreeningWorld } from './policy.js';
import { isRecertificationOverdue } from './recertification.js';

/** The closed set of provider RMD statuses (the `rmd_status` label). */
export const PROVIDER_RMD_STATUSES = ['listed', 'overdue', 'in-grace', 'missing', 'designated', 'exempt'] as const;
export type ProviderRmdStatus = (typeof PROVIDER_RMD_STATUSES)[number];

/** One provider's removal grace: when it ends and the RMD number it had in the last snapshot that listed it. */
export interface RmdGrace {
  /** Grace end, epoch ms (exclusive): from then on `provider-not-in-rmd` is enforced. */
  readonly endsAt: number;
  readonly rmdNumber?: string | undefined;
}

/** Removal grace by provider id. */
export type RmdGraceMap = ReadonlyMap<string, RmdGrace>;

/** True when the designation entry is in force at `now` (epoch ms): effective (inclusive) and not yet expired (exclusive). */
export function isEntryActive(entry: Pick<BlocklistEntry, 'effectiveAt' | 'expiresAt'>, now: number): boolean {
  return entry.effectiveAt <= now && (entry.expiresAt === undefined || now < entry.expiresAt);
}

/** The provider's removal grace when it runs at `now`, else undefined. */
export function graceAt(providerId: string, grace: RmdGraceMap | undefined, now: number): RmdGrace | undefined {
  const g = grace?.get(providerId);
  return g !== undefined && now < g.endsAt ? g : undefined;
}

/** Everything a report says about one provider at `now`. */
export interface ProviderStanding {
  readonly status: ProviderRmdStatus;
  /** Designation entries in force at `now`, in the world's order (most severe first). */
  readonly activeEntries: readonly BlocklistEntry[];
  /** Set while the provider has no filing and its removal grace runs. */
  readonly grace: RmdGrace | undefined;
}

/**
 * The standing of one provider at `now` (epoch ms). Status order: an active designation entry wins; then no filing:
 * `exempt` for providers that need not file, `in-grace` while their removal grace runs, else `missing`; then a filing
 * overdue for recertification (`overdue`); else `listed`.
 */
export function providerStanding(state: ProviderState, now: number, grace?: RmdGraceMap): ProviderStanding {
  const activeEntries = state.entries.filter((e) => isEntryActive(e, now));
  const g = state.filing || !state.provider.rmdRequired ? undefined : graceAt(state.provider.id, grace, now);
  return { status: statusOf(state, activeEntries.length > 0, g !== undefined, now), activeEntries, grace: g };
}

function statusOf(state: ProviderState, designated: boolean, inGrace: boolean, now: number): ProviderRmdStatus {
  if (designated) return 'designated';
  if (!state.filing) return !state.provider.rmdRequired ? 'exempt' : inGrace ? 'in-grace' : 'missing';
  return isRecertificationOverdue(state.filing, now) ? 'overdue' : 'listed';
}

/** The status of one provider at `now` (epoch ms); see {@link providerStanding}. */
export function toProviderRmdStatus(state: ProviderState, now: number, grace?: RmdGraceMap): ProviderRmdStatus {
  return providerStanding(state, now, grace).status;
}

/** Counts the world's providers per status (every status present, zero when none); grace is the world's `rmdGrace`. */
export function countProviderRmdStatuses(world: Pick<ScreeningWorld, 'providers' | 'rmdGrace'>, now: number): Record<ProviderRmdStatus, number> {
  const counts = Object.fromEntries(PROVIDER_RMD_STATUSES.map((s) => [s, 0])) as Record<ProviderRmdStatus, number>;
  for (const state of world.providers.values()) counts[toProviderRmdStatus(state, now, world.rmdGrace)] += 1;
  return counts;
}
