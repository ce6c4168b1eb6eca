/**
 * The off-thread body hasher: a shared body is hashed by the worker thread in place — no hashing, no copy on the SIP
 * thread — and equals node:crypto's hash; small bodies and bodies not in shared memory are hashed inline, in slices.
 * The worker runs its real entry (hash-worker), from sources through the same loader as every off-thread entry.
 */
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createBodyHasher, sha256Hex } from '../../../src/feeds/fetch/body-hasher.js';
import { allocShared } from '../../../src/lib/shared-body.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const sharedBody = (n: number): Buffer => {
  const b = allocShared(n);
  randomBytes(n).copy(b);
  return b;
};

/** Runs `use` with a fresh hasher and closes it whatever happens. */
async function withHasher(use: (hasher: ReturnType<typeof createBodyHasher>) => Promise<void>): Promise<void> {
  const hasher = createBodyHasher();
  try {
    await use(hasher);
  } finally {
    await hasher.close();
  }
}

describe('body hasher', () => {
  it('hashes a large shared body in the worker, in place (the bytes stay with the caller)', () =>
    withHasher(async (hasher) => {
      const body = sharedBody(3 * 1024 * 1024);
      const pending = hasher.hash(body);
      expect(body.length).toBe(3 * 1024 * 1024); // nothing moved or detached
      expect(await pending).toBe(sha(body));
      expect(hasher.hashedOffThread).toBe(1);
    }));

  it('answers concurrent hashes each for its own body', () =>
    withHasher(async (hasher) => {
      const bodies = [1, 2, 3, 4].map((k) => sharedBody(300_000 + k * 1000));
      expect(await Promise.all(bodies.map((b) => hasher.hash(b)))).toEqual(bodies.map(sha));
      expect(hasher.hashedOffThread).toBe(4);
    }));

  it('hashes inline what is small or not in shared memory', () =>
    withHasher(async (hasher) => {
      const small = sharedBody(1000);
      const plain = randomBytes(2 * 1024 * 1024);
      expect(await hasher.hash(small)).toBe(sha(small));
      expect(await hasher.hash(plain)).toBe(sha(plain));
      expect(hasher.hashedOffThread).toBe(0);
    }));

  it('starts a new worker when used after close()', async () => {
    const hasher = createBodyHasher();
    const a = sharedBody(400_000);
    await hasher.close();
    expect(await hasher.hash(a)).toBe(sha(a));
    expect(hasher.hashedOffThread).toBe(1);
    await hasher.close();
  });

  it('hashes inline in slices across event-loop turns with the same result', async () => {
    const body = randomBytes(1024 * 1024 + 7);
    expect(await sha256Hex(body)).toBe(sha(body));
  });
});
