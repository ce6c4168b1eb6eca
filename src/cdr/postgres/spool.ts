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

const SEGMENT = /^spool-\d{15}-\d{6}\.jsonl$/;

/** Opens (creating) the spool directory. Existing segments are left for replay. */
export async function openCdrSpool(dir: string): Promise<CdrSpool> {
  await mkdir(dir, { recursive: true });
  let active: { path: string; fh: FileHandle; bytes: number } | undefined;
  let counter = 0;

  async function openActive(): Promise<NonNullable<typeof active>> {
    if (active) return active;
    const name = `spool-${String(Date.now()).padStart(15, '0')}-${String(counter++ % 1_000_000).padStart(6, '0')}.jsonl`;
    const path = join(dir, name);
    const fh = await open(path, 'a');
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
