/**
 * The retry backlog of a CDR sink: records whose write failed (disk full, read-only) wait here, oldest first, and are
 * written back in order once writing works again. Bounded in records and bytes: first in memory, then in fsync'd
 * spool segments on another path (the PostgreSQL spool's format); what is over both bounds is refused.
 */
import { access } from 'node:fs/promises';
import { openCdrSpool, type CdrSpool } from './postgres/spool.js';

/** Bounds and place of a backlog. */
export interface BacklogOptions {
  readonly memoryRecords: number;
  readonly memoryBytes: number;
  /** Spool directory of this sink (its own; segments left by an earlier run are written back first). */
  readonly spoolDir: string;
  readonly spoolRecords: number;
  readonly spoolBytes: number;
  /** Records per write when written back (default 1000). */
  readonly chunkRecords?: number;
  /** A spool segment is closed once it holds this many bytes (default 1 MiB): one read back is bounded by it. */
  readonly segmentBytes?: number;
}

/** One held record: its group (the UTC day it is written to) and its line (JSON, no newline). */
export interface HeldRecord {
  readonly key: string;
  readonly line: string;
}

/** What hold() did: the first `kept` records are held, the rest were refused (`cause`). */
export interface HoldResult {
  readonly kept: number;
  readonly cause?: 'backlog-full' | 'write-error';
  readonly error?: string;
}

/** What a write-back round did. `recovered` of `written` came from an earlier run's spool. */
export interface RetryResult {
  readonly written: number;
  readonly recovered: number;
  readonly error?: string;
}

/** Writes one group's lines all or nothing; throws when it cannot. */
export type WriteBack = (key: string, lines: readonly string[]) => void | Promise<void>;

/** The spool line of a held record: `<key> <line>` (keys have no space). */
const toSpoolLine = (r: HeldRecord): string => `${r.key} ${r.line}`;
const fromSpoolLine = (l: string): HeldRecord => {
  const i = l.indexOf(' ');
  return { key: l.slice(0, i), line: l.slice(i + 1) };
};
const sizeOf = (r: HeldRecord): number => Buffer.byteLength(r.line) + r.key.length + 2;

/**
 * Opens a backlog; an earlier run's spool segments are counted (and are the first written back). The spool directory
 * is created only when records first go there.
 */
export async function openBacklog(opts: BacklogOptions): Promise<Backlog> {
  const b = new Backlog(opts);
  if (await access(opts.spoolDir).then(() => true, () => false)) await b.countLeftovers();
  return b;
}

/**
 * FIFO of held records: the spool holds the oldest, memory the newest. A hold goes to memory; when memory is full it
 * is moved to the spool first (in order). Write-back reads the spool's oldest segment, then memory. Not re-entrant:
 * callers serialise hold, retry and close.
 */
export class Backlog {
  private memory: HeldRecord[] = [];
  private memoryBytes = 0;
  private spoolRecords = 0;
  private spoolBytes = 0;
  /** Records of an earlier run still at the front. */
  private leftover = 0;
  /** The spool segment being written back: its records and how many are written. */
  private head: { path: string; records: HeldRecord[]; bytes: number[]; pos: number } | undefined;
  private readonly chunk: number;
  private readonly segmentBytes: number;
  private opened: CdrSpool | undefined;

  constructor(private readonly o: BacklogOptions) {
    this.chunk = o.chunkRecords ?? 1000;
    this.segmentBytes = o.segmentBytes ?? 1024 * 1024;
  }

  /** @internal Counts the records of segments left by an earlier run. */
  async countLeftovers(): Promise<void> {
    const spool = await this.spool();
    for (const path of await spool.closedSegments()) {
      const { lines } = await spool.readSegment(path);
      this.spoolRecords += lines.length;
      for (const l of lines) this.spoolBytes += Buffer.byteLength(l) + 1;
    }
    this.leftover = this.spoolRecords;
  }

  /** Records held (memory and spool). */
  get records(): number {
    return this.memory.length + this.spoolRecords;
  }

  /** Bytes held (memory and spool). */
  get bytes(): number {
    return this.memoryBytes + this.spoolBytes;
  }

  /** Where the held records are, for health details. */
  describe(): string {
    return `${this.records} records (${this.bytes} bytes) held for retry: ${this.memory.length} in memory, ${this.spoolRecords} in ${this.o.spoolDir}`;
  }

