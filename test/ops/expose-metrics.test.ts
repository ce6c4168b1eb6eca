import { Gauge, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { exposeMetrics } from '../../src/ops/ops-server.js';
import { createMetrics } from '../../src/ops/metrics.js';

describe('exposeMetrics (the /metrics body)', () => {
  it("is the registry's own text exposition, byte for byte", async () => {
    const m = createMetrics('9.9.9', { defaultMetrics: false, now: () => 0 });
    m.screening.screened({ trunk: 't-1', decision: 'reject', reason: 'provider-designated', mode: 'enforce', seconds: 0.00002 });
    m.front.message('INVITE', 'udp');
    m.front.response(603, 'udp');

    expect(await exposeMetrics(m.registry)).toBe(await m.registry.metrics());
    expect(await exposeMetrics(new Registry())).toBe(await new Registry().metrics());
  });

  it('lets the event loop run between metrics instead of serialising them all in one go', async () => {
    const registry = new Registry();
    let turned = false;
    const seenByLast: boolean[] = [];
    new Gauge({ name: 'a_first', help: 'a', registers: [registry] }).set(1);
    new Gauge({ name: 'b_last', help: 'b', registers: [registry], collect: () => void seenByLast.push(turned) });

    const sliced = exposeMetrics(registry);
    setImmediate(() => (turned = true));
    await sliced;
    turned = false;
    const whole = registry.metrics();
    setImmediate(() => (turned = true));
    await whole;

    expect(seenByLast).toEqual([true, false]); // sliced: an I/O turn ran before the last metric; registry.metrics(): none did
  });
});
