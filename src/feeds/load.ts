/**
 * Loads a config's data once from local files, the way the feed system reads them: the feed plan names each feed's
 * local file (its source path, or the seed path of an http feed), the same fetcher reads it, the same parser code
 * parses it and the same composition compiles the world. `rmdgate check`, `whatif` and `traceback` load data here;
 * `serve` boots the feed system, whose first load reads the same files through the same functions.
 */
import { join } from 'node:path';
import type { LoadedConfig } from '../config/index.js';
import type { BlocklistEntry, ListKind, Provider, RmdSnapshot, ScreeningWorld } from '../screening/index.js';
import { DataFileError, atConfigKey, dataFileErrorFrom } from './errors.js';
import { createFeedFetcher } from './fetch/fetcher.js';
import { toRmdGrace, updateGrace } from './grace.js';
import { parseFeed } from './parse.js';
import { tooManyBadRows } from './refresh.js';
import { listFormatOf, toPreparedConfig } from './plan.js';
import { RMD_FEED, type FeedData, type FeedSpec, type GraceState } from './ports.js';
import { filingOf } from './rmd/diff.js';
import { createFeedStore } from './state-dir.js';
import { composeWorld, referencedProviders, summariseWorld, type FeedWorldSummary } from './world.js';

/** A config's world compiled from its local data files. */
export interface LoadedWorld {
  readonly world: ScreeningWorld;
  readonly rmd: RmdSnapshot;
  readonly summary: FeedWorldSummary;
}

/** The local file a feed is loaded from without the network: its path, or the first-boot seed of an http feed. */
function localPath(spec: FeedSpec): string {
  if (spec.source.kind === 'file') return spec.source.path;
  return spec.seedPath ?? spec.source.url;
}

/**
 * Reads and parses one feed from a local file as the feed system does, with its bad-row guard (too many bad RMD rows
 * is a DataFileError ERR_DATA_ROW here, listing the sample: the CLI reports bad data files as usage errors).
 * @throws DataFileError (unreadable file, bad list entries, too many bad RMD rows), or FeedError (too large, markup, cut short).
 */
export async function loadFeedFile(spec: FeedSpec, path: string, now: number, maxBytes: number, onProgress?: (rows: number, estimatedRows: number) => void): Promise<FeedData> {
  let fetched;
  try {
    fetched = await createFeedFetcher({ userAgent: 'rmdgate', maxBytes }).fetch({ kind: 'file', path }, {}, 0);
  } catch (err) {
    throw path === localPath(spec) ? atConfigKey(err, spec.origin) : err;
  }
  if (fetched.kind !== 'body') throw new DataFileError('ERR_DATA_READ', `${path}: cannot read data file`, { file: path });
  const data = parseFeed(spec, fetched.bytes, { source: path, loadedAt: now, maxBytes, onProgress });
  const tooMany = tooManyBadRows(spec, data);
  if (tooMany !== undefined && data.kind === 'rmd') {
    const sample = data.report?.badRowSample ?? [];
    throw dataFileErrorFrom('ERR_DATA_ROW', path, tooMany, sample.length > 0 ? sample : [{ file: path, message: tooMany }]);
  }
  return data;
}

/** Largest file read by the one-shot loaders below when no config gives `feeds.maxBytes`. */
const DEFAULT_MAX_BYTES = 2 ** 31;

/** Reads an RMD CSV export (gzip tolerated); `path` becomes the snapshot source. */
export async function loadRmdFile(path: string, now: number, maxBytes = DEFAULT_MAX_BYTES): Promise<RmdSnapshot> {
  const spec: FeedSpec = { name: RMD_FEED, kind: 'rmd', source: { kind: 'file', path }, format: 'csv', maxShrinkFraction: 1 };
  const data = await loadFeedFile(spec, path, now, maxBytes);
  if (data.kind !== 'rmd') throw new Error('not an RMD snapshot');
  return data.snapshot;
}

/** Reads a blocklist; the format follows the extension (`.yaml`, `.yml`, `.csv`). */
export async function loadListFile(path: string, name: string, kind?: ListKind, maxBytes = DEFAULT_MAX_BYTES): Promise<BlocklistEntry[]> {
  const format = listFormatOf(path);
  if (format === undefined) throw new DataFileError('ERR_DATA_READ', `${path}: unsupported blocklist file type (use .yaml, .yml or .csv)`, { file: path });
  const spec: FeedSpec = { name, kind: 'list', source: { kind: 'file', path }, format, listKind: kind, maxShrinkFraction: 1 };
  const data = await loadFeedFile(spec, path, 0, maxBytes);
  if (data.kind !== 'list') throw new Error('not a blocklist');
  return [...data.entries];
}

