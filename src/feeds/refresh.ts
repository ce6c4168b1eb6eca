/**
 * One refresh of one feed: promote an operator-accepted candidate, or fetch (conditional, retried with backoff),
 * parse, validate (share of bad RMD rows; against the last good snapshot: schema drift, shrink) and put the result in
 * force and on disk. Failures leave the last good data in force; refused candidates are kept as pending.
 * A changed RMD header set is reported with the result (the manager logs and counts it).
 */
import type { Clock, Logger } from '../screening/index.js';
import { FeedError, feedErrorCode, formatDataFileProblem, isRetryable, type FeedErrorCode } from './errors.js';
import { normaliseRmdHeader } from './rmd/csv.js';
import type { FeedData, FeedFetcher, FeedParser, FeedSettings, FeedSpec, FeedStore, FetchOutcome, HeaderChange, PendingMeta, RefreshOutcome, SnapshotMeta, Timers } from './ports.js';

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
  /** The last RMD header-set change seen (in force or refused), and the sha256 of the candidate that showed it. */
  headerChange?: { readonly change: HeaderChange; readonly sha256: string } | undefined;
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
  /** Set when this refresh met a candidate (not seen before) whose RMD header set differs from the last good one. */
  readonly headerChange?: HeaderChange | undefined;
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

/** Default share of bad RMD rows above which a candidate is refused (config `data.rmd.maxBadRowFraction`). */
export const DEFAULT_MAX_BAD_ROW_FRACTION = 0.01;

/** A percentage for messages: one decimal below 10 %. */
function percent(fraction: number): string {
  const p = fraction * 100;
  return `${p < 10 ? Math.round(p * 10) / 10 : Math.round(p)}%`;
}

/**
 * The bad-row guard: an RMD candidate whose skipped bad rows exceed `maxBadRowFraction` of its data rows is refused
 * (ERR_FEED_BAD_ROWS, acceptable like a shrink), whether or not a last good snapshot exists.
 */
export function badRowsProblem(spec: FeedSpec, data: FeedData): FeedError | undefined {
  const summary = tooManyBadRows(spec, data);
  if (summary === undefined || data.kind !== 'rmd') return undefined;
  const sample = (data.report?.badRowSample ?? []).map(formatDataFileProblem).join('; ');
  return new FeedError('ERR_FEED_BAD_ROWS', `${spec.name}: ${summary}: ${sample}`);
}

/** `N of M rows are bad (x%; limit y%)` when an RMD candidate's bad rows exceed the feed's limit, else undefined. */
export function tooManyBadRows(spec: FeedSpec, data: FeedData): string | undefined {
  if (data.kind !== 'rmd' || data.report === undefined) return undefined;
  const { badRows, dataRows } = data.report;
  const limit = spec.maxBadRowFraction ?? DEFAULT_MAX_BAD_ROW_FRACTION;
  if (badRows === 0 || badRows <= dataRows * limit) return undefined;
  return `${badRows} of ${dataRows} rows are bad (${percent(badRows / dataRows)}; limit ${percent(limit)})`;
}

/** The header-set change of an RMD candidate against the last good snapshot, if any (`at` = now). */
export function headerChangeOf(last: InForce | undefined, data: FeedData, at: number): HeaderChange | undefined {
  const before = last?.meta.headers;
  if (data.kind !== 'rmd' || before === undefined) return undefined;
  const now = new Set(data.headers.map(normaliseRmdHeader));
  const old = new Set(before.map(normaliseRmdHeader));
  const removed = before.filter((h) => !now.has(normaliseRmdHeader(h)));
  const added = data.headers.filter((h) => !old.has(normaliseRmdHeader(h)));
  return removed.length === 0 && added.length === 0 ? undefined : { at, added, removed };
}

/** The bad-row, drift or shrink problem of a candidate (drift and shrink vs the last good data), if any. */
export function validateCandidate(spec: FeedSpec, last: InForce | undefined, data: FeedData): FeedError | undefined {
  const bad = badRowsProblem(spec, data);
  if (bad !== undefined || last === undefined) return bad;
  const change = headerChangeOf(last, data, 0);
  if (change !== undefined && change.removed.length > 0) {
    const { removed, added } = change;
    return new FeedError('ERR_FEED_DRIFT', `${spec.name}: column(s) dropped or renamed since the last good snapshot: ${removed.join(', ')}${added.length > 0 ? `; new column(s): ${added.join(', ')}` : ''}`);
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
  const headerChange = headerChangeOf(rt.current, data, now);
  if (headerChange !== undefined && rt.headerChange?.sha256 !== body.sha256) rt.headerChange = { change: headerChange, sha256: body.sha256 };
  const meta: SnapshotMeta = {
    feed: rt.spec.name, source, fetchedAt: now, verifiedAt: now, etag: body.etag, lastModified: body.lastModified, sha256: body.sha256,
    rows: rowsOf(data), headers: data.kind === 'rmd' ? data.headers : undefined, snapshotId: data.kind === 'rmd' ? data.snapshot.id : undefined,
    ...readerMeta(data, headerChange ?? rt.current?.meta.headerChange),
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

/** The RMD reader's findings kept in a snapshot's meta: bad rows (count, sample) and the last header-set change. */
export function readerMeta(data: FeedData, headerChange: HeaderChange | undefined): Pick<SnapshotMeta, 'badRows' | 'badRowSample' | 'headerChange'> {
  if (data.kind !== 'rmd' || data.report === undefined) return {};
  return { badRows: data.report.badRows, badRowSample: data.report.badRowSample, headerChange };
}

/** Runs one refresh; never throws. `retries` overrides the configured retry count (boot uses 0). */
export async function refreshFeed(rt: FeedRuntime, deps: RefreshDeps, retries = deps.settings().retries): Promise<RefreshResult> {
  const started = deps.clock.monotonicMs();
  const seconds = (): number => (deps.clock.monotonicMs() - started) / 1000;
  const seen = rt.headerChange;
  const headerChange = (): HeaderChange | undefined => (rt.headerChange !== seen ? rt.headerChange?.change : undefined);
  try {
    const result = (await promoteAcceptedSafely(rt, deps)) ?? (await fetchAndApply(rt, deps, retries));
    rt.lastSuccessAt = deps.clock.now();
    rt.lastOutcome = result.outcome;
    return { ...result, seconds: seconds(), headerChange: headerChange() };
  } catch (err) {
    const code = feedErrorCode(err);
    rt.lastError = code;
    const outcome: RefreshOutcome = NOT_THE_CANDIDATE.has(code) || (typeof err === 'object' && err !== null && fetchFailures.has(err)) ? 'error' : 'refused';
    rt.lastOutcome = outcome;
    return { feed: rt.spec.name, outcome, code, error: err, seconds: seconds(), headerChange: headerChange() };
  }
}
