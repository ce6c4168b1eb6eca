/**
 * The removal grace period as pure functions over a persisted state (provider id → first seen missing): a configured
 * provider that leaves the RMD is monitored for `removalGraceMs`, then enforced. Removal orders on the `rmd-removed`
 * list are not affected (they act through provider-designated at once).
 */
import type { GraceState } from './ports.js';

/** What one new RMD snapshot says about configured providers. */
export interface GraceObservation {
  /** Configured providers that were listed in the previous snapshot and are missing from the new one. */
  readonly removed: readonly string[];
  /** Configured providers missing from the new snapshot (removed or never listed). */
  readonly missing: ReadonlySet<string>;
  /** Every configured provider id (entries of unconfigured providers are dropped). */
  readonly configured: ReadonlySet<string>;
}

/**
 * The next grace state: a grace clock starts at `now` for each newly removed provider (an existing clock is kept);
 * clocks of providers listed again or no longer configured are dropped. Returns the same object when nothing changed.
 */
export function updateGrace(state: GraceState, seen: GraceObservation, now: number): GraceState {
  const next: Record<string, number> = {};
  let changed = false;
  for (const [id, since] of Object.entries(state)) {
    if (seen.configured.has(id) && seen.missing.has(id)) next[id] = since;
    else changed = true;
  }
  for (const id of seen.removed) {
    if (next[id] === undefined && seen.configured.has(id)) {
      next[id] = now;
      changed = true;
    }
  }
  return changed ? next : state;
}

/** Drops clocks of providers no longer configured (after a config reload). Same object when nothing changed. */
export function pruneGrace(state: GraceState, configured: ReadonlySet<string>): GraceState {
  const kept = Object.entries(state).filter(([id]) => configured.has(id));
  return kept.length === Object.keys(state).length ? state : Object.fromEntries(kept);
}

/** Provider ids still in grace at `now` (first missing less than `graceMs` ago). */
export function graceSet(state: GraceState, now: number, graceMs: number): ReadonlySet<string> {
  const out = new Set<string>();
  for (const [id, since] of Object.entries(state)) if (now < since + graceMs) out.add(id);
  return out;
}

/** When the next grace period ends (epoch ms), or undefined when none is running. */
export function nextGraceExpiry(state: GraceState, now: number, graceMs: number): number | undefined {
  let next: number | undefined;
  for (const since of Object.values(state)) {
    const end = since + graceMs;
    if (end > now && (next === undefined || end < next)) next = end;
  }
  return next;
}

/** True when two grace sets hold the same ids. */
export function sameIds(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const id of a) if (!b.has(id)) return false;
  return true;
}
