/**
 * The removal grace period as pure functions over a persisted state (provider id → first seen missing): a configured
 * provider that leaves the RMD is monitored for `removalGraceMs`, then enforced. Removal orders on the `rmd-removed`
 * list are not affected (they act through provider-designated at once).
 */
import type { RmdGrace, RmdGraceMap } from '../screening/index.js';
import type { GraceClock, GraceState } from './ports.js';

/** What one new RMD snapshot says about configured providers. */
export interface GraceObservation {
  /** Configured providers that were listed in the previous snapshot and are missing from the new one. */
  readonly removed: readonly string[];
  /** Configured providers missing from the new snapshot (removed or never listed). */
  readonly missing: ReadonlySet<string>;
  /** Every configured provider id (entries of unconfigured providers are dropped). */
  readonly configured: ReadonlySet<string>;
  /** RMD numbers of the removed providers in the previous snapshot, kept with their clocks. */
  readonly rmdNumbers?: ReadonlyMap<string, string> | undefined;
}

/**
 * The next grace state: a grace clock starts at `now` for each newly removed provider (an existing clock is kept);
 * clocks of providers listed again or no longer configured are dropped. Returns the same object when nothing changed.
 */
export function updateGrace(state: GraceState, seen: GraceObservation, now: number): GraceState {
  const next: Record<string, GraceClock> = {};
  let changed = false;
  for (const [id, clock] of Object.entries(state)) {
    if (seen.configured.has(id) && seen.missing.has(id)) next[id] = clock;
    else changed = true;
  }
  for (const id of seen.removed) {
    if (next[id] === undefined && seen.configured.has(id)) {
      const rmdNumber = seen.rmdNumbers?.get(id);
      next[id] = rmdNumber === undefined ? { since: now } : { since: now, rmdNumber };
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
  for (const [id, { since }] of Object.entries(state)) if (now < since + graceMs) out.add(id);
  return out;
}

/**
 * The grace the screening core reads (provider id → grace end and RMD number). `now` given: only the clocks still
 * running then (the live gate, which recompiles when one ends); omitted: every clock (a replay over past times,
 * where the core tests each call's time against the end).
 */
export function toRmdGrace(state: GraceState, graceMs: number, now?: number): RmdGraceMap {
  const out = new Map<string, RmdGrace>();
  for (const [id, { since, rmdNumber }] of Object.entries(state)) {
    const endsAt = since + graceMs;
    if (now === undefined || now < endsAt) out.set(id, rmdNumber === undefined ? { endsAt } : { endsAt, rmdNumber });
  }
  return out;
}

/** When the next grace period ends (epoch ms), or undefined when none is running. */
export function nextGraceExpiry(state: GraceState, now: number, graceMs: number): number | undefined {
  let next: number | undefined;
  for (const { since } of Object.values(state)) {
    const end = since + graceMs;
    if (end > now && (next === undefined || end < next)) next = end;
  }
  return next;
}

/** True when two grace sets (or maps) hold the same ids. */
export function sameIds(a: { readonly size: number; keys(): Iterable<string> }, b: { has(id: string): boolean; readonly size: number }): boolean {
  if (a.size !== b.size) return false;
  for (const id of a.keys()) if (!b.has(id)) return false;
  return true;
}
