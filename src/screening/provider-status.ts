/**
 * Classifies each configured provider by its RMD standing at a given time (pure): listed, overdue (listed but late for
 * the annual recertification), in-grace (gone from the RMD, removal grace running), missing, designated or exempt.
 */
import type { ProviderState, ScreeningWorld } from './policy.js';
import { isRecertificationOverdue } from './recertification.js';

/** The closed set of provider RMD statuses (the `rmd_status` label). */
export const PROVIDER_RMD_STATUSES = ['listed', 'overdue', 'in-grace', 'missing', 'designated', 'exempt'] as const;
export type ProviderRmdStatus = (typeof PROVIDER_RMD_STATUSES)[number];

/**
 * The status of one provider at `now` (epoch ms). Order: an active designation entry wins; then no filing: `exempt`
 * for providers that need not file, `in-grace` while their removal grace runs (in `grace`), else `missing`; then a
 * filing overdue for recertification (`overdue`); else `listed`.
 */
export function toProviderRmdStatus(state: ProviderState, now: number, grace?: ReadonlySet<string>): ProviderRmdStatus {
  const designated = state.entries.some((e) => e.effectiveAt <= now && (e.expiresAt === undefined || now < e.expiresAt));
  if (designated) return 'designated';
  if (!state.filing) return !state.provider.rmdRequired ? 'exempt' : grace?.has(state.provider.id) === true ? 'in-grace' : 'missing';
  return isRecertificationOverdue(state.filing, now) ? 'overdue' : 'listed';
}

/** Counts the world's providers per status (every status present, zero when none); grace is the world's `rmdGrace`. */
export function countProviderRmdStatuses(world: Pick<ScreeningWorld, 'providers' | 'rmdGrace'>, now: number): Record<ProviderRmdStatus, number> {
  const counts = Object.fromEntries(PROVIDER_RMD_STATUSES.map((s) => [s, 0])) as Record<ProviderRmdStatus, number>;
  for (const state of world.providers.values()) counts[toProviderRmdStatus(state, now, world.rmdGrace)] += 1;
  return counts;
}
