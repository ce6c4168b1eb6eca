/**
 * Cardinality budget (docs/observability.md): with 10,000 trunks configured and traffic from a sample of them, the
 * /metrics series count stays under 400 + 40·F + 3·(A + 1) + P (F feeds, A trunks that sent traffic, P providers that
 * need attention), whatever the number of configured trunks; nothing pre-creates per-trunk series.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriesCount } from '../support/prometheus.js';
import { type TestApp, sendInvites, startTestApp } from '../support/app-harness.js';

const TRUNKS = 10_000;
const FEEDS = 3;
const ACTIVE = Array.from({ length: 25 }, (_, k) => k * 397);

/** Trunk i's source: 127.20.<i div 200>.<i mod 200 + 10> (all on loopback, so a test client can bind it). */
const sourceOf = (i: number): string => `127.20.${Math.floor(i / 200)}.${(i % 200) + 10}`;

/** The series budget stated in docs/observability.md. */
/** Providers below that need attention: driftwood (missing from the RMD) and tallgrass (designated). */
const ATTENTION = 2;
const seriesBudget = (feeds: number, activeTrunks: number): number => 400 + 40 * feeds + 3 * (activeTrunks + 1) + ATTENTION;

function manyTrunks(): string {
  const ids = ['harborline', 'driftwood', 'tallgrass'];
  const trunks = Array.from({ length: TRUNKS }, (_, i) => `  - { id: t-${i}, provider: ${ids[i % 3]}, sources: [${sourceOf(i)}/32] }`);
  return `providers:
  - { id: harborline, name: Harborline Communications LLC, rmdNumber: RMD0990001, frn: "0099000001" }
  - { id: driftwood, name: Driftwood Dialers LLC, frn: "0099000099" }
  - { id: tallgrass, name: Tallgrass Telecom LLC, rmdNumber: RMD0990003, frn: "0099000003" }
trunks:
${trunks.join('\n')}
`;
}

describe('metric cardinality with 10,000 configured trunks', () => {
  let t: TestApp;
  let before = 0;
  let invitesBefore = -1;

  beforeAll(async () => {
    t = await startTestApp({ parties: manyTrunks() });
    const text = await t.metricsText();
    before = seriesCount(text);
    invitesBefore = text.split('\n').filter((l) => l.startsWith('rmdgate_invites_total{')).length;
    for (const i of ACTIVE) await sendInvites(t.udpPort, sourceOf(i), 2);
    await sendInvites(t.udpPort, '127.0.0.4', 2);
  }, 60_000);
  afterAll(async () => t?.close());

  it('creates no per-trunk series before traffic', () => {
    expect(invitesBefore).toBe(0);
    expect(before).toBeLessThan(seriesBudget(FEEDS, 0));
  });

  it('stays under the documented budget after traffic from a sample of trunks', async () => {
    const text = await t.metricsText();

    expect(seriesCount(text)).toBeLessThanOrEqual(seriesBudget(FEEDS, ACTIVE.length));
    expect(text.split('\n').filter((l) => l.startsWith('rmdgate_provider_rmd_status{'))).toHaveLength(ATTENTION);
  });

  it('has one invites series per trunk that sent traffic, plus unknown', async () => {
    const lines = (await t.metricsText()).split('\n').filter((l) => l.startsWith('rmdgate_invites_total{'));
    const trunks = new Set(lines.map((l) => /trunk="([^"]+)"/.exec(l)?.[1]));

    expect(trunks).toEqual(new Set([...ACTIVE.map((i) => `t-${i}`), 'unknown']));
    expect(lines).toHaveLength(ACTIVE.length + 1);
  });
});
