/**
 * Holds the ScreeningWorld in force. A swap replaces the whole immutable world in one assignment, so every
 * decision sees exactly one config version and one data snapshot.
 */
import type { ScreeningWorld } from './policy.js';

/** The current world and its swap. */
export interface WorldHolder {
  current(): ScreeningWorld;
  swap(next: ScreeningWorld): ScreeningWorld;
  /** Listeners run synchronously after each swap (metrics, logs); they must not throw. */
  onSwap(listener: (next: ScreeningWorld, previous: ScreeningWorld) => void): void;
}

/** Creates a holder with an initial world. */
export function createWorldHolder(initial: ScreeningWorld): WorldHolder {
  let world = initial;
  const listeners: ((n: ScreeningWorld, p: ScreeningWorld) => void)[] = [];
  return {
    current: () => world,
    swap(next) {
      const previous = world;
      world = next;
      for (const l of listeners) l(next, previous);
      return previous;
    },
    onSwap: (l) => void listeners.push(l),
  };
}
