/**
 * The world composer of the feed system: holds what is published (config in force, feed data in force, grace state)
 * and swaps a freshly compiled world through the WorldHolder whenever any of it — or time alone — changes the inputs.
 * Every swap is computed synchronously from one consistent set of inputs.
 */
import { type Clock, createWorldHolder, type Logger, type RmdFiling, type RmdGraceMap, type RmdSnapshot, type ScreeningWorld, type WorldHolder } from '../screening/index.js';
import { sameIds, toRmdGrace } from './grace.js';
import { ALLOCATION_FEED, RMD_FEED, type GraceState } from './ports.js';
import type { InForce } from './refresh.js';
import type { PreparedConfig } from './plan.js';
import { composeWorld } from './world.js';

/** What is published: the inputs of the world in force. */
export interface Published {
  readonly cfg: PreparedConfig;
  readonly data: ReadonlyMap<string, InForce>;
  readonly grace: GraceState;
}

/** The inputs that change with time alone. */
interface TimeInputs {
  readonly withheld: boolean;
  readonly rmdGrace: RmdGraceMap;
}

/** The composer. */
export interface WorldComposer {
  /** Compiles and swaps in a world for these inputs (the first call creates the holder). */
  install(next: Published, why: string): void;
  /** Recompiles when time alone changed the inputs (a grace period ended, the RMD went stale or fresh). */
  reevaluate(): void;
  /** Publishes inputs whose data is unchanged (e.g. a newer verifiedAt), recompiling only if that changes the time inputs. */
  republish(next: Published): void;
  published(): Published;
  holder(): WorldHolder;
}

/** The RMD snapshot of a data set, if any. */
export function rmdOf(data: ReadonlyMap<string, InForce>): RmdSnapshot | undefined {
  const d = data.get(RMD_FEED)?.data;
  return d?.kind === 'rmd' ? d.snapshot : undefined;
}

function timeInputs(p: Published, now: number): TimeInputs {
  const { failClosedWhenStale, maxAgeMs, removalGraceMs } = p.cfg.plan.settings;
  const verifiedAt = p.data.get(RMD_FEED)?.meta.verifiedAt;
  return { withheld: failClosedWhenStale && verifiedAt !== undefined && now - verifiedAt > maxAgeMs, rmdGrace: toRmdGrace(p.grace, removalGraceMs, now) };
}

function compile(p: Published, t: TimeInputs, extraFilings: readonly RmdFiling[]): ScreeningWorld {
  const blocklists = p.cfg.plan.specs.filter((s) => s.kind === 'list').flatMap((s) => {
    const d = p.data.get(s.name)?.data;
    return d?.kind === 'list' ? d.entries : [];
  });
  const dno = p.cfg.plan.specs.filter((s) => s.kind === 'dno').flatMap((s) => {
    const d = p.data.get(s.name)?.data;
    return d?.kind === 'dno' ? [d.list] : [];
  });
  const a = p.data.get(ALLOCATION_FEED)?.data;
  const allocation = a?.kind === 'allocation' && p.cfg.plan.specs.some((s) => s.kind === 'allocation') ? a.table : undefined;
  return composeWorld(p.cfg.part, { rmd: rmdOf(p.data), rmdWithheld: t.withheld, blocklists, rmdGrace: t.rmdGrace, extraFilings, dno, allocation });
}

/** Creates the composer; nothing is compiled until the first install(). */
export function createWorldComposer(deps: { readonly clock: Clock; readonly log: Logger; readonly extras: () => readonly RmdFiling[] }): WorldComposer {
  let current: Published | undefined;
  let holder: WorldHolder | undefined;
  let last: TimeInputs = { withheld: false, rmdGrace: new Map() };
  const install = (next: Published, why: string): void => {
    const t = timeInputs(next, deps.clock.now());
    const world = compile(next, t, deps.extras());
    current = next;
    if (t.withheld !== last.withheld) deps.log[t.withheld ? 'error' : 'info']({ feed: RMD_FEED, failClosedWhenStale: true }, t.withheld ? 'rmd withheld as stale' : 'rmd in force again');
    last = t;
    if (holder === undefined) holder = createWorldHolder(world);
    else holder.swap(world);
    deps.log.debug({ why, configVersion: world.configVersion, rmdSnapshotId: world.rmd?.id, grace: [...t.rmdGrace.keys()] }, 'world swapped');
  };
  const published = (): Published => {
    if (current === undefined) throw new Error('no world installed yet');
    return current;
  };
  const reevaluate = (): void => {
    const p = published();
    const t = timeInputs(p, deps.clock.now());
    if (t.withheld !== last.withheld || !sameIds(t.rmdGrace, last.rmdGrace)) install(p, 'grace or staleness changed');
  };
  return {
    install,
    reevaluate,
    republish(next) {
      current = next;
      reevaluate();
    },
    published,
    holder: () => {
      if (holder === undefined) throw new Error('no world installed yet');
      return holder;
    },
  };
}
