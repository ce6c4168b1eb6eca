#!/usr/bin/env node
/**
 * CDR store benchmark (run after `npm run build`): sustained ingest through the real worker-backed SQLite sink with
 * event-loop delay measured on the main thread; generation of N synthetic CDRs; traceback lookup latency; a 1,000-request batch.
 * Usage: node scripts/bench-store.mjs [--rows 10000000] [--days 30] [--ingest-seconds 10] [--rates 20000,40000] [--dir DIR] [--keep] [--max-minutes 40]
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { createCdrSinks } from '../dist/cdr/sinks.js';
import { createSqliteCdrReader } from '../dist/cdr/sqlite/query.js';
import { listDayFiles, openDayFileForRead } from '../dist/cdr/sqlite/day-files.js';
import { answerBatch } from '../dist/cdr/traceback/batch.js';
import { answerTraceback, parseTracebackRequest } from '../dist/cdr/traceback/traceback.js';

const { values: opt } = parseArgs({ options: {
  rows: { type: 'string', default: '10000000' }, days: { type: 'string', default: '30' }, 'ingest-seconds': { type: 'string', default: '10' },
  rates: { type: 'string', default: '20000,40000' }, dir: { type: 'string' }, keep: { type: 'boolean', default: false }, 'max-minutes': { type: 'string', default: '40' },
  'skip-ingest': { type: 'boolean', default: false }, 'skip-gen': { type: 'boolean', default: false }, queries: { type: 'string', default: '5000' },
} });
const deadline = Date.now() + Number(opt['max-minutes']) * 60_000;
const root = opt.dir ?? mkdtempSync(join(tmpdir(), 'rmdgate-bench-'));
const silent = { debug() {}, info() {}, warn() {}, error(o, m) { console.error(m, o); }, child() { return silent; }, isLevelEnabled: () => false };
const results = { node: process.version, cpus: (await import('node:os')).cpus().length };
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
const ms = (ns) => +(ns / 1e6).toFixed(2);
const TEMPLATE = {
  schemaVersion: 1, type: 'screening', node: 'bench', seq: 0, receivedAt: '', receivedAtMs: 0, decidedAtMs: 0, callId: '', sourceAddress: '203.0.113.10', sourcePort: 5060,
  transport: 'udp', localAddress: '198.51.100.1', localPort: 5060, trunkId: 'trunk-1', providerId: 'prov-1', providerName: 'Harborline Communications LLC',
  providerRmdNumber: 'RMD0990001', providerFrn: '0099000001', fromUser: '+13035550100', fromE164: '+13035550100', paiUser: '', paiE164: null,
  callingE164: '+13035550100', ruriUser: '', calledE164: '', identityStatus: 'absent', attest: null, origid: null, identityOrigTn: null, identityDestTn: null,
  identityIat: null, identityVerified: false, decision: 'allow', wouldBlock: false, reason: null, listEntryId: null, listKind: null, listSource: null,
  rmdSnapshotId: 'benchsnapshot001', rmdSnapshotLoadedAt: '2026-11-01T00:00:00.000Z', rmdMatch: 'rmd-number', sipStatus: 302, mode: 'enforce', configVersion: 'bench0000001',
};

/** Offers `rate` records/s for `seconds` in 1 ms slices; returns event-loop delay and what the store kept. */
async function ingest(rate, seconds, withStore) {
  const dir = join(root, `ingest-${rate}-${withStore ? 'sqlite' : 'none'}`);
  const counts = { written: 0, lost: 0 };
  const metrics = { written: (n) => (counts.written += n), lost: (n) => (counts.lost += n), writeSeconds() {}, queueDepth() {} };
  const cfg = { dir, flushIntervalMs: 200, maxQueue: 100_000, sinks: { sqlite: { enabled: withStore, retentionDays: 548 }, jsonl: { enabled: false }, postgres: { enabled: false } } };
  const sink = await createCdrSinks(cfg, { resolvePath: (p) => p, log: silent, metrics, monotonicMs: () => performance.now() });
  const h = monitorEventLoopDelay({ resolution: 1 });
  let n = 0;
  let maxQueued = 0;
  const writeNs = [];
  const started = performance.now();
  h.enable();
  while (performance.now() - started < seconds * 1000) {
    const due = Math.floor(((performance.now() - started) * rate) / 1000);
    for (; n < due; n++) {
      const now = Date.now();
      const called = `+1212555${String(n % 10000).padStart(4, '0')}`;
      const record = { ...TEMPLATE, seq: n + 1, receivedAtMs: now, receivedAt: new Date(now).toISOString(), decidedAtMs: now, callId: `b${n}@bench`, ruriUser: called, calledE164: called };
      const t0 = process.hrtime.bigint();
      sink.write(record);
      writeNs.push(Number(process.hrtime.bigint() - t0));
    }
    maxQueued = Math.max(maxQueued, sink.queued());
    await new Promise((r) => setImmediate(r));
  }
  h.disable();
  const elapsed = (performance.now() - started) / 1000;
  const closeStarted = performance.now();
  await sink.close();
  const stored = withStore ? countRows(dir) : 0;
  const totalWriteMs = writeNs.reduce((a, b) => a + b, 0) / 1e6;
  writeNs.sort((a, b) => a - b);
  return { rate, store: withStore ? 'sqlite' : 'none', seconds: +elapsed.toFixed(1), offered: n, stored, lost: counts.lost, maxQueued, closeMs: Math.round(performance.now() - closeStarted),
    loopDelayMs: { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) },
    writeCallUs: { mean: +((totalWriteMs * 1000) / n).toFixed(2), p99: +(pct(writeNs, 0.99) / 1000).toFixed(1), p999: +(pct(writeNs, 0.999) / 1000).toFixed(1), max: +(writeNs.at(-1) / 1000).toFixed(1) },
    mainThreadMsPerSecond: +(totalWriteMs / elapsed).toFixed(1) };
}

