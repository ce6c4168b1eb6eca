/**
 * One refresh of one feed: promote an operator-accepted candidate, or fetch (conditional, retried with backoff),
 * parse, validate against the last good snapshot (schema drift, shrink) and put the result in force and on disk.
 * Failures leave the last good data in force; refused drift/shrink candidates are kept as pending.
 */
import type { Clock, Logger } from '../screening/index.js';
import { FeedError, feedErrorCode, isRetryable, type FeedErrorCode } from './errors.js';
import type { FeedData, FeedFetcher, FeedParser, FeedSettings, FeedSpec, FeedStore, FetchOutcome, PendingMeta, RefreshOutcome, SnapshotMeta, Timers } from './ports.js';

/** The data a feed has in force and its meta. */
export interface InForce {
  readonly data: FeedData;
  readonly meta: SnapshotMeta;
}

/** Mutable per-feed state owned by the feed manager. */
export interface FeedRuntime {
  readonly spec: FeedSpec;
  current: InForce | undefined;
  lastSuccessAt: number;
  lastError: FeedErrorCode | undefined;
  /** How the last refresh ended (undefined before the first). */
  lastOutcome: RefreshOutcome | undefined;
  pending: boolean;
  inflight: Promise<RefreshResult> | undefined;
}

/** How a refresh ended; `previous`/`next` are set when new data went into force. */
export interface RefreshResult {
  readonly feed: string;
  readonly outcome: RefreshOutcome;
  readonly code?: FeedErrorCode | undefined;
  readonly error?: unknown;
  readonly previous?: InForce | undefined;
  readonly next?: InForce | undefined;
  readonly seconds: number;
}

/** The adapters every feed component works through (fetch, parse, persist, time, log). */
export interface FeedCollaborators {
  readonly fetcher: FeedFetcher;
  readonly parser: FeedParser;
  readonly store: FeedStore;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly random: () => number;
  readonly log: Logger;
}

/** Collaborators of a refresh. */
export interface RefreshDeps extends FeedCollaborators {
  readonly settings: () => FeedSettings;
  readonly stopped: () => boolean;
}

type Body = Extract<FetchOutcome, { kind: 'body' }>;

/** Errors raised while fetching (outcome `error`); anything raised later concerns the candidate (outcome `refused`). */
const fetchFailures = new WeakSet<object>();
const NOT_THE_CANDIDATE: ReadonlySet<FeedErrorCode> = new Set(['ERR_FEED_STORE', 'ERR_FEED_INTERNAL', 'ERR_FEED_TIMEOUT']);

/** Row count of parsed data. */
export function rowsOf(data: FeedData): number {
  switch (data.kind) {
    case 'rmd': return data.snapshot.rows;
    case 'list': return data.entries.length;
    case 'dno': return data.list.numbers + data.list.prefixes;
    case 'allocation': return data.table.rows;
  }
}

function normaliseHeader(h: string): string {
  return h.trim().toLowerCase().replace(/[\s_]+/g, ' ');
}

/** The drift or shrink problem of a candidate vs the last good data, if any. */
export function validateCandidate(spec: FeedSpec, last: InForce | undefined, data: FeedData): FeedError | undefined {
  if (last === undefined) return undefined;
  if (data.kind === 'rmd' && last.meta.headers !== undefined) {
    const now = new Set(data.headers.map(normaliseHeader));
    const gone = last.meta.headers.filter((h) => !now.has(normaliseHeader(h)));
    if (gone.length > 0) {
      const added = data.headers.filter((h) => !last.meta.headers?.some((o) => normaliseHeader(o) === normaliseHeader(h)));
      return new FeedError('ERR_FEED_DRIFT', `${spec.name}: column(s) dropped or renamed since the last good snapshot: ${gone.join(', ')}${added.length > 0 ? `; new column(s): ${added.join(', ')}` : ''}`);
    }
  }
  const before = last.meta.rows;
  const after = rowsOf(data);
  if (before > 0 && after < before * (1 - spec.maxShrinkFraction)) {
    const pct = Math.round((1 - after / before) * 100);
    return new FeedError('ERR_FEED_SHRINK', `${spec.name}: snapshot shrank by ${pct}% (${before} → ${after} rows; limit ${Math.round(spec.maxShrinkFraction * 100)}%)`);
  }
  return undefined;
}

