/**
 * Holds the ScreeningWorld in force. A swap replaces the whole immutable world in one assignment, so every
 * decision sees exactly one config version and one data snapshot.
 */
import type { ScreeningWorld } from './policy.js';

/** The current world and its swap. */
export interface WorldHolder {
  current(): ScreeningWorld;
  /** Puts `next` in force; returns the world it replaced. */
  swap(next: ScreeningWorld): ScreeningWorld;
}

/** Creates a holder with an initial world. */
export function createWorldHolder(initial: ScreeningWorld): WorldHolder {
  let world = initial;
  return {
    current: () => world,
    swap(next) {
      const previous = world;
      world = next;
      return previous;
    },
  };
}