function countRows(dir) {
  let n = 0;
  for (const day of listDayFiles(dir)) {
    const db = openDayFileForRead(dir, day);
    n += db.prepare('SELECT count(*) AS n FROM cdr').get().n;
    db.close();
  }
  return n;
}

/** Generates rows over `days` UTC days ending yesterday, two workers (alternate days). */
async function generate(dir, rows, days) {
  const today = Math.floor(Date.now() / 86_400_000) * 86_400_000;
  const all = Array.from({ length: days }, (_, i) => new Date(today - (days - i) * 86_400_000).toISOString().slice(0, 10));
  const rowsPerDay = Math.ceil(rows / days);
  mkdirSync(dir, { recursive: true });
  const started = performance.now();
  const parts = await Promise.all([0, 1].map((w) => new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./bench-store-gen.mjs', import.meta.url), { workerData: {
      dir, days: all.filter((_, i) => i % 2 === w), rowsPerDay, seed: 7 + w, sampleEvery: 997, firstSeq: 1 + w * 1e12, node: `bench-${w}` } });
    worker.on('message', (m) => {
      if (m.t === 'day') process.stderr.write(`generated ${m.day} (${m.rows} rows)\n`);
      if (m.t === 'done') resolve(m.sample);
      if (Date.now() > deadline) worker.terminate();
    });
    worker.on('error', reject);
    worker.on('exit', (code) => code !== 0 && reject(new Error(`generator exited ${code}`)));
  })));
  const seconds = (performance.now() - started) / 1000;
  const bytes = readdirSync(dir).reduce((s, f) => s + statSync(join(dir, f)).size, 0);
  const total = rowsPerDay * days;
  return { sample: parts.flat(), gen: { rows: total, days, seconds: Math.round(seconds), rowsPerSecond: Math.round(total / seconds), secondsPerMillion: +(seconds / (total / 1e6)).toFixed(1), storeGiB: +(bytes / 2 ** 30).toFixed(2), mibPerMillion: Math.round(bytes / 2 ** 20 / (total / 1e6)) } };
}

/** Traceback lookups: half known calls (±0–5 min off), half random numbers; 10-minute windows. */
async function queries(dir, sample, count) {
  const store = createSqliteCdrReader(dir);
  const lat = [];
  let matched = 0;
  for (let i = 0; i < count && Date.now() < deadline; i++) {
    const s = sample[(i * 7919) % sample.length];
    const known = i % 2 === 0;
    const at = new Date(s.atMs + ((i % 600) - 300) * 1000).toISOString();
    const req = parseTracebackRequest({ calling: known ? s.calling : `+1415${String(2000000 + i).slice(-7)}`, called: s.called, at, window: '10m' });
    const t0 = process.hrtime.bigint();
    const a = await answerTraceback(req.value, { store, rmd: undefined });
    lat.push(Number(process.hrtime.bigint() - t0));
    if (a.status === 'match') matched++;
  }
  await store.close();
  lat.sort((a, b) => a - b);
  return { lookups: lat.length, matched, p50Ms: ms(pct(lat, 0.5)), p99Ms: ms(pct(lat, 0.99)), maxMs: ms(lat.at(-1)) };
}

async function batch(dir, sample) {
  const store = createSqliteCdrReader(dir);
  const reqs = Array.from({ length: 1000 }, (_, i) => {
    const s = sample[(i * 104729) % sample.length];
    return { line: i + 2, request: { calling: s.calling, called: s.called, at: new Date(s.atMs).toISOString(), window: '10m' } };
  });
  const t0 = performance.now();
  const out = await answerBatch(reqs, { store, rmd: undefined });
  const seconds = (performance.now() - t0) / 1000;
  await store.close();
  return { requests: out.length, matched: out.filter((o) => o.kind === 'answer' && o.answer.status === 'match').length, seconds: +seconds.toFixed(2) };
}

function dropCaches() {
  try {
    writeFileSync('/proc/sys/vm/drop_caches', '3');
    return true;
  } catch {
    return false;
  }
}

try {
  if (!opt['skip-ingest']) {
    results.ingest = [];
    for (const rate of opt.rates.split(',').map(Number)) {
      results.ingest.push(await ingest(rate, 3, false), await ingest(rate, Number(opt['ingest-seconds']), true));
      process.stderr.write(`ingest ${rate}/s: ${JSON.stringify(results.ingest.slice(-2))}\n`);
    }
  }
  if (!opt['skip-gen']) {
    const dir = join(root, 'store');
    const { sample, gen } = await generate(dir, Number(opt.rows), Number(opt.days));
    results.generation = gen;
    process.stderr.write(`generation: ${JSON.stringify(gen)}\n`);
    results.tracebackWarm = await queries(dir, sample, Number(opt.queries));
    results.batch1000 = await batch(dir, sample);
    if (dropCaches()) results.tracebackCold = await queries(dir, sample, 500);
  }
} finally {
  if (!opt.keep && !opt.dir) rmSync(root, { recursive: true, force: true });
}
console.log(JSON.stringify(results, null, 2));
