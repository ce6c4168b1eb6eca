/**
 * Loads a config's data once from local files, the way the feed system reads them: the feed plan names each feed's
 * local file (its source path, or the seed path of an http feed), the same fetcher reads it, the same parser code
 * parses it and the same composition compiles the world. `rmdgate check`, `whatif` and `traceback` load data here;
 * `serve` boots the feed system, whose first load reads the same files through the same functions.
 */
import type { LoadedConfig } from '../config/index.js';
import type { BlocklistEntry, ListKind, RmdSnapshot, ScreeningWorld } from '../screening/index.js';
import { DataFileError } from './errors.js';
import { createFeedFetcher } from './fetch/fetcher.js';
import { parseFeed } from './parse.js';
import { listFormatOf, toPreparedConfig } from './plan.js';
import { RMD_FEED, type FeedData, type FeedSpec } from './ports.js';
import { composeWorld, summariseWorld, type FeedWorldSummary } from './world.js';

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
 * Reads and parses one feed from a local file as the feed system does.
 * @throws DataFileError (unreadable file, bad rows), or FeedError (too large, markup, cut short).
 */
export async function loadFeedFile(spec: FeedSpec, path: string, now: number, maxBytes: number): Promise<FeedData> {
  const fetched = await createFeedFetcher({ userAgent: 'rmdgate', maxBytes }).fetch({ kind: 'file', path }, {}, 0);
  if (fetched.kind !== 'body') throw new DataFileError('ERR_DATA_READ', `${path}: cannot read data file`, { file: path });
  return parseFeed(spec, fetched.bytes, { source: path, loadedAt: now, maxBytes });
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

/**
 * Loads every feed of a config from its local file and compiles the world (no grace, no second opinion: those live
 * in a running gate). `rmdPath` replaces the RMD file (what-if against a candidate snapshot).
 * @throws DataFileError or FeedError naming the file.
 */
export async function loadWorldOnce(loaded: LoadedConfig, opts: { readonly now: number; readonly rmdPath?: string | undefined }): Promise<LoadedWorld> {
  const prepared = toPreparedConfig(loaded.config, loaded.version, loaded.resolvePath);
  const { maxBytes } = prepared.plan.settings;
  const data = await Promise.all(prepared.plan.specs.map((spec) => loadFeedFile(spec, spec.kind === 'rmd' && opts.rmdPath !== undefined ? opts.rmdPath : localPath(spec), opts.now, maxBytes)));
  const rmd = data.find((d) => d.kind === 'rmd');
  if (rmd?.kind !== 'rmd') throw new Error('the feed plan has no RMD feed');
  const blocklists = data.flatMap((d) => (d.kind === 'list' ? d.entries : []));
  const dno = data.flatMap((d) => (d.kind === 'dno' ? [d.list] : []));
  const allocation = data.find((d) => d.kind === 'allocation');
  const world = composeWorld(prepared.part, {
    rmd: rmd.snapshot, rmdWithheld: false, blocklists, rmdGrace: new Set(), extraFilings: [], dno, allocation: allocation?.kind === 'allocation' ? allocation.table : undefined,
  });
  const listEntries = Object.fromEntries(prepared.plan.specs.flatMap((s, i) => (s.kind === 'list' ? [[s.name, data[i]?.kind === 'list' ? data[i].entries.length : 0]] : [])));
  return { world, rmd: rmd.snapshot, summary: summariseWorld(world, prepared.part, listEntries) };
}
