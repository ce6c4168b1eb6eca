/**
 * Owns the feeds: loads each one at boot (state dir → seed → first refresh), refreshes them on a jittered timer or on
 * demand (one refresh per feed at a time), reports every outcome to metrics and the log, and stages feed sets for
 * config reloads (prepare → commit) so a reload either gets all its new feeds or changes nothing.
 */
import { DataFileError, FeedError, atConfigKey, feedErrorCode } from './errors.js';
import type { FeedMetrics, FeedSpec, FeedStatus } from './ports.js';
import { readerMeta, refreshFeed, rowsOf, type FeedRuntime, type RefreshDeps, type RefreshResult } from './refresh.js';
import { sameSpec } from './plan.js';

/**
 * Collaborators of the manager. `onResult` runs synchronously after each refresh settles, with the runtime it ran on
 * (which may be a staged one that is not in force yet: compare with `runtimes()`).
 */
export interface FeedManagerDeps extends RefreshDeps {
  readonly metrics: FeedMetrics;
  readonly onResult: (result: RefreshResult, runtime: FeedRuntime) => void;
}

/** Retry interval of a feed that has no data at all, ms (capped by the refresh interval). */
const NO_DATA_RETRY_MS = 60_000;

/** A staged set of feed runtimes; `added` names runtimes created (not reused) by prepare. */
export interface FeedSet {
  readonly runtimes: ReadonlyMap<string, FeedRuntime>;
  readonly added: ReadonlySet<string>;
}

/** The feed manager. */
export interface FeedManager {
  /**
   * Stages runtimes for `specs`: unchanged feeds are reused, new or changed ones are loaded now. At boot a feed without
   * any data is tolerated for http sources (it stays unavailable and keeps retrying); otherwise prepare throws the
   * feed's error (a file feed at boot, any new feed on reload).
   */
  prepare(specs: readonly FeedSpec[], mode: 'boot' | 'reload'): Promise<FeedSet>;
  /** Puts a staged set in force and (re)schedules refreshes; runtimes left out stop refreshing. */
  commit(set: FeedSet): void;
  /** Refreshes one feed or all of them now; joins a refresh already running. */
  refresh(name?: string): Promise<RefreshResult[]>;
  runtimes(): ReadonlyMap<string, FeedRuntime>;
  status(): FeedStatus[];
  /** Cancels timers; resolves when refreshes in flight have finished (they do not retry). */
  stop(): Promise<void>;
}

function emptyRuntime(spec: FeedSpec): FeedRuntime {
  return { spec, current: undefined, lastSuccessAt: 0, lastError: undefined, lastOutcome: undefined, pending: false, inflight: undefined };
}

/** Creates the manager; nothing runs until prepare/commit. */
export function createFeedManager(deps: FeedManagerDeps): FeedManager {
  return new Manager(deps);
}

class Manager implements FeedManager {
  private active = new Map<string, FeedRuntime>();
  private readonly timers = new Map<string, { cancel(): void }>();
  private stopped = false;

  constructor(private readonly deps: FeedManagerDeps) {}

  async prepare(specs: readonly FeedSpec[], mode: 'boot' | 'reload'): Promise<FeedSet> {
    const runtimes = new Map<string, FeedRuntime>();
    const added = new Set<string>();
    for (const spec of specs) {
      const existing = this.active.get(spec.name);
      if (existing !== undefined && sameSpec(existing.spec, spec)) runtimes.set(spec.name, existing);
      else {
        runtimes.set(spec.name, await this.load(spec, mode));
        added.add(spec.name);
      }
    }
    return { runtimes, added };
  }

  commit(set: FeedSet): void {
    for (const [name, timer] of this.timers) {
      if (set.runtimes.get(name) === this.active.get(name)) continue;
      timer.cancel();
      this.timers.delete(name);
    }
    const previous = this.active;
    this.active = new Map(set.runtimes);
    for (const rt of this.active.values()) {
      if (previous.get(rt.spec.name) === rt) continue;
      const neverTried = rt.lastSuccessAt === 0 && rt.lastError === undefined;
      this.schedule(rt, neverTried ? 0 : undefined);
    }
  }

