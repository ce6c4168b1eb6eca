import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TcpClosure } from '../../../src/sip/builtin/ports.js';
import { createTcpAdmission, type TcpLimits, watchConnection } from '../../../src/sip/builtin/tcp-guard.js';

const LIMITS: TcpLimits = {
  maxConnections: 10, trunkReserve: 3, maxPerSource: 2, maxPerTrunkSource: 5, idleTimeoutMs: 1000, messageTimeoutMs: 300, maxBufferedBytes: 1 << 16,
};

function admission(limits: Partial<TcpLimits> = {}) {
  const refused: string[] = [];
  const trunks = new Set(['192.0.2.1', '192.0.2.2']);
  const a = createTcpAdmission({ ...LIMITS, ...limits }, (address) => trunks.has(address), { refused: (r) => refused.push(r), closed: () => undefined });
  return { a, refused, trunks };
}

describe('createTcpAdmission', () => {
  it('admits other sources only up to maxConnections − trunkReserve, then trunk sources up to maxConnections', () => {
    const { a, refused } = admission();
    const others = Array.from({ length: 8 }, (_, i) => a.admit(`198.51.100.${i >> 1}`));
    const trunk = Array.from({ length: 4 }, (_, i) => a.admit(i < 2 ? '192.0.2.1' : '192.0.2.2'));

    expect(others).toEqual([undefined, undefined, undefined, undefined, undefined, undefined, undefined, 'reserve']);
    expect(trunk).toEqual([undefined, undefined, undefined, 'limit']);
    expect(a.open).toBe(10);
    expect(refused).toEqual(['reserve', 'limit']);
  });

  it('caps connections per source, with the trunk cap for trunk sources', () => {
    const { a } = admission({ maxConnections: 100, trunkReserve: 0 });

    const other = [a.admit('198.51.100.9'), a.admit('198.51.100.9'), a.admit('198.51.100.9')];
    const trunk = Array.from({ length: 6 }, () => a.admit('192.0.2.1'));

    expect(other).toEqual([undefined, undefined, 'per-source']);
    expect(trunk.filter((r) => r === undefined)).toHaveLength(5);
    expect(trunk[5]).toBe('per-source');
  });

  it('frees a slot per release and forgets sources with no open connection', () => {
    const { a } = admission();
    a.admit('198.51.100.1');
    a.admit('198.51.100.1');

    a.release('198.51.100.1');
    const again = a.admit('198.51.100.1');
    a.release('198.51.100.1');
    a.release('198.51.100.1');
    a.release('198.51.100.1');

    expect(again).toBeUndefined();
    expect(a.open).toBe(0);
  });

  it('asks the trunk predicate per connection, so a reload applies to the next one', () => {
    const { a, trunks } = admission({ maxConnections: 4, trunkReserve: 3 });
    a.admit('198.51.100.1');

    const before = a.admit('203.0.113.5');
    trunks.add('203.0.113.5');
    const after = a.admit('203.0.113.5');

    expect([before, after]).toEqual(['reserve', undefined]);
  });
});

describe('watchConnection', () => {
  afterEach(() => vi.useRealTimers());

  function watch() {
    vi.useFakeTimers();
    const expired: TcpClosure[] = [];
    return { w: watchConnection(LIMITS, (r) => expired.push(r)), expired };
  }

  it('expires idle at idleTimeoutMs after the last complete message, whatever bytes arrive meanwhile', () => {
    const { w, expired } = watch();
    vi.advanceTimersByTime(900);
    w.received(true, 0);
    vi.advanceTimersByTime(900);
    w.received(false, 0);
    vi.advanceTimersByTime(99);

    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual(['idle']);
    w.stop();
  });

  it('expires a message still incomplete messageTimeoutMs after its first byte', () => {
    const { w, expired } = watch();
    w.received(false, 10);
    vi.advanceTimersByTime(200);
    w.received(false, 20);
    vi.advanceTimersByTime(100);

    expect(expired).toEqual(['message-timeout']);
    w.stop();
  });

  it('restarts the message deadline when a message completes and the next one has begun, and stops it when none has', () => {
    const { w, expired } = watch();
    w.received(false, 10);
    vi.advanceTimersByTime(250);
    w.received(true, 5);
    vi.advanceTimersByTime(250);
    w.received(true, 0);
    vi.advanceTimersByTime(700);

    expect(expired).toEqual([]);
    w.stop();
    vi.advanceTimersByTime(5000);
    expect(expired).toEqual([]);
  });
});
