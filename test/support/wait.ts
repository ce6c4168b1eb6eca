/**
 * Polling and handle-leak helpers shared by the integration tests.
 */
import { afterEach, beforeAll } from 'vitest';

/** Polls `probe` every 5 ms until it returns a value (not undefined/false) or `timeoutMs` passes. */
export async function waitUntil<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Open TCP handles of this process (leak checks). */
export function tcpHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => r.startsWith('TCP')).length;
}

/**
 * Registers the file's leak check: the TCP handles open before its tests are the baseline; after each test the
 * cleanups pushed on the returned list run (newest first) and the handle count must fall back to the baseline
 * within `timeoutMs`.
 */
export function closeAndCheckTcpAfterEach(timeoutMs: number): (() => Promise<void> | void)[] {
  const cleanups: (() => Promise<void> | void)[] = [];
  let baseline = 0;
  beforeAll(() => {
    baseline = tcpHandles();
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
    await waitUntil(() => tcpHandles() <= baseline, timeoutMs, 'TCP handles to close');
  });
  return cleanups;
}