/** Options of {@link loadWorldOnce}. */
export interface LoadWorldOptions {
  /** The report's "now", epoch ms. */
  readonly now: number;
  /** Replaces the RMD file (what-if against a candidate snapshot). */
  readonly rmdPath?: string | undefined;
  /**
   * How the removal grace persisted in the state dir by a running gate applies. `now` (default, `check`): the clocks
   * running at `now`. `replay` (`whatif`, calls at past times): every clock, each call is tested against its end;
   * with `rmdPath`, a provider the config's RMD file lists and the candidate drops gets a clock starting at `now`, as
   * the live gate starts one when that snapshot arrives.
   */
  readonly grace?: 'now' | 'replay' | undefined;
  /** Called with the number of RMD rows read so far (progress on a terminal). */
  readonly onProgress?: ((rmdRows: number, estimatedRows: number) => void) | undefined;
}

/**
 * Loads every feed of a config from its local file and compiles the world with the removal grace of the state dir
 * (no second opinion: that lives in a running gate).
 * @throws DataFileError or FeedError naming the file.
 */
export async function loadWorldOnce(loaded: LoadedConfig, opts: LoadWorldOptions): Promise<LoadedWorld> {
  const prepared = toPreparedConfig(loaded.config, loaded.version, loaded.resolvePath);
  const { maxBytes, removalGraceMs } = prepared.plan.settings;
  const data = await Promise.all(prepared.plan.specs.map((spec) => loadFeedFile(spec, spec.kind === 'rmd' && opts.rmdPath !== undefined ? opts.rmdPath : localPath(spec), opts.now, maxBytes, spec.kind === 'rmd' ? opts.onProgress : undefined)));
  const rmd = data.find((d) => d.kind === 'rmd');
  if (rmd?.kind !== 'rmd') throw new Error('the feed plan has no RMD feed');
  let grace = removalGraceMs > 0 ? await readGraceOf(prepared.plan.stateDir) : {};
  const rmdSpec = prepared.plan.specs.find((s) => s.kind === 'rmd');
  if (opts.grace === 'replay' && opts.rmdPath !== undefined && removalGraceMs > 0 && rmdSpec !== undefined) {
    const base = await loadFeedFile(rmdSpec, localPath(rmdSpec), opts.now, maxBytes);
    if (base.kind === 'rmd') grace = candidateGrace(grace, base.snapshot, rmd.snapshot, referencedProviders(prepared.part), opts.now);
  }
  const rmdGrace = toRmdGrace(grace, removalGraceMs, opts.grace === 'replay' ? undefined : opts.now);
  const blocklists = data.flatMap((d) => (d.kind === 'list' ? d.entries : []));
  const dno = data.flatMap((d) => (d.kind === 'dno' ? [d.list] : []));
  const allocation = data.find((d) => d.kind === 'allocation');
  const world = composeWorld(prepared.part, {
    rmd: rmd.snapshot, rmdWithheld: false, blocklists, rmdGrace, extraFilings: [], dno, allocation: allocation?.kind === 'allocation' ? allocation.table : undefined,
  });
  const listEntries = Object.fromEntries(prepared.plan.specs.flatMap((s, i) => (s.kind === 'list' ? [[s.name, data[i]?.kind === 'list' ? data[i].entries.length : 0]] : [])));
  return { world, rmd: rmd.snapshot, summary: summariseWorld(world, prepared.part, listEntries, opts.now) };
}

/** The removal grace a running gate persisted in `stateDir` ({} when none); an unreadable file is a DataFileError naming it. */
async function readGraceOf(stateDir: string): Promise<GraceState> {
  try {
    return await createFeedStore(stateDir).readGrace();
  } catch (err) {
    const file = join(stateDir, 'grace.json');
    throw new DataFileError('ERR_DATA_READ', `${file}: cannot read the removal grace state: ${(err as Error).message.replace(`${file}: `, '')}`, { file, cause: err });
  }
}

/** The grace state after the candidate snapshot replaces the base one at `now` (what the live gate would record). */
function candidateGrace(grace: GraceState, base: RmdSnapshot, candidate: RmdSnapshot, providers: readonly Provider[], now: number): GraceState {
  const missing = new Set(providers.filter((p) => filingOf(p, candidate) === undefined).map((p) => p.id));
  const removedFilings = providers.flatMap((p) => {
    const before = filingOf(p, base);
    return before !== undefined && missing.has(p.id) ? [[p.id, before.rmdNumber] as const] : [];
  });
  const configured = new Set(providers.map((p) => p.id));
  return updateGrace(grace, { removed: removedFilings.map(([id]) => id), missing, configured, rmdNumbers: new Map(removedFilings) }, now);
}
