/**
 * The live-data side of the gate: feeds (manager), RMD change events and removal grace, staleness, the second opinion,
 * and config changes — all published through the world composer, which swaps one whole ScreeningWorld per change.
 */
import type { Provider, WorldHolder } from '../screening/index.js';
import { createWorldComposer, rmdOf, type Published, type WorldComposer } from './composer.js';
import type { PreparedConfig } from './plan.js';
import { pruneGrace } from './grace.js';
import { createFeedManager, type FeedManager, type FeedSet } from './manager.js';
import { RMD_FEED, type FeedMetrics, type FeedStatus, type GraceState, type HeaderChange, type SecondOpinionLookup, type Timers } from './ports.js';
import type { DataFileProblem } from './errors.js';
import type { FeedCollaborators, FeedRuntime, InForce, RefreshResult } from './refresh.js';
import { applyRmdChange, persistGrace, type RmdEventDeps } from './rmd-events.js';
import { createSecondOpinionRunner, type SecondOpinionRunner } from './second-opinion.js';
import { createStaleAlarm, readinessOf } from './status.js';
import { referencedProviders, summariseWorld, type FeedWorldSummary } from './world.js';
import { filingOf } from './rmd/diff.js';


/** Collaborators (adapters) of the feed system. `secondOpinion` is undefined when it is disabled. */
export interface FeedSystemDeps extends FeedCollaborators {
  readonly metrics: FeedMetrics;
  readonly secondOpinion?: SecondOpinionLookup | undefined;
  /**
   * Watches a local feed file, calling `onChange` (debounced) after it changes; the feed is then refreshed as its interval
   * would. Undefined: local feeds are read at their interval only.
   */
  readonly watchFile?: ((path: string, onChange: () => void) => { close(): void }) | undefined;
}

/** One feed's answer to an admin refresh. */
export interface FeedRefreshReport {
  readonly feed: string;
  readonly outcome: RefreshResult['outcome'];
  readonly code?: string | undefined;
  /** Why the refresh was refused or failed (the error's message); the last good data stays in force. */
  readonly reason?: string | undefined;
  readonly rows?: number | undefined;
  readonly snapshotId?: string | undefined;
  /** RMD: bad rows skipped in the data in force, the first few (line, reason), and a header-set change this refresh met. */
  readonly badRows?: number | undefined;
  readonly badRowSample?: readonly DataFileProblem[] | undefined;
  readonly headerChange?: HeaderChange | undefined;
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
  const system = new LiveFeedSystem(deps, initial);
  await system.boot(initial);
  return system;
}

/**
 * The feed system: a manager of feed runtimes, a composer publishing the world, the RMD change events and grace
 * state, and the background work (reports, grace writes, second-opinion runs) tracked until stop().
 */
class LiveFeedSystem implements FeedSystem {
  private readonly composer: WorldComposer;
  private readonly manager: FeedManager;
  private readonly runner: SecondOpinionRunner | undefined;
  private readonly alarm: ReturnType<typeof createStaleAlarm>;
  private readonly eventDeps: RmdEventDeps;
  /** Updated results of runtimes staged by a reload not yet committed: the previous data their RMD diff starts from. */
  private readonly staged = new WeakMap<FeedRuntime, RefreshResult>();
  private readonly background = new Set<Promise<unknown>>();
  private stopped = false;
  private secondOpinionAt = 0;
  private settingsFrom: PreparedConfig;
  private housekeeping: { cancel(): void } | undefined;
  /** File watches of the local feeds in force, by feed name. */
  private readonly watches = new Map<string, { path: string; close(): void }>();

