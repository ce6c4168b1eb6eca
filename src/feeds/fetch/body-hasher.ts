/**
 * SHA-256 of feed bodies away from the SIP event loop. A 5 MB RMD export costs ~3–4 ms of hashing; done on the main
 * thread (even in 128 KiB slices) it alone added ~0.7 ms to the p99 of the second a refresh ran in at 8,000 calls/s
 * (bench-feed with an unchanged body). A body in shared memory (shared-body.ts) is hashed by a worker thread in place:
 * the main thread neither hashes nor copies.
 *
 * Other bodies, small ones, and everything when the compiled worker is not there (tests run from sources) are hashed
 * inline in slices (`sha256Hex`).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { FeedError } from '../errors.js';
import { isShared } from '../../lib/shared-body.js';

/** Hashes feed bodies (sha256, hex). */
export interface BodyHasher {
  hash(bytes: Uint8Array): Promise<string>;
  close(): Promise<void>;
}

/** Main → worker: `bytes` is a view of shared memory. */
export interface HashRequest {
  readonly id: number;
  readonly bytes: Uint8Array;
}

/** Worker → main. */
export interface HashReply {
  readonly id: number;
  readonly sha256: string;
}

/** Bytes hashed per event-loop turn: about 0.1–0.3 ms of SHA-256, so a 5 MB feed never holds the SIP loop. */
const HASH_SLICE_BYTES = 128 * 1024;

/**
 * sha256 hex of bytes, hashed in slices with a yield to the event loop between them. (WebCrypto's digest runs on the
 * libuv pool but first copies the whole input on the calling thread: ≈ 2–4 ms in one piece for a 5 MB RMD export.)
 */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const hash = createHash('sha256');
  for (let at = 0; at < bytes.length; at += HASH_SLICE_BYTES) {
    if (at > 0) await nextTurn();
    hash.update(bytes.subarray(at, at + HASH_SLICE_BYTES));
  }
  return hash.digest('hex');
}

/** Hashes on the calling thread, in slices (one per event-loop turn). */
export const inlineHasher: BodyHasher = {
  hash: sha256Hex,
  close: async () => undefined,
};

const WORKER_URL = new URL('./hash-worker.js', import.meta.url);

/** Bodies below this size are hashed inline (≤ ~0.2 ms). */
export const OFF_THREAD_MIN_BYTES = 256 * 1024;

/**
 * A hasher with one lazily started worker thread (unref'd while idle, so it never keeps the process alive; restarted
 * after a crash). `worker: false` (or no compiled worker file) hashes inline.
 */
export function createBodyHasher(opts: { readonly worker?: 'auto' | boolean; readonly minBytes?: number } = {}): BodyHasher & { readonly usesWorker: boolean; readonly hashedOffThread: number } {
  const usesWorker = opts.worker === true || (opts.worker !== false && existsSync(fileURLToPath(WORKER_URL)));
  const minBytes = opts.minBytes ?? OFF_THREAD_MIN_BYTES;
  const pending = new Map<number, { resolve: (sha256: string) => void; reject: (e: unknown) => void }>();
  let worker: Worker | undefined;
  let nextId = 1;
  let offThread = 0;

  const failAll = (err: unknown): void => {
    worker = undefined;
    const e = new FeedError('ERR_FEED_INTERNAL', `body hasher worker failed: ${String(err)}`, { cause: err, retryable: true });
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  const start = (): Worker => {
    const w = new Worker(WORKER_URL);
    w.unref();
    w.on('message', (m: HashReply) => {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (pending.size === 0) w.unref();
      offThread++;
      p?.resolve(m.sha256);
    });
    w.on('error', failAll);
    w.on('exit', (code) => {
      if (worker === w) failAll(new Error(`exited with code ${code}`));
    });
    return w;
  };

  return {
    usesWorker,
    get hashedOffThread() {
      return offThread;
    },
    hash(bytes) {
      if (!usesWorker || bytes.length < minBytes || !isShared(bytes)) return sha256Hex(bytes);
      const w = (worker ??= start());
      const id = nextId++;
      return new Promise<string>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        w.ref(); // a hash in flight keeps the process alive until it is back
        w.postMessage({ id, bytes } satisfies HashRequest);
      });
    },
    async close() {
      const w = worker;
      worker = undefined;
      if (w !== undefined) await w.terminate();
      for (const p of pending.values()) p.reject(new FeedError('ERR_FEED_INTERNAL', 'body hasher closed'));
      pending.clear();
    },
  };
}
