/**
 * SHA-256 of feed bodies away from the SIP event loop. A body in shared memory (lib/shared-body.ts) is hashed in place
 * by a worker thread: the main thread neither hashes nor copies it. Small bodies, and bodies not in shared memory,
 * are hashed on the calling thread in slices (`sha256Hex`), one per event-loop turn. docs/feeds.md has the figures.
 */
import { createHash } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Worker } from 'node:worker_threads';
import { entryOf, isShared, startWorker } from '../../lib/index.js';
import { FeedError } from '../errors.js';

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

/** Bytes hashed per event-loop turn: a fraction of a millisecond of SHA-256, so a large feed never holds the SIP loop. */
const HASH_SLICE_BYTES = 128 * 1024;

/**
 * sha256 hex of bytes, hashed in slices with a yield to the event loop between them. (WebCrypto's digest runs on the
 * libuv pool but first copies the whole input on the calling thread, in one piece.)
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

const WORKER = entryOf('./hash-worker.js', import.meta.url);

/** Bodies below this size are hashed inline (cheaper than a round trip to the worker). */
export const OFF_THREAD_MIN_BYTES = 256 * 1024;

/**
 * A hasher with one lazily started worker thread (unref'd while idle, so it never keeps the process alive; restarted
 * after a crash) for shared bodies of at least `minBytes`.
 */
export function createBodyHasher(opts: { readonly minBytes?: number } = {}): BodyHasher & { readonly hashedOffThread: number } {
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
    const w = startWorker(WORKER);
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
    get hashedOffThread() {
      return offThread;
    },
    hash(bytes) {
      if (bytes.length < minBytes || !isShared(bytes)) return sha256Hex(bytes);
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