  /** Appends records at the tail, in order, while the bounds allow; the rest are refused. */
  async hold(records: readonly HeldRecord[]): Promise<HoldResult> {
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      const size = sizeOf(r);
      if (this.memory.length + 1 > this.o.memoryRecords || this.memoryBytes + size > this.o.memoryBytes) {
        const spilled = await this.spill();
        if (spilled !== undefined) return { kept: i, ...spilled };
        if (size > this.o.memoryBytes) return { kept: i, cause: 'backlog-full', error: `a record of ${size} bytes is over the memory bound` };
      }
      this.memory.push(r);
      this.memoryBytes += size;
    }
    return { kept: records.length };
  }

  /**
   * Writes held records back, oldest first, one group per write, until the backlog is empty, a write fails (it stays
   * held, to be tried again), or `maxRecords` were written.
   */
  async retry(write: WriteBack, maxRecords = Number.POSITIVE_INFINITY): Promise<RetryResult> {
    let written = 0;
    let recovered = 0;
    try {
      while (this.records > 0 && written < maxRecords) {
        const n = await this.writeFront(write);
        const fromEarlier = Math.min(n, this.leftover);
        this.leftover -= fromEarlier;
        recovered += fromEarlier;
        written += n;
      }
      return { written, recovered };
    } catch (err) {
      return { written, recovered, error: err instanceof Error ? err.message : String(err) };
    }
  }

  /** Moves memory to the spool (kept for the next start); returns the records that could not be kept. */
  async close(): Promise<{ lost: number; error?: string }> {
    const failed = this.memory.length > 0 ? await this.spill(true) : undefined;
    const lost = failed === undefined ? 0 : this.memory.length;
    await this.opened?.close(false).catch(() => undefined);
    return failed === undefined ? { lost } : { lost, ...(failed.error === undefined ? {} : { error: failed.error }) };
  }

  /** The spool, opened (its directory created) on first use. */
  private async spool(): Promise<CdrSpool> {
    this.opened ??= await openCdrSpool(this.o.spoolDir);
    return this.opened;
  }

  /** Writes the front group (same key, at most `chunk` records); returns how many. */
  private async writeFront(write: WriteBack): Promise<number> {
    if (this.spoolRecords > 0) {
      const spool = await this.spool();
      const h = await this.loadHead(spool);
      if (h.pos >= h.records.length) {
        if (h.path !== '') await spool.remove(h.path);
        this.head = undefined;
        return 0;
      }
      const n = runLength(h.records, h.pos, this.chunk);
      await write(h.records[h.pos]!.key, h.records.slice(h.pos, h.pos + n).map((r) => r.line));
      for (let i = h.pos; i < h.pos + n; i++) this.spoolBytes -= h.bytes[i]!;
      h.pos += n;
      this.spoolRecords -= n;
      if (h.pos >= h.records.length) {
        await spool.remove(h.path);
        this.head = undefined;
      }
      return n;
    }
    const n = runLength(this.memory, 0, this.chunk);
    await write(this.memory[0]!.key, this.memory.slice(0, n).map((r) => r.line));
    for (const r of this.memory.splice(0, n)) this.memoryBytes -= sizeOf(r);
    return n;
  }

  private async loadHead(spool: CdrSpool): Promise<NonNullable<Backlog['head']>> {
    if (this.head) return this.head;
    let path = (await spool.closedSegments())[0];
    path ??= await spool.rotate();
    if (path === undefined) {
      // The counters say records are spooled but no segment is left (removed by hand): nothing to write back.
      this.spoolRecords = 0;
      this.spoolBytes = 0;
      return { path: '', records: [], bytes: [], pos: 0 };
    }
    const { lines } = await spool.readSegment(path);
    const records = lines.map(fromSpoolLine);
    this.head = { path, records, bytes: lines.map((l) => Buffer.byteLength(l) + 1), pos: 0 };
    return this.head;
  }

  /** Moves all of memory to the spool, in segments of about segmentBytes; a reason when it cannot. */
  private async spill(ignoreBounds = false): Promise<Omit<HoldResult, 'kept'> | undefined> {
    if (!ignoreBounds && (this.spoolRecords + this.memory.length > this.o.spoolRecords || this.spoolBytes + this.memoryBytes > this.o.spoolBytes)) {
      return { cause: 'backlog-full', error: `backlog at its bound (${this.o.memoryRecords} records / ${this.o.memoryBytes} bytes in memory, ${this.o.spoolRecords} / ${this.o.spoolBytes} in the spool)` };
    }
    while (this.memory.length > 0) {
      let n = 0;
      let bytes = 0;
      while (n < this.memory.length && (n === 0 || bytes < this.segmentBytes)) bytes += sizeOf(this.memory[n++]!);
      let spool: CdrSpool;
      try {
        spool = await this.spool();
        await spool.append(this.memory.slice(0, n).map(toSpoolLine));
      } catch (err) {
        return { cause: 'write-error', error: `backlog spool write failed: ${err instanceof Error ? err.message : String(err)}` };
      }
      this.memory.splice(0, n);
      this.memoryBytes -= bytes;
      this.spoolRecords += n;
      this.spoolBytes += bytes;
      if (spool.activeBytes() >= this.segmentBytes) await spool.rotate().catch(() => undefined);
    }
    return undefined;
  }
}

/** Records from `from` with the key of the first, at most `max`. */
function runLength(records: readonly HeldRecord[], from: number, max: number): number {
  const key = records[from]!.key;
  let n = 1;
  while (n < max && from + n < records.length && records[from + n]!.key === key) n++;
  return n;
}
