/**
 * Feed bodies in shared memory (SharedArrayBuffer). A worker thread handed such a body reads the same memory: posting
 * a 5 MB RMD export to the parse or hash worker then costs ~0.1 ms on the SIP thread instead of a 2–3 ms structured
 * clone, and the main thread keeps the bytes (no transfer, nothing detached). Nobody writes a body once it is read.
 */
import { open, readFile } from 'node:fs/promises';

/** A zero-filled Buffer over fresh shared memory. */
export function allocShared(size: number): Buffer {
  return Buffer.from(new SharedArrayBuffer(size));
}

/** Whether a worker thread would read these bytes in place (no copy). */
export function isShared(bytes: Uint8Array): boolean {
  return bytes.buffer instanceof SharedArrayBuffer;
}

/** The chunks of a body, concatenated into shared memory. */
export function concatShared(chunks: readonly Uint8Array[], total: number): Buffer {
  const out = allocShared(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return at === total ? out : out.subarray(0, at);
}

/**
 * Reads a file of `size` bytes (from a stat just before) into shared memory. A file that grew in between is read
 * whole the ordinary way (readFile: not shared); one that shrank gives what is there.
 */
export async function readFileShared(path: string, size: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const out = allocShared(size);
    let at = 0;
    while (at < size) {
      const { bytesRead } = await fh.read(out, at, size - at, at);
      if (bytesRead === 0) return out.subarray(0, at);
      at += bytesRead;
    }
    const { bytesRead } = await fh.read(Buffer.alloc(1), 0, 1, size);
    return bytesRead === 0 ? out : await readFile(path);
  } finally {
    await fh.close();
  }
}
