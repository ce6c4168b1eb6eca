/**
 * Feed bodies in shared memory and the off-thread hasher (the worker half needs the compiled dist/: worker threads run
 * JavaScript): a shared body is hashed by the worker in place — no hashing, no copy on the SIP thread — and equals
 * node:crypto's hash; other bodies are hashed inline.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { BodyHasher } from '../../../src/feeds/fetch/body-hasher.js';
import { createBodyHasher as createFromSources } from '../../../src/feeds/fetch/body-hasher.js';
import { allocShared, concatShared, isShared, readFileShared } from '../../../src/lib/shared-body.js';
import { repoPath } from '../../support/paths.js';

const DIST = repoPath('dist/feeds/fetch/body-hasher.js');
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const sharedBody = (n: number): Buffer => {
  const b = allocShared(n);
  randomBytes(n).copy(b);
  return b;
};
type WorkerHasher = BodyHasher & { usesWorker: boolean; hashedOffThread: number };

describe.runIf(existsSync(DIST))('body hasher (dist)', () => {
  async function workerHasher(): Promise<WorkerHasher> {
    const mod = (await import(pathToFileURL(DIST).href)) as { createBodyHasher(o: { worker: boolean }): WorkerHasher };
    return mod.createBodyHasher({ worker: true });
  }
  /** Runs `use` with a fresh worker hasher and closes it whatever happens. */
  async function withWorkerHasher(use: (hasher: WorkerHasher) => Promise<void>): Promise<void> {
    const hasher = await workerHasher();
    try {
      await use(hasher);
    } finally {
      await hasher.close();
    }
  }

  it('hashes a large shared body in the worker, in place (the bytes stay with the caller)', () =>
    withWorkerHasher(async (hasher) => {
      const body = sharedBody(3 * 1024 * 1024);
      const pending = hasher.hash(body);
      expect(body.length).toBe(3 * 1024 * 1024); // nothing moved or detached
      expect(await pending).toBe(sha(body));
      expect(hasher.hashedOffThread).toBe(1);
    }));

  it('answers concurrent hashes each for its own body', () =>
    withWorkerHasher(async (hasher) => {
      const bodies = [1, 2, 3, 4].map((k) => sharedBody(300_000 + k * 1000));
      expect(await Promise.all(bodies.map((b) => hasher.hash(b)))).toEqual(bodies.map(sha));
      expect(hasher.hashedOffThread).toBe(4);
    }));

  it('hashes inline what is small or not in shared memory', () =>
    withWorkerHasher(async (hasher) => {
      const small = sharedBody(1000);
      const plain = randomBytes(2 * 1024 * 1024);
      expect(await hasher.hash(small)).toBe(sha(small));
      expect(await hasher.hash(plain)).toBe(sha(plain));
      expect(hasher.hashedOffThread).toBe(0);
    }));

  it('starts a new worker when used after close()', async () => {
    const hasher = await workerHasher();
    const a = sharedBody(400_000);
    await hasher.close();
    expect(await hasher.hash(a)).toBe(sha(a));
    expect(hasher.hashedOffThread).toBe(1);
    await hasher.close();
  });
});

describe('feed bodies in shared memory', () => {
  const dirP = mkdtemp(join(tmpdir(), 'rmdgate-shared-body-'));
  afterAll(async () => rm(await dirP, { recursive: true, force: true }));

  it('reads a file into shared memory; a file that grew since the stat is read whole, one that shrank as it is', async () => {
    const path = join(await dirP, 'rmd.csv');
    const text = 'a,b\n1,2\n'.repeat(1000);
    await writeFile(path, text);
    const same = await readFileShared(path, text.length);
    expect(isShared(same)).toBe(true);
    expect(same.toString()).toBe(text);
    await appendFile(path, 'more\n');
    const grown = await readFileShared(path, text.length);
    expect(grown.toString()).toBe(`${text}more\n`);
    await writeFile(path, 'short\n');
    expect((await readFileShared(path, text.length)).toString()).toBe('short\n');
  });

  it('concatenates HTTP chunks into shared memory', () => {
    const parts = ['abc', 'de', '', 'fghij'].map((s) => Buffer.from(s));
    const out = concatShared(parts, 10);
    expect(isShared(out)).toBe(true);
    expect(out.toString()).toBe('abcdefghij');
    expect(isShared(Buffer.from('x'))).toBe(false);
  });

  it('the inline hasher (no compiled worker) hashes any body in slices', async () => {
    const hasher = createFromSources({ worker: false });
    const body = sharedBody(1024 * 1024 + 7);
    expect(await hasher.hash(body)).toBe(sha(body));
    expect(hasher.hashedOffThread).toBe(0);
    await hasher.close();
  });
});
