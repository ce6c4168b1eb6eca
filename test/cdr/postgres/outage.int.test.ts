/**
 * A PostgreSQL outage under steady CDR load loses nothing and duplicates nothing. The outage lasts
 * PG_OUTAGE_SECONDS (default 5 for CI); the 60-second variant: `PG_OUTAGE_SECONDS=60 npx vitest run --project integration test/integration/store/pg-outage.test.ts`.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCdrSinks } from '../../../src/cdr/sinks.js';
import { pgUnavailableReason, startTestPostgres, type TestPostgres } from '../../support/postgres.js';
import { buildCdr } from '../../support/builders.js';
import { cdrConfig } from '../support/cdr-config.js';
import { countingMetrics, silentLog } from '../../support/fakes.js';

const OUTAGE_S = Number(process.env['PG_OUTAGE_SECONDS'] ?? '5');
const RATE = Number(process.env['PG_OUTAGE_RATE'] ?? '3000');
const skip = pgUnavailableReason();
if (skip) console.warn(`NOTICE: skipping PostgreSQL outage test: ${skip}`);

describe.skipIf(skip !== undefined)('postgres CDR sink during a database outage', () => {
  let server: TestPostgres;
  let dir: string;
  beforeAll(async () => {
    server = await startTestPostgres();
    dir = mkdtempSync(join(tmpdir(), 'rmdgate-pgoutage-'));
  }, 60_000);
  afterAll(async () => {
    await server?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`loses 0 records over a ${OUTAGE_S} s outage at ${RATE} records/s`, async () => {
    const metrics = countingMetrics();
    const cfg = cdrConfig(dir, { flushIntervalMs: 200, maxQueue: 200_000, sqlite: { enabled: false }, postgres: { enabled: true, retryIntervalMs: 500 } });
    const sink = await createCdrSinks(cfg, { resolvePath: (p) => p, pgUrl: server.url, log: silentLog, metrics, monotonicMs: () => performance.now() });
    const load = startLoad(sink.write.bind(sink), RATE);

    await sleep(1000);
    await server.stop();
    await sleep(OUTAGE_S * 1000);
    const spooledDuringOutage = readdirSync(join(dir, 'spool')).length;
    await server.start();
    await sleep(2000);
    const written = await load.stop();
    const drainStarted = Date.now();
    while (!sink.health().detail.includes('postgres up') && Date.now() - drainStarted < 120_000) await sleep(100);
    console.info(`outage ${OUTAGE_S} s at ${RATE}/s: ${written} records, spool drained ${Date.now() - drainStarted} ms after the load stopped`);
    await sink.close();

    const client = new pg.Client(server.url);
    await client.connect();
    const { rows } = await client.query<{ n: string; d: string }>('SELECT count(*) AS n, count(DISTINCT (node, seq)) AS d FROM rmdgate_cdr');
    await client.end();
    expect(spooledDuringOutage).toBeGreaterThan(0);
    expect(written).toBeGreaterThanOrEqual(RATE * (OUTAGE_S + 2));
    expect({ rows: Number(rows[0]!.n), distinct: Number(rows[0]!.d), lost: metrics.counts.lost }).toEqual({ rows: written, distinct: written, lost: 0 });
    expect(readdirSync(join(dir, 'spool'))).toEqual([]);
  }, (OUTAGE_S + 180) * 1000);
});

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Writes `rate` records per second in 10 ms slices until stopped (hard cap: 30 minutes). */
function startLoad(write: (r: ReturnType<typeof buildCdr>) => void, rate: number): { stop(): Promise<number> } {
  const started = Date.now();
  let n = 0;
  const timer = setInterval(() => {
    const due = Math.min(Math.floor(((Date.now() - started) * rate) / 1000), rate * 1800);
    for (; n < due; n++) write(buildCdr({ seq: n + 1, receivedAtMs: started + Math.floor((n * 1000) / rate), callId: `load-${n}` }));
  }, 10);
  return { stop: () => (clearInterval(timer), Promise.resolve(n)) };
}
