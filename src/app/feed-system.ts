/**
 * The live-data side of the gate: feeds (manager), RMD change events and removal grace, staleness, the second opinion,
 * and the world composer that swaps a whole new ScreeningWorld through the WorldHolder whenever config or data change.
 * Every swap is computed synchronously from published state, so no decision sees a half-applied change.
 */
import type { Provider } from '../core/model.js';
import type { ScreeningWorld } from '../core/policy.js';
import { graceSet, pruneGrace, sameIds } from './feed-grace.js';
import { createFeedManager, type FeedSet } from './feed-manager.js';
import type { FeedFetcher, FeedMetrics, FeedParser, FeedStatus, FeedStore, GraceState, SecondOpinionLookup, Timers } from './feed-ports.js';
import type { InForce, RefreshResult } from './feed-refresh.js';
import { applyRmdChange, persistGrace } from './feed-rmd-events.js';
import { createSecondOpinionRunner } from './feed-second-opinion.js';
import type { FeedPlan } from './feed-specs.js';
import { composeWorld, referencedProviders, summariseWorld, type FeedWorldSummary, type WorldConfigPart } from './feed-world.js';
import type { Clock, Logger } from './ports.js';
import { filingOf } from './rmd-diff.js';
import { createWorldHolder, type WorldHolder } from './world-holder.js';

/** A validated config as the feed system needs it. */
export interface PreparedConfig {
  readonly version: string;
  readonly part: WorldConfigPart;
  readonly plan: FeedPlan;
}

/** Collaborators (adapters) of the feed system. `secondOpinion` is undefined when it is disabled. */
export interface FeedSystemDeps {
  readonly fetcher: FeedFetcher;
  readonly parser: FeedParser;
  readonly store: FeedStore;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly random: () => number;
  readonly log: Logger;
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
  listEntries(): Record<string, number>;
  /** Housekeeping (also run every minute): stale alarms, fail-closed and grace transitions, second-opinion interval. */
  tick(): void;
  stop(): void;
}

const HOUSEKEEPING_MS = 60_000;