  refresh(name?: string): Promise<RefreshResult[]> {
    const chosen = name === undefined ? [...this.active.values()] : [this.active.get(name)].filter((r): r is FeedRuntime => r !== undefined);
    return Promise.all(chosen.map((rt) => this.run(rt)));
  }

  runtimes(): ReadonlyMap<string, FeedRuntime> {
    return this.active;
  }

  status(): FeedStatus[] {
    return [...this.active.values()].map((rt) => statusOf(rt, this.deps));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
    await Promise.allSettled([...this.active.values()].map((rt) => rt.inflight));
  }

  private report(result: RefreshResult, rt: FeedRuntime): void {
    this.deps.metrics.refreshed(result.feed, result.outcome, result.seconds);
    if (result.code !== undefined) this.deps.metrics.failed(result.feed, result.code);
    if (result.headerChange !== undefined) {
      this.deps.metrics.headerChanged(result.feed);
      const { added, removed } = result.headerChange;
      this.deps.log.warn({ feed: result.feed, added, removed, outcome: result.outcome }, 'feed header set changed');
    }
    logResult(this.deps, result);
    this.deps.onResult(result, rt);
  }

  /** Runs a refresh of `rt`, or joins the one running. */
  private run(rt: FeedRuntime, retries?: number): Promise<RefreshResult> {
    rt.inflight ??= refreshFeed(rt, this.deps, retries).then((result) => {
      rt.inflight = undefined;
      this.report(result, rt);
      return result;
    });
    return rt.inflight;
  }

  private schedule(rt: FeedRuntime, delayMs?: number): void {
    this.timers.get(rt.spec.name)?.cancel();
    if (this.stopped) return;
    const { refreshMs, jitterFraction } = this.deps.settings();
    const interval = rt.current === undefined ? Math.min(refreshMs, NO_DATA_RETRY_MS) : refreshMs;
    const ms = delayMs ?? Math.round(interval * (1 + this.deps.random() * jitterFraction));
    this.timers.set(rt.spec.name, this.deps.timers.setTimeout(() => {
      if (this.active.get(rt.spec.name) !== rt) return;
      void this.run(rt).then(() => this.schedule(rt));
    }, ms));
  }

  /** A new runtime for `spec`: state dir, then seed, then (file feeds, or http ones still without data) a refresh. */
  private async load(spec: FeedSpec, mode: 'boot' | 'reload'): Promise<FeedRuntime> {
    const rt = emptyRuntime(spec);
    await loadStored(rt, this.deps);
    if (rt.current === undefined && spec.seedPath !== undefined) await loadSeed(rt, this.deps, spec.seedPath);
    if (spec.source.kind === 'http' && rt.current !== undefined) return rt;
    const result = await this.run(rt, 0);
    if (rt.current === undefined && (mode === 'reload' || spec.source.kind === 'file')) {
      throw result.error === undefined ? new FeedError('ERR_FEED_INTERNAL', `${spec.name}: no data`) : atConfigKey(result.error, spec.origin);
    }
    return rt;
  }
}

async function loadStored(rt: FeedRuntime, deps: FeedManagerDeps): Promise<void> {
  const { name } = rt.spec;
  try {
    rt.pending = (await deps.store.readPendingMeta(name))?.accepted === false;
    const stored = await deps.store.readCurrent(name);
    if (stored === undefined) return;
    const data = await deps.parser.parse(rt.spec, stored.bytes, { source: stored.meta.source, loadedAt: stored.meta.fetchedAt });
    rt.current = { data, meta: stored.meta };
    deps.log.info({ feed: name, rows: rowsOf(data), fetchedAt: new Date(stored.meta.fetchedAt).toISOString(), sha256: stored.meta.sha256 }, 'feed last good snapshot loaded');
  } catch (err) {
    logFailure(deps, 'error', { feed: name, code: feedErrorCode(err) }, err, 'feed last good snapshot unusable');
  }
}

