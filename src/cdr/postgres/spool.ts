/**
 * The local durable spool of the PostgreSQL sink: append-only JSON-lines segment files under `spoolDir`, each
 * batch written then fdatasync'd before it is acknowledged. Segments are replayed in name (time) order and deleted once shipped.
 */
import { mkdir, open, readdir, readFile, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

/** The spool of one node. */
export interface CdrSpool {
  /** Appends lines (each one CDR envelope) to the active segment and syncs it to disk. */
  append(lines: readonly string[]): Promise<void>;
  /** Bytes in the active segment (0 when none is open). */
  activeBytes(): number;
  /** Path of the active segment, if one is open. */
  activePath(): string | undefined;
  /** Closes the active segment (the next append opens a new one); returns its path, if there was one. */
  rotate(): Promise<string | undefined>;
  /** Closed segments (everything but the active one), oldest first. */
  closedSegments(): Promise<string[]>;
  /** Reads a segment's lines; a torn last line (crash mid-append, never acknowledged) is counted, not returned. */
  readSegment(path: string): Promise<{ lines: string[]; torn: number }>;
  remove(path: string): Promise<void>;
  /** Closes the active segment; deletes it when `discard` (its content is known to be shipped). */
  close(discard: boolean): Promise<void>;
}

const SEGMENT = /^spool-(\d{15})-(\d{6})\.jsonl$/;

/** Segment names: `spool-<ms>-<n>.jsonl`, each after every existing one in name order (replay order). */
function segmentName(stamp: { ms: number; n: number }): string {
  return `spool-${String(stamp.ms).padStart(15, '0')}-${String(stamp.n).padStart(6, '0')}.jsonl`;
}

/** The stamp of the last segment in `dir` (by name), or a zero stamp. */
async function lastStamp(dir: string): Promise<{ ms: number; n: number }> {
  let last = { ms: 0, n: 0 };
  for (const name of await readdir(dir)) {
    const m = SEGMENT.exec(name);
    if (m === null) continue;
    const stamp = { ms: Number(m[1]), n: Number(m[2]) };
    if (stamp.ms > last.ms || (stamp.ms === last.ms && stamp.n > last.n)) last = stamp;
  }
  return last;
}

/** Opens (creating) the spool directory. Existing segments are left for replay. */
export async function openCdrSpool(dir: string): Promise<CdrSpool> {
  await mkdir(dir, { recursive: true });
  let active: { path: string; fh: FileHandle; bytes: number } | undefined;
  let last = await lastStamp(dir);

  /** A new segment named after every existing one (so a new run never appends to, or sorts before, a leftover). */
  async function openActive(): Promise<NonNullable<typeof active>> {
    if (active) return active;
    const now = Date.now();
    last = now > last.ms ? { ms: now, n: 0 } : { ms: last.ms, n: last.n + 1 };
    const path = join(dir, segmentName(last));
    const fh = await open(path, 'ax');
    await syncDir(dir);
    active = { path, fh, bytes: 0 };
    return active;
  }

  async function rotate(): Promise<string | undefined> {
    const a = active;
    active = undefined;
    if (!a) return undefined;
    await a.fh.close();
    return a.path;
  }

  return {
    async append(lines) {
      const a = await openActive();
      const text = lines.join('\n') + '\n';
      try {
        await a.fh.write(text);
        await a.fh.datasync();
        a.bytes += Buffer.byteLength(text);
      } catch (err) {
        // A failed append (e.g. ENOSPC mid-write) leaves no part of its lines behind: they were never acknowledged.
        await a.fh.truncate(a.bytes).catch(() => undefined);
        await rotate().catch(() => undefined);
        throw err;
      }
    },
    activeBytes: () => active?.bytes ?? 0,
    activePath: () => active?.path,
    rotate,
    async closedSegments() {
      const names = (await readdir(dir)).filter((n) => SEGMENT.test(n)).sort();
      return names.map((n) => join(dir, n)).filter((p) => p !== active?.path);
    },
    async readSegment(path) {
      const text = await readFile(path, 'utf8');
      const parts = text.split('\n');
      const tail = parts.pop() ?? '';
      const lines = parts.filter((l) => l.length > 0);
      return { lines, torn: tail.length > 0 ? 1 : 0 };
    },
    remove: (path) => rm(path, { force: true }),
    async close(discard) {
      const path = await rotate();
      if (path && discard) await rm(path, { force: true });
    },
  };
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
