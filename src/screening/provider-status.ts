/**
 * Classifies each configured provider by its RMD standing at a given time (pure): listed, overdue (listed but late for
 * the annual recertification), in-grace (gone from the RMD, removal grace running), missing, designated or exempt.
 */
import type { ProviderState, ScreeningWorld } from './policy.js';
import { isRecertificationOverdue } from './recertification.js';

export { isRecertificationOverdue, recertificationDeadline } from './recertification.js';

/** The closed set of provider RMD statuses (the `rmd_status` label). */
export const PROVIDER_RMD_STATUSES = ['listed', 'overdue', 'in-grace', 'missing', 'designated', 'exempt'] as const;
export type ProviderRmdStatus = (typeof PROVIDER_RMD_STATUSES)[number];

/**
 * The status of one provider at `now` (epoch ms). Order: an active designation entry wins; then no filing: `exempt`
 * for providers that need not file, `in-grace` while their removal grace runs (`inGrace`), else `missing`; then a
 * filing overdue for recertification (`overdue`); else `listed`.
 */
export function toProviderRmdStatus(state: ProviderState, now: number, inGrace: (providerId: string) => boolean = () => false): ProviderRmdStatus {
  const designated = state.entries.some((e) => e.effectiveAt <= now && (e.expiresAt === undefined || now < e.expiresAt));
  if (designated) return 'designated';
  if (!state.filing) return !state.provider.rmdRequired ? 'exempt' : inGrace(state.provider.id) ? 'in-grace' : 'missing';
  return isRecertificationOverdue(state.filing, now) ? 'overdue' : 'listed';
}

/** The removal-grace set a world carries (`rmdGrace`, when the feed system compiled one in). */
export function graceOf(world: object): ReadonlySet<string> | undefined {
  const grace = (world as { rmdGrace?: unknown }).rmdGrace;
  return grace instanceof Set ? (grace as ReadonlySet<string>) : undefined;
}

/**
 * Counts the world's providers per status (every status present, zero when none). Grace comes from the world's
 * `rmdGrace`; without one, `graceCount` providers are moved from `missing` to `in-grace`.
 */
export function countProviderRmdStatuses(world: Pick<ScreeningWorld, 'providers'>, now: number, graceCount?: number): Record<ProviderRmdStatus, number> {
  const counts = Object.fromEntries(PROVIDER_RMD_STATUSES.map((s) => [s, 0])) as Record<ProviderRmdStatus, number>;
  const grace = graceOf(world);
  for (const state of world.providers.values()) counts[toProviderRmdStatus(state, now, (id) => grace?.has(id) === true)] += 1;
  if (!grace && graceCount !== undefined && graceCount > 0) {
    const moved = Math.min(graceCount, counts.missing);
    counts.missing -= moved;
    counts['in-grace'] += moved;
  }
  return counts;
}
