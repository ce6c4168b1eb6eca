/**
 * The live-data side of the gate: feeds (manager), RMD change events and removal grace, staleness, the second opinion,
 * and config changes — all published through the world composer, which swaps one whole ScreeningWorld per change.
 */
import type { Provider, WorldHolder } from '../screening/index.js';
import { createWorldComposer, rmdOf, type Published } from './composer.js';
import type { PreparedConfig } from './plan.js';
import { pruneGrace } from './grace.js';
import { createFeedManager, type FeedSet } from './manager.js';
import { RMD_FEED, type FeedMetrics, type FeedStatus, type GraceState, type SecondOpinionLookup, type Timers } from './ports.js';
import type { FeedCollaborators, FeedRuntime, InForce, RefreshResult } from './refresh.js';
import { applyRmdChange, persistGrace } from './rmd-events.js';
import { createSecondOpinionRunner } from './second-opinion.js';
import { createStaleAlarm, readinessOf } from './status.js';
import { referencedProviders, summariseWorld, type FeedWorldSummary } from './world.js';
import { filingOf } from './rmd/diff.js';


/** Collaborators (adapters) of the feed system. `secondOpinion` is undefined when it is disabled. */
export interface FeedSystemDeps extends FeedCollaborators {
  readonly metrics: FeedMetrics;
  readonly secondOpinion?: SecondOpinionLookup | undefined;
}

/** One feed's answer to an admin refresh. */
export interface FeedRefreshReport {
  readonly feed: string;
  readonly outcome: RefreshResult['outcome'];
  readonly code?: string | undefined;
  readonly rows?: number | undefined;
  readonly snapshotId?: string | undefined;
}

/** The running feed system. */
export interface FeedSystem {
  readonly holder: WorldHolder;
  config(): PreparedConfig;
  summary(): FeedWorldSummary;
  /** Loads the feeds a new config adds or changes, then swaps config and data in one world. Throws, changing nothing, on failure. */
  apply(next: PreparedConfig): Promise<void>;
  /** Refreshes one feed or all now (admin endpoint). */
  refresh(feed?: string): Promise<readonly FeedRefreshReport[]>;
  /** /readyz: ok when every feed has data; detail names ages, stale and pending feeds. */
  readiness(): { ok: boolean; detail: string };
  status(): readonly FeedStatus[];
  /** Housekeeping (also run every minute): stale alarms, fail-closed and grace transitions, second-opinion interval. */
  tick(): void;
  /** Stops timers and waits for refreshes and state writes in flight. */
  stop(): Promise<void>;
}

const HOUSEKEEPING_MS = 60_000;

/** Real timers, unref'd so they never keep the process alive. */
export const systemTimers: Timers = {
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};

