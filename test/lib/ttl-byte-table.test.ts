import { describe, expect, it } from 'vitest';
import { createTtlByteTable } from '../../src/lib/ttl-byte-table.js';

/** A shorter TTL set on an entry after it was written (as the SIP front does after an ACK). */
const RETAIN_MS = 5000;

const bytes = (s: string): Buffer => Buffer.from(s);

function table(opts: { ttlMs?: number; max?: number; maxBytes?: number; maxEntryBytes?: number } = {}) {
  const clock = { t: 1_000_000 };
  const cache = createTtlByteTable({ ttlMs: opts.ttlMs ?? 32_000, max: opts.max ?? 200_000, now: () => clock.t, ...(opts.maxBytes === undefined ? {} : { maxBytes: opts.maxBytes }), ...(opts.maxEntryBytes === undefined ? {} : { maxEntryBytes: opts.maxEntryBytes }) });
  return { cache, clock };
}

describe('TTL byte table', () => {
  it('answers with the stored state until the TTL has passed, then forgets it', () => {
    const { cache, clock } = table({ ttlMs: 32_000 });
    cache.set('a', bytes('302'));
    clock.t += 32_000;
    expect(cache.get('a')?.toString()).toBe('302');
    expect(cache.has('a')).toBe(true);
    clock.t += 1;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.has('a')).toBe(false);
    expect(cache.size).toBe(0);
  });

  it('drops expired entries without anyone reading them (the table holds one TTL of traffic, not max)', () => {
    const { cache, clock } = table({ ttlMs: 32_000, max: 200_000 });
    for (let i = 0; i < 1000; i++) cache.set(`old${i}`, bytes('x'));
    clock.t += 32_001;
    cache.set('new', bytes('y'));
    expect(cache.size).toBe(1);
  });

  it('keeps a retained entry for the TTL it is given, then drops it', () => {
    const { cache, clock } = table();
    cache.set('a', bytes('603'));
    clock.t += 1000;
    cache.retain('a', RETAIN_MS);
    clock.t += RETAIN_MS;
    expect(cache.get('a')?.toString()).toBe('603');
    clock.t += 1;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('drops an entry at once when retained for 0 and leaves unknown keys alone', () => {
    const { cache } = table();
    cache.set('tcp', bytes('302'));
    cache.retain('tcp', 0);
    expect(cache.has('tcp')).toBe(false);
    cache.retain('unknown', RETAIN_MS);
    expect(cache.has('unknown')).toBe(false);
    expect(cache.size).toBe(0);
  });

  it('an entry set again starts its TTL again', () => {
    const { cache, clock } = table({ ttlMs: 10_000 });
    cache.set('a', bytes('180'));
    clock.t += 9_000;
    cache.set('a', bytes('302'));
    clock.t += 9_000;
    expect(cache.get('a')?.toString()).toBe('302');
    expect(cache.size).toBe(1);
  });

  it('an entry kept its full TTL does not keep the shorter-lived ones behind it alive', () => {
    const { cache, clock } = table({ ttlMs: 32_000 });
    cache.set('lost-ack', bytes('302')); // its ACK never comes: kept the full 32 s
    for (let s = 0; s < 20; s++) {
      for (let i = 0; i < 500; i++) {
        cache.set(`c${s}-${i}`, bytes('302'));
        cache.retain(`c${s}-${i}`, RETAIN_MS);
      }
      clock.t += 1000;
    }
    // 20 s of 500 calls/s: only the last ~5 s of confirmed calls and the unconfirmed one are live.
    expect(cache.get('lost-ack')?.toString()).toBe('302');
    expect(cache.size).toBeLessThanOrEqual(6 * 500 + 1);
    expect(cache.size).toBeGreaterThanOrEqual(5 * 500);
  });

  it('beyond max drops the entry closest to expiry', () => {
    const { cache, clock } = table({ ttlMs: 32_000, max: 3 });
    cache.set('long1', bytes('1'));
    clock.t += 1;
    cache.set('short', bytes('2'));
    cache.retain('short', RETAIN_MS); // expires first although set later
    clock.t += 1;
    cache.set('long2', bytes('3'));
    cache.set('long3', bytes('4'));
    expect(cache.size).toBe(3);
    expect(cache.has('short')).toBe(false);
    expect(['long1', 'long2', 'long3'].every((k) => cache.has(k))).toBe(true);
    cache.set('long4', bytes('5'));
    expect(cache.has('long1')).toBe(false);
    expect(cache.size).toBe(3);
  });

  it('stays bounded over a long run at a steady rate (queues compact)', () => {
    const { cache, clock } = table({ ttlMs: 32_000, max: 200_000 });
    for (let ms = 0; ms < 120_000; ms += 10) {
      for (let i = 0; i < 8; i++) {
        const key = `${ms}-${i}`;
        cache.set(key, bytes('302'));
        if (i !== 0) cache.retain(key, RETAIN_MS); // one call in eight never ACKed
      }
      clock.t += 10;
    }
    // 800 calls/s: 700/s confirmed for 5 s + 100/s unconfirmed for 32 s
    expect(cache.size).toBeLessThanOrEqual(700 * 5 + 100 * 32 + 16);
    expect(cache.size).toBeGreaterThanOrEqual(700 * 5 + 100 * 32 - 800);
    // slots are reused: the slab holds what one TTL of traffic needs, not what two minutes sent
    expect(cache.slabBytes).toBeLessThanOrEqual(2 * 256 * 1024 + (700 * 5 + 100 * 32 + 800) * 256);
  });
});

describe('TTL byte table: storage', () => {
  it('returns a copy: a slot reused later does not change bytes already handed out', () => {
    const { cache } = table();
    cache.set('a', bytes('SIP/2.0 302 Moved Temporarily'));
    const out = cache.get('a') as Buffer;
    cache.retain('a', 0);
    cache.set('b', bytes('SIP/2.0 603 Decline........'));
    expect(out.toString()).toBe('SIP/2.0 302 Moved Temporarily');
    expect((cache.get('b') as Buffer).toString()).toBe('SIP/2.0 603 Decline........');
  });

  it('keeps keys with non-ASCII bytes and responses of every size class apart', () => {
    const { cache } = table();
    const sizes = [0, 1, 200, 255, 300, 1000, 5000, 70_000, 130_000];
    sizes.forEach((n, i) => cache.set(`k\0é${i}\0ünïcode`, Buffer.alloc(n, 65 + i)));
    sizes.forEach((n, i) => {
      const got = cache.get(`k\0é${i}\0ünïcode`) as Buffer;
      expect(got.length).toBe(n);
      expect(got.every((b) => b === 65 + i)).toBe(true);
    });
    expect(cache.get('k\0e0\0unicode')).toBeUndefined();
  });

  it('does not keep an entry larger than the largest slot ', () => {
    const { cache } = table();
    cache.set('huge', Buffer.alloc(200_000));
    expect(cache.has('huge')).toBe(false);
    expect(cache.size).toBe(0);
  });

  it('a very long key (a long Call-ID) is stored and found', () => {
    const { cache } = table();
    const key = `b\0z9hG4bK1\0host:5060\0${'x'.repeat(5000)}\0${1}`;
    cache.set(key, bytes('302'));
    expect(cache.get(key)?.toString()).toBe('302');
    expect(cache.has(key.slice(0, -1) + '2')).toBe(false);
  });

  it('agrees with a reference model over random sets, retains, reads and clock steps (index deletions included)', () => {
    let seed = 42;
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const { cache, clock } = table({ ttlMs: 3_000, max: 500 });
    const model = new Map<string, { v: string; exp: number }>();
    const modelLive = (k: string): { v: string; exp: number } | undefined => {
      const e = model.get(k);
      if (e !== undefined && clock.t > e.exp) model.delete(k);
      return model.get(k);
    };
    for (let step = 0; step < 30_000; step++) {
      const k = `key-${rand(400)}`;
      const op = rand(10);
      if (op < 4) {
        const v = `resp-${step}-${'y'.repeat(rand(600))}`;
        cache.set(k, bytes(v));
        model.set(k, { v, exp: clock.t + 3_000 });
      } else if (op < 6) {
        const ttl = rand(3) === 0 ? 0 : 1_000;
        cache.retain(k, ttl);
        const e = modelLive(k);
        if (e !== undefined) {
          if (ttl === 0) model.delete(k);
          else e.exp = clock.t + ttl;
        }
      } else if (op < 9) {
        const got = cache.get(k);
        const e = modelLive(k);
        expect(got?.toString()).toBe(e?.v);
      } else {
        clock.t += rand(400);
      }
      // the max bound (500) is never reached with 400 keys, so the model needs no eviction
    }
    for (const k of [...model.keys()]) modelLive(k);
    expect(cache.size).toBe(model.size);
  });

  it('beyond max keeps exactly max entries, all readable', () => {
    const { cache, clock } = table({ ttlMs: 32_000, max: 1000 });
    for (let i = 0; i < 5000; i++) {
      cache.set(`k${i}`, bytes(`v${i}`));
      clock.t += 1;
    }
    expect(cache.size).toBe(1000);
    for (let i = 4000; i < 5000; i++) expect(cache.get(`k${i}`)?.toString()).toBe(`v${i}`);
    expect(cache.has('k3999')).toBe(false);
  });
});

describe('TTL byte table: bounded in bytes, and shrinking when load falls', () => {
  const MIB = 1024 * 1024;
  const CHUNK = 256 * 1024;

  it('never allocates past maxBytes: a flood of large entries makes room by dropping the entries closest to expiry', () => {
    const { cache, clock } = table({ maxBytes: 4 * MIB });
    let kept = 0;
    for (let i = 0; i < 5000; i++) {
      clock.t += 1;
      if (cache.set(`fat${i}`, Buffer.alloc(7900, i & 0xff))) kept++;
      expect(cache.slabBytes).toBeLessThanOrEqual(4 * MIB);
    }
    expect(kept).toBe(5000);
    // The newest entries are there, byte for byte; the oldest made room.
    expect(cache.get('fat4999')?.equals(Buffer.alloc(7900, 4999 & 0xff))).toBe(true);
    expect(cache.has('fat0')).toBe(false);
    expect(cache.size).toBeLessThanOrEqual((4 * MIB) / 8192);
  });

  it('refuses an entry over maxEntryBytes and says so', () => {
    const { cache } = table({ maxEntryBytes: 1024 });
    expect(cache.set('small', Buffer.alloc(1000))).toBe(true);
    expect(cache.set('big', Buffer.alloc(1100))).toBe(false);
    expect(cache.has('big')).toBe(false);
    expect(cache.has('small')).toBe(true);
  });

  it('small entries still find room when large ones hold the whole budget (eviction across size classes)', () => {
    const { cache, clock } = table({ maxBytes: 2 * MIB });
    for (let i = 0; i < 400; i++) cache.set(`fat${i}`, Buffer.alloc(7900));
    clock.t += 1;
    for (let i = 0; i < 100; i++) expect(cache.set(`call${i}`, Buffer.alloc(400))).toBe(true);
    for (let i = 0; i < 100; i++) expect(cache.has(`call${i}`)).toBe(true);
    expect(cache.slabBytes).toBeLessThanOrEqual(2 * MIB);
  });

  it('gives chunks back once their entries expire: memory falls back to the live load', () => {
    const { cache, clock } = table({ ttlMs: 1000 });
    for (let i = 0; i < 2000; i++) cache.set(`burst${i}`, Buffer.alloc(7900));
    const peak = cache.slabBytes;
    expect(peak).toBeGreaterThan(60 * CHUNK);
    // Load falls: a trickle of small answers for two TTLs; the burst expires.
    for (let i = 0; i < 40; i++) {
      clock.t += 50;
      cache.set(`trickle${i}`, Buffer.alloc(400));
    }
    expect(cache.size).toBeLessThanOrEqual(40);
    expect(cache.slabBytes).toBeLessThanOrEqual(2 * CHUNK); // the first chunk of the two classes in use
  });

  it('fills the lowest chunk first, so a steady load after a peak lets the upper chunks empty', () => {
    const { cache, clock } = table({ ttlMs: 1000 });
    for (let i = 0; i < 3000; i++) cache.set(`peak${i}`, Buffer.alloc(400)); // 512-byte class: 512 per chunk, 6 chunks
    expect(cache.slabBytes).toBe(6 * CHUNK);
    // Steady 100 live entries, well under one chunk: once the peak has expired only the first chunk stays.
    for (let i = 0; i < 400; i++) {
      clock.t += 10;
      cache.set(`steady${i}`, Buffer.alloc(400));
    }
    expect(cache.size).toBe(101);
    expect(cache.slabBytes).toBe(CHUNK);
  });
});