/** Boots every feed, compiles the first world and starts the timers. */
export async function startFeedSystem(deps: FeedSystemDeps, initial: PreparedConfig): Promise<FeedSystem> {
  const { clock, log } = deps;
  let cfg = initial;
  let published = new Map<string, InForce>();
  let grace: GraceState = await deps.store.readGrace();
  let holder: WorldHolder | undefined;
  let last = { withheld: false, rmdGrace: new Set<string>() as ReadonlySet<string>, secondOpinionAt: 0 };
  const staged = new WeakMap<object, RefreshResult>();
  const alarmed = new Set<string>();
  let stopped = false;
  const eventDeps = { store: deps.store, metrics: deps.metrics, log };

  const providersInScope = (c: PreparedConfig = cfg): Provider[] => referencedProviders(c.part);
  const rmdOf = (m: ReadonlyMap<string, InForce>) => { const d = m.get('rmd')?.data; return d?.kind === 'rmd' ? d.snapshot : undefined; };

  const timeInputs = (c: PreparedConfig, data: ReadonlyMap<string, InForce>, g: GraceState): { withheld: boolean; rmdGrace: ReadonlySet<string> } => {
    const now = clock.now();
    const { failClosedWhenStale, maxAgeMs, removalGraceMs } = c.plan.settings;
    const verifiedAt = data.get('rmd')?.meta.verifiedAt;
    return { withheld: failClosedWhenStale && verifiedAt !== undefined && now - verifiedAt > maxAgeMs, rmdGrace: graceSet(g, now, removalGraceMs) };
  };

  const compile = (c: PreparedConfig, data: ReadonlyMap<string, InForce>, g: GraceState): { world: ScreeningWorld; withheld: boolean; rmdGrace: ReadonlySet<string> } => {
    const { withheld, rmdGrace } = timeInputs(c, data, g);
    const blocklists = c.plan.specs.filter((s) => s.kind === 'list').flatMap((s) => { const d = data.get(s.name)?.data; return d?.kind === 'list' ? d.entries : []; });
    const world = composeWorld(c.part, { rmd: rmdOf(data), rmdWithheld: withheld, blocklists, rmdGrace, extraFilings: runner?.extras() ?? [] });
    return { world, withheld, rmdGrace };
  };

  const install = (c: PreparedConfig, data: Map<string, InForce>, g: GraceState, why: string): void => {
    const { world, withheld, rmdGrace } = compile(c, data, g);
    [cfg, published, grace] = [c, data, g];
    if (withheld !== last.withheld) log[withheld ? 'error' : 'info']({ feed: 'rmd', failClosedWhenStale: true }, withheld ? 'rmd withheld as stale' : 'rmd in force again');
    last = { ...last, withheld, rmdGrace };
    if (holder === undefined) holder = createWorldHolder(world);
    else holder.swap(world);
    log.debug({ why, configVersion: world.configVersion, rmdSnapshotId: world.rmd?.id, grace: [...rmdGrace] }, 'world swapped');
  };

  const rmdChange = (previous: InForce | undefined, next: InForce, c: PreparedConfig, g: GraceState): GraceState => {
    if (previous === undefined || previous.data.kind !== 'rmd' || next.data.kind !== 'rmd' || previous.meta.sha256 === next.meta.sha256) return g;
    const input = { previous: previous.data.snapshot, previousAt: previous.meta.fetchedAt, next: next.data.snapshot, providers: providersInScope(c), grace: g, now: clock.now() };
    return applyRmdChange(input, eventDeps).grace;
  };

  const runSecondOpinion = (): Promise<void> => {
    const rmd = rmdOf(published);
    if (runner === undefined || rmd === undefined) return Promise.resolve();
    last = { ...last, secondOpinionAt: clock.now() };
    const missing = providersInScope().filter((p) => p.rmdRequired && filingOf(p, rmd) === undefined);
    return runner.run(missing, rmd.id);
  };

  const onResult = (result: RefreshResult, rt: { spec: { name: string } }): void => {
    if (stopped) return;
    if (manager.runtimes().get(rt.spec.name) !== rt) {
      if (result.outcome === 'updated') staged.set(rt, result);
      return;
    }
    checkStale();
    if (result.outcome !== 'updated' || result.next === undefined) return;
    const data = new Map(published).set(result.feed, result.next);
    const g = rmdChange(published.get(result.feed), result.next, cfg, grace);
    install(cfg, data, g, `feed ${result.feed} updated`);
    if (result.feed === 'rmd') void runSecondOpinion();
  };

  const manager = createFeedManager({
    fetcher: deps.fetcher, parser: deps.parser, store: deps.store, clock, timers: deps.timers, random: deps.random, log,
    settings: () => cfg.plan.settings, stopped: () => stopped, metrics: deps.metrics, onResult,
  });
  const runner = deps.secondOpinion === undefined ? undefined : createSecondOpinionRunner({
    lookup: deps.secondOpinion, metrics: deps.metrics, log, onChange: () => install(cfg, published, grace, 'second opinion changed'),
  });
  let lateRunQueued = false;
  deps.secondOpinion?.onLateAnswer(() => {
    if (lateRunQueued || stopped) return;
    lateRunQueued = true;
    deps.timers.setTimeout(() => {
      lateRunQueued = false;
      void runSecondOpinion();
    }, 0);
  });

  const installSet = (set: FeedSet, c: PreparedConfig, why: string): void => {
    const data = new Map<string, InForce>();
    let g = pruneGrace(grace, new Set(providersInScope(c).map((p) => p.id)));
    for (const [name, rt] of set.runtimes) {
      const value = set.added.has(name) ? rt.current : published.get(name);
      if (value === undefined) continue;
      data.set(name, value);
      if (name === 'rmd' && set.added.has(name)) g = rmdChange(published.get(name) ?? staged.get(rt)?.previous, value, c, g);
    }
    install(c, data, g, why);
    manager.commit(set);
    if (g !== grace) void persistGrace(eventDeps, g);
  };

  function checkStale(): void {
    for (const s of manager.status()) {
      if (s.stale === alarmed.has(s.feed)) continue;
      if (s.stale) alarmed.add(s.feed);
      else alarmed.delete(s.feed);
      const ageHours = Number.isFinite(s.ageSeconds) ? +(s.ageSeconds / 3600).toFixed(2) : null;
      if (s.stale) log.error({ feed: s.feed, ageHours, maxAgeHours: cfg.plan.settings.maxAgeMs / 3_600_000 }, 'feed stale');
      else log.info({ feed: s.feed, ageHours }, 'feed fresh again');
    }
  }

  installSet(await manager.prepare(initial.plan.specs, 'boot'), initial, 'boot');
  checkStale();
  void runSecondOpinion();
  deps.metrics.observeFeeds(() => manager.status(), () => last.rmdGrace.size);

  const tick = (): void => {
    if (stopped) return;
    checkStale();
    const { withheld, rmdGrace } = timeInputs(cfg, published, grace);
    if (withheld !== last.withheld || !sameIds(rmdGrace, last.rmdGrace)) install(cfg, published, grace, 'grace or staleness changed');
    if (runner !== undefined && clock.now() - last.secondOpinionAt >= cfg.plan.secondOpinion.intervalMs) void runSecondOpinion();
  };
  let housekeeping = deps.timers.setTimeout(function again() {
    tick();
    if (!stopped) housekeeping = deps.timers.setTimeout(again, HOUSEKEEPING_MS);
  }, HOUSEKEEPING_MS);

  return {
    get holder(): WorldHolder {
      return holder as WorldHolder;
    },
    config: () => cfg,
    summary: () => summariseWorld((holder as WorldHolder).current(), cfg.part, listEntries()),
    async apply(next) {
      installSet(await manager.prepare(next.plan.specs, 'reload'), next, `config ${next.version}`);
      const local = [...manager.runtimes().values()].filter((rt) => rt.spec.source.kind === 'file' || rt.pending);
      await Promise.all(local.map((rt) => manager.refresh(rt.spec.name)));
      void runSecondOpinion();
    },
    async refresh(feed) {
      const results = await manager.refresh(feed);
      return results.map((r) => ({ feed: r.feed, outcome: r.outcome, code: r.code, rows: published.get(r.feed)?.meta.rows, snapshotId: published.get(r.feed)?.meta.snapshotId }));
    },
    readiness: () => readinessOf(manager.status()),
    status: () => manager.status(),
    listEntries,
    tick,
    stop() {
      stopped = true;
      housekeeping.cancel();
      manager.stop();
    },
  };

  function listEntries(): Record<string, number> {
    return Object.fromEntries(cfg.plan.specs.filter((s) => s.kind === 'list').map((s) => [s.name, published.get(s.name)?.meta.rows ?? 0]));
  }
}

function readinessOf(statuses: readonly FeedStatus[]): { ok: boolean; detail: string } {
  const parts = statuses.map((s) => {
    if (!s.hasData) return `${s.feed}: no data${s.lastError ? ` (${s.lastError})` : ''}`;
    const flags = [s.stale ? 'STALE' : '', s.pending ? 'candidate pending' : '', s.lastError ?? ''].filter(Boolean).join(', ');
    return `${s.feed}: ${s.rows} rows, age ${(s.ageSeconds / 3600).toFixed(1)}h${flags ? ` (${flags})` : ''}`;
  });
  return { ok: statuses.every((s) => s.hasData), detail: parts.join('; ') };
}