async function loadSeed(rt: FeedRuntime, deps: FeedManagerDeps, path: string): Promise<void> {
  try {
    const body = await deps.fetcher.fetch({ kind: 'file', path }, {}, deps.settings().timeoutMs);
    if (body.kind !== 'body') return;
    const at = body.modifiedAt ?? deps.clock.now();
    const data = await deps.parser.parse(rt.spec, body.bytes, { source: path, loadedAt: at });
    const snapshotId = data.kind === 'rmd' ? data.snapshot.id : undefined;
    const headers = data.kind === 'rmd' ? data.headers : undefined;
    rt.current = { data, meta: { feed: rt.spec.name, source: path, fetchedAt: at, verifiedAt: at, sha256: body.sha256, rows: rowsOf(data), headers, snapshotId, ...readerMeta(data, undefined) } };
    deps.log.info({ feed: rt.spec.name, seed: path, rows: rowsOf(data) }, 'feed seed loaded');
  } catch (err) {
    logFailure(deps, 'warn', { feed: rt.spec.name, seed: path, code: feedErrorCode(err) }, err, 'feed seed unusable');
  }
}

function statusOf(rt: FeedRuntime, deps: FeedManagerDeps): FeedStatus {
  const now = deps.clock.now();
  const current = rt.current;
  const ageSeconds = current === undefined ? Infinity : Math.max(0, (now - current.meta.verifiedAt) / 1000);
  return {
    feed: rt.spec.name,
    hasData: current !== undefined,
    rows: current === undefined ? 0 : rowsOf(current.data),
    snapshotId: current?.meta.snapshotId,
    sha256: current?.meta.sha256,
    ageSeconds,
    maxAgeSeconds: deps.settings().maxAgeMs / 1000,
    stale: ageSeconds * 1000 > deps.settings().maxAgeMs,
    pending: rt.pending,
    lastSuccessAt: rt.lastSuccessAt,
    lastError: rt.lastError,
    lastOutcome: rt.lastOutcome,
    badRows: current?.meta.badRows,
    headerChange: rt.headerChange?.change ?? current?.meta.headerChange,
  };
}

function logResult(deps: FeedManagerDeps, r: RefreshResult): void {
  const base = { feed: r.feed, outcome: r.outcome, seconds: r.seconds };
  if (r.outcome === 'updated') {
    const rows = r.next === undefined ? 0 : rowsOf(r.next.data);
    const previousRows = r.previous === undefined ? undefined : rowsOf(r.previous.data);
    const meta = r.next?.meta;
    deps.log.info({ ...base, rows, previousRows, snapshotId: meta?.snapshotId, sha256: meta?.sha256, source: meta?.source, badRows: meta?.badRows }, 'feed updated');
    if ((meta?.badRows ?? 0) > 0) deps.log.warn({ feed: r.feed, badRows: meta?.badRows, sample: meta?.badRowSample }, 'feed rows skipped');
  } else if (r.outcome === 'not-modified') deps.log.debug(base, 'feed not modified');
  else if (r.outcome === 'refused') logFailure(deps, 'error', { ...base, code: r.code }, r.error, 'feed candidate refused');
  else logFailure(deps, 'warn', { ...base, code: r.code }, r.error, 'feed refresh failed');
}

/** One line with the reason; the stack only for an unexpected error (not a FeedError/DataFileError), at debug level. */
function logFailure(deps: Pick<FeedManagerDeps, 'log'>, level: 'warn' | 'error', fields: Record<string, unknown>, err: unknown, msg: string): void {
  deps.log[level]({ ...fields, reason: err instanceof Error ? err.message : String(err) }, msg);
  if (!(err instanceof FeedError || err instanceof DataFileError)) deps.log.debug({ ...fields, err }, `${msg}: unexpected error`);
}
