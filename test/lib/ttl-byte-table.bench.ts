/**
 * Micro-benchmark of the off-heap TTL byte table against a Map of Buffers with the same expiry rule, for the built-in
 * front's pattern: set one ~700-byte answer per new transaction, read it back on a retransmission, retain it 5 s after
 * the ACK. `npm run bench:lib`.
 */
import { bench, describe } from 'vitest';
import { createTtlByteTable } from '../../src/lib/ttl-byte-table.js';

const ANSWER = Buffer.alloc(700, 0x41);
const CALLS = 20_000;

/** The plain-heap reference: a Map of copies with an expiry time, swept on every write like the table. */
function mapTable(ttlMs: number, now: () => number) {
  const m = new Map<string, { bytes: Buffer; exp: number }>();
  return {
    set(k: string, v: Buffer) {
      const t = now();
      for (const [key, e] of m) {
        if (e.exp >= t) break;
        m.delete(key);
      }
      m.delete(k);
      m.set(k, { bytes: Buffer.from(v), exp: t + ttlMs });
    },
    get(k: string) {
      const e = m.get(k);
      return e !== undefined && e.exp >= now() ? Buffer.from(e.bytes) : undefined;
    },
    retain(k: string, ms: number) {
      const e = m.get(k);
      if (e === undefined) return;
      m.delete(k);
      if (ms > 0) m.set(k, { bytes: e.bytes, exp: now() + ms });
    },
  };
}

describe('transaction-shaped load: set, read once, retain after the ACK', () => {
  const run = (table: { set(k: string, v: Buffer): void; get(k: string): Buffer | undefined; retain(k: string, ms: number): void }, clock: { t: number }): void => {
    for (let i = 0; i < CALLS; i++) {
      const key = `b\x00z9hG4bK-${i}\x00192.0.2.10:5060\x00call-${i}@example.net\x00${i}`;
      table.set(key, ANSWER);
      table.get(key);
      table.retain(key, 5000);
      clock.t += 0.125; // 8,000 calls/s
    }
  };
  bench('lib/ttl-byte-table', () => {
    const clock = { t: 0 };
    run(createTtlByteTable({ ttlMs: 32_000, max: 200_000, now: () => clock.t }), clock);
  });
  bench('Map of Buffers (reference)', () => {
    const clock = { t: 0 };
    run(mapTable(32_000, () => clock.t), clock);
  });
});