function sourceText(spec: FeedSpec): string {
  return spec.source.kind === 'file' ? spec.source.path : spec.source.url;
}

function delay(deps: RefreshDeps, ms: number): Promise<void> {
  return new Promise((resolve) => deps.timers.setTimeout(resolve, ms));
}

async function fetchWithRetries(rt: FeedRuntime, deps: RefreshDeps, retries: number): Promise<FetchOutcome> {
  const { settings, log } = deps;
  const cond = { etag: rt.current?.meta.etag, lastModified: rt.current?.meta.lastModified };
  for (let attempt = 0; ; attempt++) {
    try {
      return await deps.fetcher.fetch(rt.spec.source, cond, settings().timeoutMs);
    } catch (err) {
      if (!isRetryable(err) || attempt >= retries || deps.stopped()) {
        if (typeof err === 'object' && err !== null) fetchFailures.add(err);
        throw err;
      }
      const waitMs = Math.round(settings().retryBackoffMs * 2 ** attempt * (1 + deps.random() / 2));
      log.warn({ feed: rt.spec.name, code: feedErrorCode(err), attempt: attempt + 1, retryInMs: waitMs, err }, 'feed fetch failed');
      await delay(deps, waitMs);
    }
  }
}

async function persist(rt: FeedRuntime, deps: RefreshDeps, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (err) {
    deps.log.error({ feed: rt.spec.name, code: 'ERR_FEED_STORE', err }, 'feed state not written');
  }
}

function putInForce(rt: FeedRuntime, next: InForce): InForce | undefined {
  const previous = rt.current;
  rt.current = next;
  rt.lastError = undefined;
  return previous;
}

/** Promotes a pending candidate the operator accepted (`rmdgate feed accept`); undefined when there is none. */
async function promoteAccepted(rt: FeedRuntime, deps: RefreshDeps): Promise<Omit<RefreshResult, 'seconds'> | undefined> {
  const pendingMeta = await deps.store.readPendingMeta(rt.spec.name);
  rt.pending = pendingMeta !== undefined && !pendingMeta.accepted;
  if (pendingMeta === undefined || !pendingMeta.accepted) return undefined;
  const pending = await deps.store.readPending(rt.spec.name);
  if (pending === undefined) return undefined;
  const now = deps.clock.now();
  const data = await deps.parser.parse(rt.spec, pending.bytes, { source: pending.meta.source, loadedAt: now });
  const { refusedAt: _r, code: _c, reason: _w, accepted: _a, acceptedAt: _t, ...meta } = pending.meta;
  const next: InForce = { data, meta: { ...meta, verifiedAt: now, snapshotId: data.kind === 'rmd' ? data.snapshot.id : undefined } };
  await persist(rt, deps, async () => {
    await deps.store.writeCurrent(rt.spec.name, { meta: next.meta, bytes: pending.bytes });
    await deps.store.clearPending(rt.spec.name);
  });
  rt.pending = false;
  deps.log.info({ feed: rt.spec.name, sha256: meta.sha256, rows: meta.rows, acceptedAt: pending.meta.acceptedAt }, 'feed candidate accepted');
  return { feed: rt.spec.name, outcome: 'updated', previous: putInForce(rt, next), next };
}

/** A broken accepted candidate is dropped (logged) so it cannot block refreshes. */
async function promoteAcceptedSafely(rt: FeedRuntime, deps: RefreshDeps): Promise<Omit<RefreshResult, 'seconds'> | undefined> {
  try {
    return await promoteAccepted(rt, deps);
  } catch (err) {
    deps.log.error({ feed: rt.spec.name, code: feedErrorCode(err), err }, 'feed candidate dropped');
    await persist(rt, deps, () => deps.store.clearPending(rt.spec.name));
    rt.pending = false;
    return undefined;
  }
}

