/**
 * The real app under an unknown-source flood: requests over the source's rate are answered 503 with the flood-limit
 * reason, no screening CDR is written for them, and at stop the CDR dir holds one flood summary for the source (the
 * SQLite day file's flood_summary table) that the admin traceback handler reports for the window.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteCdrReader } from '../../src/cdr/sqlite/query.js';
import { createTracebackHandler } from '../../src/cdr/traceback/http.js';
import { startTestApp, type TestApp } from '../support/app-harness.js';
import { createUdpSipClient, sipRequest } from '../support/sip-client.js';

const FLOODER = '127.0.0.9';

describe('rmdgate under an unknown-source flood', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('answers 503 flood-limit over the rate, keeps one flood summary per source instead of a CDR each, and traceback reports it', async () => {
    t = await startTestApp({ sip: '  flood: { ratePerSecond: 0.01, burst: 2, action: reject, retryAfterSeconds: 30 }' });
    const started = Date.now();
    const client = await createUdpSipClient(FLOODER, t.udpPort);
    const answers: { status: number; xReason: string | undefined; reason: string | undefined }[] = [];
    try {
      for (let i = 0; i < 12; i++) {
        await client.send(sipRequest({ via: `SIP/2.0/UDP ${FLOODER}:${client.localPort};branch=z9hG4bK-flood${i};rport`, callId: `flood-${i}@test` }));
        const r = await client.response(3000);
        answers.push({ status: r.status, xReason: r.get('X-Reason'), reason: r.get('Reason') });
      }
    } finally {
      await client.close();
    }
    const logs = t.logs.join('');
    await t.app.stop();
    const cdrDir = join(t.dir, 'cdr');

    expect(answers.map((a) => a.status)).toEqual([403, 403, ...Array<number>(10).fill(503)]);
    expect(answers[2]).toEqual({ status: 503, xReason: 'flood-limit', reason: 'SIP;cause=503;text="flood-limit"' });
    expect(logs).toContain('"reason":"flood-limit"');
    const reader = createSqliteCdrReader(cdrDir);
    const screened = [...reader.scan(started - 60_000, Date.now() + 60_000)];
    const summaries = await reader.findFloodSummaries(started - 60_000, Date.now() + 60_000, 100);
    expect(screened.map((c) => c.record.callId)).toEqual(['flood-0@test', 'flood-1@test']);
    expect(summaries).toEqual([
      expect.objectContaining({ type: 'flood-summary', node: 'obs-test', sourceAddress: FLOODER, sources: 1, transport: 'udp', requests: 10, action: 'rejected', reason: 'flood-limit' }),
    ]);
    const s = summaries[0]!;
    expect(s.intervalStartMs).toBeGreaterThanOrEqual(started);
    expect(s.intervalEndMs).toBeGreaterThanOrEqual(s.intervalStartMs);
    expect(s.intervalStart).toBe(new Date(s.intervalStartMs).toISOString());

    const handle = createTracebackHandler({ store: reader, rmd: () => t?.app.world().rmd });
    const inWindow = await handle(new URL(`http://x/admin/traceback?calling=3035550100&called=2025550123&at=${encodeURIComponent(new Date(s.intervalStartMs).toISOString())}&window=1m`));
    const later = await handle(new URL(`http://x/admin/traceback?calling=3035550100&called=2025550123&at=${encodeURIComponent(new Date(s.intervalEndMs + 3_600_000).toISOString())}&window=1m`));
    await reader.close();

    expect(inWindow.status).toBe(200);
    const body = JSON.parse(inWindow.body) as { status: string; matches: { callId: string; reason: string }[]; floodSummaries: unknown[] };
    // The two requests within the burst were screened (unknown-trunk); the ten over the rate are in the summary.
    // (Matches come closest to `at` first; the two may share a millisecond, so the set is compared.)
    expect(body.matches.map((m) => [m.callId, m.reason]).sort()).toEqual([['flood-0@test', 'unknown-trunk'], ['flood-1@test', 'unknown-trunk']]);
    expect(body.floodSummaries).toEqual([expect.objectContaining({ source: FLOODER, transport: 'udp', requests: 10, action: 'rejected', reason: 'flood-limit' })]);
    expect((JSON.parse(later.body) as { floodSummaries: unknown[] }).floodSummaries).toEqual([]);
  });
});
