/**
 * The feeds state dir: per feed the last good raw bytes + JSON meta (`<feed>/current.raw|json`) and a refused candidate
 * awaiting `rmdgate feed accept` (`pending.raw|json`); the removal grace state (`grace.json`); RMD diff reports
 * (`rmd/diffs/*.json|md`). Writes are atomic (temp file + rename); a raw file whose hash disagrees with its meta is refused.
 */
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FeedError } from './errors.js';
import type { FeedStore, GraceClock, GraceState, PendingMeta, SnapshotMeta, Stored } from './ports.js';
import { sha256Hex } from './fetch/body-hasher.js';

/** Diff report pairs kept in `rmd/diffs` (older ones are deleted). */
export const REPORTS_KEPT = 50;

let tmpSeq = 0;

async function writeAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}-${++tmpSeq}`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}

async function readOptional(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new FeedError('ERR_FEED_STORE', `${file}: cannot read: ${(err as Error).message}`, { cause: err });
  }
}

function isMeta(v: unknown): v is SnapshotMeta {
  const m = v as Partial<SnapshotMeta> | null;
  return typeof m === 'object' && m !== null && typeof m.feed === 'string' && typeof m.sha256 === 'string' && typeof m.fetchedAt === 'number' && typeof m.verifiedAt === 'number' && typeof m.rows === 'number';
}

async function readMeta<M extends SnapshotMeta>(dir: string, base: 'current' | 'pending'): Promise<M | undefined> {
  const file = join(dir, `${base}.json`);
  const metaBytes = await readOptional(file);
  if (metaBytes === undefined) return undefined;
  let meta: unknown;
  try {
    meta = JSON.parse(metaBytes.toString('utf8'));
  } catch (err) {
    throw new FeedError('ERR_FEED_STORE', `${file}: not JSON`, { cause: err });
  }
  if (!isMeta(meta)) throw new FeedError('ERR_FEED_STORE', `${file}: not a snapshot meta`);
  return meta as M;
}

async function readPair<M extends SnapshotMeta>(dir: string, base: 'current' | 'pending'): Promise<Stored<M> | undefined> {
  const meta = await readMeta<M>(dir, base);
  if (meta === undefined) return undefined;
  const raw = join(dir, `${base}.raw`);
  const bytes = await readOptional(raw);
  if (bytes === undefined) throw new FeedError('ERR_FEED_STORE', `${raw}: missing`);
  if ((await sha256Hex(bytes)) !== meta.sha256) throw new FeedError('ERR_FEED_STORE', `${raw}: content does not match its meta (sha256)`);
  return { meta, bytes };
}

async function writePair(dir: string, base: 'current' | 'pending', s: Stored<SnapshotMeta>): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeAtomic(join(dir, `${base}.raw`), s.bytes);
  await writeAtomic(join(dir, `${base}.json`), `${JSON.stringify(s.meta, null, 2)}\n`);
}

/**
 * Marks the pending candidate of `feed` as accepted (what `rmdgate feed accept` does); the running process promotes
 * it on its next refresh or reload. Returns the updated meta, or undefined when nothing is pending.
 */
export async function acceptPending(stateDir: string, feed: string, at: number): Promise<PendingMeta | undefined> {
  const dir = join(stateDir, feed);
  const pending = await readPair<PendingMeta>(dir, 'pending');
  if (pending === undefined) return undefined;
  const meta: PendingMeta = { ...pending.meta, accepted: true, acceptedAt: at };
  await writeAtomic(join(dir, 'pending.json'), `${JSON.stringify(meta, null, 2)}\n`);
  return meta;
}

/** A stored grace clock: `{ since, rmdNumber? }`, or a bare epoch-ms number as written by earlier versions. */
function toGraceClock(v: unknown): GraceClock | undefined {
  if (typeof v === 'number') return { since: v };
  const c = v as { since?: unknown; rmdNumber?: unknown } | null;
  if (typeof c !== 'object' || c === null || typeof c.since !== 'number') return undefined;
  return typeof c.rmdNumber === 'string' ? { since: c.since, rmdNumber: c.rmdNumber } : { since: c.since };
}

/** Creates the store rooted at `stateDir` (created on first write). */
export function createFeedStore(stateDir: string): FeedStore {
  const feedDir = (feed: string): string => join(stateDir, feed);
  const reportsDir = join(stateDir, 'rmd', 'diffs');
  return {
    readCurrent: (feed) => readPair<SnapshotMeta>(feedDir(feed), 'current'),
    writeCurrent: (feed, s) => writePair(feedDir(feed), 'current', s),
    async writeCurrentMeta(feed, meta) {
      await mkdir(feedDir(feed), { recursive: true });
      await writeAtomic(join(feedDir(feed), 'current.json'), `${JSON.stringify(meta, null, 2)}\n`);
    },
    readPending: (feed) => readPair<PendingMeta>(feedDir(feed), 'pending'),
    readPendingMeta: (feed) => readMeta<PendingMeta>(feedDir(feed), 'pending'),
    writePending: (feed, s) => writePair(feedDir(feed), 'pending', s),
    async clearPending(feed) {
      await rm(join(feedDir(feed), 'pending.json'), { force: true });
      await rm(join(feedDir(feed), 'pending.raw'), { force: true });
    },
    async readGrace(): Promise<GraceState> {
      const file = join(stateDir, 'grace.json');
      const bytes = await readOptional(file);
      if (bytes === undefined) return {};
      let parsed: { providers?: Record<string, unknown> } | null;
      try {
        parsed = JSON.parse(bytes.toString('utf8')) as { providers?: Record<string, unknown> } | null;
      } catch (err) {
        throw new FeedError('ERR_FEED_STORE', `${file}: not JSON`, { cause: err });
      }
      if (parsed === null || typeof parsed !== 'object') throw new FeedError('ERR_FEED_STORE', `${file}: not a grace state`);
      return Object.fromEntries(Object.entries(parsed.providers ?? {}).flatMap(([id, v]) => {
        const clock = toGraceClock(v);
        return clock === undefined ? [] : [[id, clock]];
      }));
    },
    async writeGrace(state) {
      await mkdir(stateDir, { recursive: true });
      await writeAtomic(join(stateDir, 'grace.json'), `${JSON.stringify({ providers: state }, null, 2)}\n`);
    },
    async writeReport(name, json, markdown) {
      await mkdir(reportsDir, { recursive: true });
      await writeAtomic(join(reportsDir, `${name}.md`), markdown);
      await writeAtomic(join(reportsDir, `${name}.json`), json);
      const names = [...new Set((await readdir(reportsDir)).filter((f) => /\.(json|md)$/.test(f)).map((f) => f.replace(/\.(json|md)$/, '')))].sort();
      for (const old of names.slice(0, Math.max(0, names.length - REPORTS_KEPT))) {
        await rm(join(reportsDir, `${old}.json`), { force: true });
        await rm(join(reportsDir, `${old}.md`), { force: true });
      }
      return join(reportsDir, `${name}.json`);
    },
  };
}