  constructor(private readonly deps: FeedSystemDeps, initial: PreparedConfig) {
    const { clock, log } = deps;
    this.settingsFrom = initial;
    this.alarm = createStaleAlarm(log);
    this.eventDeps = { store: deps.store, metrics: deps.metrics, log };
    this.runner = deps.secondOpinion === undefined ? undefined : createSecondOpinionRunner({
      lookup: deps.secondOpinion, metrics: deps.metrics, log, onChange: () => this.composer.install(this.composer.published(), 'second opinion changed'),
    });
    this.composer = createWorldComposer({ clock, log, extras: () => this.runner?.extras() ?? [] });
    this.manager = createFeedManager({
      fetcher: deps.fetcher, parser: deps.parser, store: deps.store, clock, timers: deps.timers, random: deps.random, log,
      settings: () => this.settingsFrom.plan.settings, stopped: () => this.stopped, metrics: deps.metrics,
      onResult: (result, rt) => this.onResult(result, rt),
    });
  }

  async boot(initial: PreparedConfig): Promise<void> {
    const boot = await this.manager.prepare(initial.plan.specs, 'boot');
    this.installSet(boot, initial, { cfg: initial, data: new Map(), grace: await this.deps.store.readGrace() }, 'boot');
    this.checkStale();
    this.runSecondOpinion();
    this.deps.metrics.observeFeeds(() => this.manager.status());
    lateAnswersRerun(this.deps, () => this.stopped, () => this.runSecondOpinion());
    const again = (): void => {
      this.tick();
      if (!this.stopped) this.housekeeping = this.deps.timers.setTimeout(again, HOUSEKEEPING_MS);
    };
    this.housekeeping = this.deps.timers.setTimeout(again, HOUSEKEEPING_MS);
  }

  get holder(): WorldHolder {
    return this.composer.holder();
  }

  config(): PreparedConfig {
    return this.composer.published().cfg;
  }

  summary(): FeedWorldSummary {
    const published = this.composer.published();
    return summariseWorld(this.composer.holder().current(), published.cfg.part, listEntries(published), this.deps.clock.now());
  }

  async apply(next: PreparedConfig): Promise<void> {
    this.installSet(await this.manager.prepare(next.plan.specs, 'reload'), next, this.composer.published(), `config ${next.version}`);
    const local = [...this.manager.runtimes().values()].filter((rt) => rt.spec.source.kind === 'file' || rt.pending);
    await Promise.all(local.map((rt) => this.manager.refresh(rt.spec.name)));
    this.runSecondOpinion();
  }

  async refresh(feed?: string): Promise<readonly FeedRefreshReport[]> {
    const results = await this.manager.refresh(feed);
    const { data } = this.composer.published();
    return results.map((r) => {
      const meta = data.get(r.feed)?.meta;
      return {
        feed: r.feed, outcome: r.outcome, code: r.code, reason: r.error === undefined ? undefined : r.error instanceof Error ? r.error.message : String(r.error),
        rows: meta?.rows, snapshotId: meta?.snapshotId, badRows: meta?.badRows, badRowSample: meta?.badRowSample, headerChange: r.headerChange,
      };
    });
  }

  readiness(): { ok: boolean; detail: string } {
    return readinessOf(this.manager.status());
  }

  status(): readonly FeedStatus[] {
    return this.manager.status();
  }

  tick(): void {
    if (this.stopped) return;
    this.checkStale();
    this.composer.reevaluate();
    if (this.deps.clock.now() - this.secondOpinionAt >= this.composer.published().cfg.plan.secondOpinion.intervalMs) this.runSecondOpinion();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.housekeeping?.cancel();
    for (const w of this.watches.values()) w.close();
    this.watches.clear();
    await this.manager.stop();
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
  }

  private track(p: Promise<unknown>): void {
    this.background.add(p);
    void p.finally(() => this.background.delete(p));
  }

  private inScope(c: PreparedConfig): Provider[] {
    return referencedProviders(c.part);
  }

  /** The grace state after an RMD change (diff logged and counted, report and grace written in the background). */
  private rmdChange(previous: InForce | undefined, next: InForce, c: PreparedConfig, g: GraceState): GraceState {
    if (previous?.data.kind !== 'rmd' || next.data.kind !== 'rmd' || previous.meta.sha256 === next.meta.sha256) return g;
    const input = { previous: previous.data.snapshot, previousAt: previous.meta.fetchedAt, next: next.data.snapshot, providers: this.inScope(c), grace: g, now: this.deps.clock.now() };
    const { grace, written } = applyRmdChange(input, this.eventDeps);
    this.track(written);
    return grace;
  }