async function confirmUnchanged(rt: FeedRuntime, deps: RefreshDeps, body?: Body): Promise<Omit<RefreshResult, 'seconds'>> {
  const current = rt.current;
  if (current !== undefined) {
    const meta = { ...current.meta, verifiedAt: deps.clock.now(), ...(body ? { etag: body.etag, lastModified: body.lastModified } : {}) };
    rt.current = { data: current.data, meta };
    await persist(rt, deps, () => deps.store.writeCurrentMeta(rt.spec.name, meta));
  }
  return { feed: rt.spec.name, outcome: 'not-modified' };
}

async function refuse(rt: FeedRuntime, deps: RefreshDeps, problem: FeedError, body: Body, meta: SnapshotMeta): Promise<boolean> {
  const pending = await deps.store.readPendingMeta(rt.spec.name);
  if (pending?.sha256 === body.sha256 && pending.accepted) return false;
  if (pending?.sha256 !== body.sha256) {
    const pendingMeta: PendingMeta = { ...meta, refusedAt: deps.clock.now(), code: problem.code, reason: problem.message, accepted: false };
    await persist(rt, deps, () => deps.store.writePending(rt.spec.name, { meta: pendingMeta, bytes: body.bytes }));
  }
  rt.pending = true;
  return true;
}

async function fetchAndApply(rt: FeedRuntime, deps: RefreshDeps, retries: number): Promise<Omit<RefreshResult, 'seconds'>> {
  const fetched = await fetchWithRetries(rt, deps, retries);
  if (fetched.kind === 'not-modified') return confirmUnchanged(rt, deps);
  const body: Body = fetched;
  if (rt.current?.meta.sha256 === body.sha256) return confirmUnchanged(rt, deps, body);
  const now = deps.clock.now();
  const source = sourceText(rt.spec);
  const data = await deps.parser.parse(rt.spec, body.bytes, { source, loadedAt: now, contentType: body.contentType });
  const meta: SnapshotMeta = {
    feed: rt.spec.name, source, fetchedAt: now, verifiedAt: now, etag: body.etag, lastModified: body.lastModified, sha256: body.sha256,
    rows: rowsOf(data), headers: data.kind === 'rmd' ? data.headers : undefined, snapshotId: data.kind === 'rmd' ? data.snapshot.id : undefined,
  };
  const problem = validateCandidate(rt.spec, rt.current, data);
  if (problem !== undefined && (await refuse(rt, deps, problem, body, meta))) throw problem;
  const next: InForce = { data, meta };
  await persist(rt, deps, async () => {
    await deps.store.writeCurrent(rt.spec.name, { meta, bytes: body.bytes });
    if (rt.pending || problem !== undefined) await deps.store.clearPending(rt.spec.name);
  });
  rt.pending = false;
  return { feed: rt.spec.name, outcome: 'updated', previous: putInForce(rt, next), next };
}

/** Runs one refresh; never throws. `retries` overrides the configured retry count (boot uses 0). */
export async function refreshFeed(rt: FeedRuntime, deps: RefreshDeps, retries = deps.settings().retries): Promise<RefreshResult> {
  const started = deps.clock.monotonicMs();
  const seconds = (): number => (deps.clock.monotonicMs() - started) / 1000;
  try {
    const result = (await promoteAcceptedSafely(rt, deps)) ?? (await fetchAndApply(rt, deps, retries));
    rt.lastSuccessAt = deps.clock.now();
    rt.lastOutcome = result.outcome;
    return { ...result, seconds: seconds() };
  } catch (err) {
    const code = feedErrorCode(err);
    rt.lastError = code;
    const outcome: RefreshOutcome = NOT_THE_CANDIDATE.has(code) || (typeof err === 'object' && err !== null && fetchFailures.has(err)) ? 'error' : 'refused';
    rt.lastOutcome = outcome;
    return { feed: rt.spec.name, outcome, code, error: err, seconds: seconds() };
  }
}