/** Boots every feed, compiles the first world and starts the timers. */
export async function startFeedSystem(deps: FeedSystemDeps, initial: PreparedConfig): Promise<FeedSystem> {
  const { clock, log } = deps;
  const staged = new WeakMap<FeedRuntime, RefreshResult>();
  const background = new Set<Promise<unknown>>();
  const alarm = createStaleAlarm(log);
  const eventDeps = { store: deps.store, metrics: deps.metrics, log };
  let stopped = false;
  let secondOpinionAt = 0;
  let settingsFrom = initial;
  const track = (p: Promise<unknown>): void => {
    background.add(p);
    void p.finally(() => background.delete(p));
  };
  const runner = deps.secondOpinion === undefined ? undefined : createSecondOpinionRunner({
    lookup: deps.secondOpinion, metrics: deps.metrics, log, onChange: () => composer.install(composer.published(), 'second opinion changed'),
  });
  const composer = createWorldComposer({ clock, log, extras: () => runner?.extras() ?? [] });
  const inScope = (c: PreparedConfig): Provider[] => referencedProviders(c.part);

  const rmdChange = (previous: InForce | undefined, next: InForce, c: PreparedConfig, g: GraceState): GraceState => {
    if (previous?.data.kind !== 'rmd' || next.data.kind !== 'rmd' || previous.meta.sha256 === next.meta.sha256) return g;
    const input = { previous: previous.data.snapshot, previousAt: previous.meta.fetchedAt, next: next.data.snapshot, providers: inScope(c), grace: g, now: clock.now() };
    const { grace: nextGrace, written } = applyRmdChange(input, eventDeps);
    track(written);
    return nextGrace;
  };

  const runSecondOpinion = (): void => {
    const { cfg, data } = composer.published();
    const rmd = rmdOf(data);
    if (runner === undefined || rmd === undefined || stopped) return;
    secondOpinionAt = clock.now();
    track(runner.run(inScope(cfg).filter((p) => p.rmdRequired && filingOf(p, rmd) === undefined), rmd.id));
  };

  const checkStale = (): void => alarm.check(manager.status(), composer.published().cfg.plan.settings.maxAgeMs / 3_600_000);

  const onResult = (result: RefreshResult, rt: FeedRuntime): void => {
    if (stopped) return;
    if (manager.runtimes().get(rt.spec.name) !== rt) {
      if (result.outcome === 'updated') staged.set(rt, result);
      return;
    }
    checkStale();
    const p = composer.published();
    if (result.outcome !== 'updated' || result.next === undefined) {
      const shown = p.data.get(result.feed);
      if (result.outcome === 'not-modified' && rt.current !== undefined && rt.current.data === shown?.data) {
        composer.republish({ ...p, data: new Map(p.data).set(result.feed, rt.current) });
      } else composer.reevaluate();
      return;
    }
    const grace = rmdChange(p.data.get(result.feed), result.next, p.cfg, p.grace);
    composer.install({ cfg: p.cfg, data: new Map(p.data).set(result.feed, result.next), grace }, `feed ${result.feed} updated`);
    if (result.feed === RMD_FEED) runSecondOpinion();
  };

  const manager = createFeedManager({
    fetcher: deps.fetcher, parser: deps.parser, store: deps.store, clock, timers: deps.timers, random: deps.random, log,
    settings: () => settingsFrom.plan.settings, stopped: () => stopped, metrics: deps.metrics, onResult,
  });

  const installSet = (set: FeedSet, cfg: PreparedConfig, before: Published | undefined, why: string): void => {
    const data = new Map<string, InForce>();
    const start = before?.grace ?? {};
    let grace = pruneGrace(start, new Set(inScope(cfg).map((p) => p.id)));
    for (const [name, rt] of set.runtimes) {
      const value = set.added.has(name) ? rt.current : before?.data.get(name);
      if (value === undefined) continue;
      data.set(name, value);
      if (name === RMD_FEED && set.added.has(name)) grace = rmdChange(before?.data.get(name) ?? staged.get(rt)?.previous, value, cfg, grace);
    }
    composer.install({ cfg, data, grace }, why);
    settingsFrom = cfg;
    manager.commit(set);
    if (grace !== start) track(persistGrace(eventDeps, grace));
  };

  const boot = await manager.prepare(initial.plan.specs, 'boot');
  installSet(boot, initial, { cfg: initial, data: new Map(), grace: await deps.store.readGrace() }, 'boot');
  checkStale();
  runSecondOpinion();
  deps.metrics.observeFeeds(() => manager.status());
  lateAnswersRerun(deps, () => stopped, runSecondOpinion);

  const tick = (): void => {
    if (stopped) return;
    checkStale();
    composer.reevaluate();
    if (clock.now() - secondOpinionAt >= composer.published().cfg.plan.secondOpinion.intervalMs) runSecondOpinion();
  };
  let housekeeping = deps.timers.setTimeout(function again() {
    tick();
    if (!stopped) housekeeping = deps.timers.setTimeout(again, HOUSEKEEPING_MS);
  }, HOUSEKEEPING_MS);

  return {
    get holder(): WorldHolder {
      return composer.holder();
    },
    config: () => composer.published().cfg,
    summary: () => summariseWorld(composer.holder().current(), composer.published().cfg.part, listEntries(composer.published())),
    async apply(next) {
      installSet(await manager.prepare(next.plan.specs, 'reload'), next, composer.published(), `config ${next.version}`);
      const local = [...manager.runtimes().values()].filter((rt) => rt.spec.source.kind === 'file' || rt.pending);
      await Promise.all(local.map((rt) => manager.refresh(rt.spec.name)));
      runSecondOpinion();
    },
    async refresh(feed) {
      const results = await manager.refresh(feed);
      const { data } = composer.published();
      return results.map((r) => ({ feed: r.feed, outcome: r.outcome, code: r.code, rows: data.get(r.feed)?.meta.rows, snapshotId: data.get(r.feed)?.meta.snapshotId }));
    },
    readiness: () => readinessOf(manager.status()),
    status: () => manager.status(),
    tick,
    async stop() {
      stopped = true;
      housekeeping.cancel();
      await manager.stop();
      while (background.size > 0) await Promise.allSettled([...background]);
    },
  };
}

/** Entries per blocklist in force. */
function listEntries(p: Published): Record<string, number> {
  return Object.fromEntries(p.cfg.plan.specs.filter((s) => s.kind === 'list').map((s) => [s.name, p.data.get(s.name)?.meta.rows ?? 0]));
}

/** Re-runs the second opinion (coalesced, on the next timer turn) when a lookup that missed its deadline answers. */
function lateAnswersRerun(deps: FeedSystemDeps, stopped: () => boolean, run: () => void): void {
  let queued = false;
  deps.secondOpinion?.onLateAnswer(() => {
    if (queued || stopped()) return;
    queued = true;
    deps.timers.setTimeout(() => {
      queued = false;
      run();
    }, 0);
  });
}
