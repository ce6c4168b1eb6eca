/**
 * Cuts a torn last record off a JSON-lines file: the bytes after the last newline, left by an append that a crash or
 * a full disk cut short, so the next append starts a line of its own.
 */
import type { FileHandle } from 'node:fs/promises';

/** Bytes read per step when looking for the last newline. */
const TAIL_STEP = 64 * 1024;

/**
 * Truncates a torn last record (bytes after the last newline: an append cut short by a crash or a full disk) so the
 * next append starts a line of its own. Returns the file's size after.
 */
export async function cutTornTail(fh: FileHandle): Promise<number> {
  const { size } = await fh.stat();
  if (size === 0) return 0;
  const buf = Buffer.alloc(Math.min(TAIL_STEP, size));
  for (let end = size; end > 0; ) {
    const start = Math.max(0, end - buf.length);
    const { bytesRead } = await fh.read(buf, 0, end - start, start);
    const nl = buf.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (nl >= 0) {
      const keep = start + nl + 1;
      if (keep < size) await fh.truncate(keep);
      return keep;
    }
    end = start;
  }
  await fh.truncate(0);
  return 0;
}