  private runSecondOpinion(): void {
    const { cfg, data } = this.composer.published();
    const rmd = rmdOf(data);
    if (this.runner === undefined || rmd === undefined || this.stopped) return;
    this.secondOpinionAt = this.deps.clock.now();
    this.track(this.runner.run(this.inScope(cfg).filter((p) => p.rmdRequired && filingOf(p, rmd) === undefined), rmd.id));
  }

  private checkStale(): void {
    this.alarm.check(this.manager.status(), this.composer.published().cfg.plan.settings.maxAgeMs / 3_600_000);
  }

  /** A refresh settled: publish new data (or a newer confirmation), or re-evaluate the time inputs. */
  private onResult(result: RefreshResult, rt: FeedRuntime): void {
    if (this.stopped) return;
    if (this.manager.runtimes().get(rt.spec.name) !== rt) {
      if (result.outcome === 'updated') this.staged.set(rt, result);
      return;
    }
    this.checkStale();
    const p = this.composer.published();
    if (result.outcome !== 'updated' || result.next === undefined) {
      const shown = p.data.get(result.feed);
      if (result.outcome === 'not-modified' && rt.current !== undefined && rt.current.data === shown?.data) {
        this.composer.republish({ ...p, data: new Map(p.data).set(result.feed, rt.current) });
      } else this.composer.reevaluate();
      return;
    }
    const grace = this.rmdChange(p.data.get(result.feed), result.next, p.cfg, p.grace);
    this.composer.install({ cfg: p.cfg, data: new Map(p.data).set(result.feed, result.next), grace }, `feed ${result.feed} updated`);
    if (result.feed === RMD_FEED) this.runSecondOpinion();
  }

  /**
   * Keeps one file watch per local feed of `cfg` (same path: kept; new or moved: started; gone: closed). A change
   * refreshes the feed through the manager, as the interval does: bad content is refused and the last good data stays.
   */
  private watchLocalFeeds(cfg: PreparedConfig): void {
    const watchFile = this.deps.watchFile;
    if (watchFile === undefined || this.stopped) return;
    const wanted = new Map(cfg.plan.specs.flatMap((s) => (s.source.kind === 'file' ? [[s.name, s.source.path] as const] : [])));
    for (const [name, w] of this.watches) {
      if (wanted.get(name) === w.path) continue;
      w.close();
      this.watches.delete(name);
    }
    for (const [name, path] of wanted) {
      if (this.watches.has(name)) continue;
      const handle = watchFile(path, () => {
        if (this.stopped) return;
        this.deps.log.debug({ feed: name, file: path }, 'feed file changed');
        void this.manager.refresh(name);
      });
      this.watches.set(name, { path, close: () => handle.close() });
    }
  }

  /** Puts a staged feed set and its config in force in one world (boot and reloads). */
  private installSet(set: FeedSet, cfg: PreparedConfig, before: Published | undefined, why: string): void {
    const data = new Map<string, InForce>();
    const start = before?.grace ?? {};
    let grace = pruneGrace(start, new Set(this.inScope(cfg).map((p) => p.id)));
    for (const [name, rt] of set.runtimes) {
      const value = set.added.has(name) ? rt.current : before?.data.get(name);
      if (value === undefined) continue;
      data.set(name, value);
      if (name === RMD_FEED && set.added.has(name)) grace = this.rmdChange(before?.data.get(name) ?? this.staged.get(rt)?.previous, value, cfg, grace);
    }
    this.composer.install({ cfg, data, grace }, why);
    this.settingsFrom = cfg;
    this.manager.commit(set);
    this.watchLocalFeeds(cfg);
    if (grace !== start) this.track(persistGrace(this.eventDeps, grace));
  }
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
