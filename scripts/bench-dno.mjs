#!/usr/bin/env node
// Benchmark of calling-number screening (issue #13): a synthetic DNO list of DNO_N numbers (default 10,000,000) is
// written to a temp dir as CSV, loaded through the feed parser (parseDnoList: line scan, sort, compile), then measured:
// load time, memory (RSS, heap and array buffers, per million numbers), per-call lookup cost, and the core decision
// rate (decide()) with calling-number screening on versus off in the same run. Run: npm run bench:dno
// Bounded: fixed counts; the temp dir is removed at the end. Env: DNO_N, ITER (decisions per round), ROUNDS.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDnoList } from '../dist/feeds/lists/dno.js';
import { createFeedParser } from '../dist/feeds/parser.js';
import { parseFeed } from '../dist/feeds/parse.js';
import { AllocationTableBuilder } from '../dist/screening/allocation-table.js';
import { compileWorld, decide } from '../dist/screening/policy.js';
import { toRejectAnswer, DEFAULT_REASON_SETTINGS } from '../dist/screening/reject-reasons.js';
import { POLICY_REASONS, LIST_KINDS } from '../dist/screening/model.js';

const N = Number(process.env.DNO_N ?? 10_000_000);
const ITER = Number(process.env.ITER ?? 2_000_000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const LOOKUPS = 5_000_000;
/** Distinct INVITEs replayed by the decision loop: a pool whose header strings stay in cache, as a just-parsed INVITE's do. */
const FACTS = Number(process.env.FACTS ?? 4096);
const gc = globalThis.gc ?? (() => undefined);

// Child mode: load the list in a fresh process and report its memory once the file text is dropped.
if (process.argv[2] === '--load-only') {
  gc();
  const m0 = process.memoryUsage();
  const t0 = performance.now();
  let text = readFileSync(process.argv[3]).toString('utf8');
  const list = parseDnoList(text, { file: process.argv[3], list: 'bench', format: 'csv' });
  const ms = performance.now() - t0;
  text = '';
  gc();
  await new Promise((r) => setTimeout(r, 100));
  gc();
  const m1 = process.memoryUsage();
  console.log(JSON.stringify({ ms, numbers: list.numbers, rss: m1.rss - m0.rss, heapUsed: m1.heapUsed - m0.heapUsed, arrayBuffers: m1.arrayBuffers - m0.arrayBuffers, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));
  process.exit(0);
}

let seed = 42;
/** xorshift32: deterministic, full 32-bit period (an LCG in doubles loses its low bits and repeats early). */
const rnd = () => {
  seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
  return (seed >>> 0) / 4294967296;
};
/** NPAs that break no NANP structure rule (not N11, N9X, 37X, 96X). */
const NPAS = Array.from({ length: 800 }, (_, i) => i + 200).filter((n) => n % 100 !== 11 && Math.floor(n / 10) % 10 !== 9 && Math.floor(n / 10) !== 37 && Math.floor(n / 10) !== 96);
/** A random well-formed national number (NXX 200–999, not N11). */
const randomNational = () => {
  let nxx;
  do nxx = 200 + Math.floor(rnd() * 800); while (nxx % 100 === 11);
  return NPAS[Math.floor(rnd() * NPAS.length)] * 1e7 + nxx * 1e4 + Math.floor(rnd() * 10000);
};
const mb = (b) => +(b / 1048576).toFixed(1);
const mem = () => {
  gc();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers };
};

// 1. Synthetic list: `number` header, then one +1 number per line (13 bytes), written in 1 MB chunks.
const dir = mkdtempSync(join(tmpdir(), 'rmdgate-bench-dno-'));
const file = join(dir, 'dno.csv');
const listed = new Float64Array(Math.min(N, 1_000_000));
try {
  const tGen = performance.now();
  const chunks = ['number\n'];
  let chunk = '';
  for (let i = 0; i < N; i++) {
    const n = randomNational();
    if (i < listed.length) listed[i] = n;
    chunk += `+1${n}\n`;
    if (chunk.length > 1 << 20) { chunks.push(chunk); chunk = ''; }
  }
  chunks.push(chunk);
  writeFileSync(file, chunks.join(''));
  chunks.length = 0;
  const genMs = performance.now() - tGen;
  const bytes = statSync(file).size;

  // 2a. Memory, in a fresh process (this one has the generator's garbage): what the compiled list keeps.
  const child = spawnSync(process.execPath, ['--expose-gc', new URL(import.meta.url).pathname, '--load-only', file], { encoding: 'utf8', timeout: 300_000 });
  const fresh = JSON.parse(child.stdout);
  // 2b. Load here: read + decode (as the fetcher and body decoder do), then parse and compile.
  const before = mem();
  const t0 = performance.now();
  const text = readFileSync(file).toString('utf8');
  const t1 = performance.now();
  const list = parseDnoList(text, { file, list: 'bench', format: 'csv' });
  const t2 = performance.now();
  const after = mem();
  const perMillion = (k) => mb(((after[k] - before[k]) / N) * 1e6);

  // 3. Lookups: half listed numbers, half random ones (mostly misses).
  const probes = new Float64Array(65536);
  // (lookups probe 65,536 numbers spread over the whole table: cache misses included)
  for (let i = 0; i < probes.length; i++) probes[i] = i % 2 === 0 ? listed[Math.floor(rnd() * listed.length)] : randomNational();
  const NOW = 1_800_000_000_000;
  let hits = 0;
  const tl = process.hrtime.bigint();
  for (let i = 0; i < LOOKUPS; i++) if (list.lookup(probes[i & 65535], NOW) !== undefined) hits++;
  const lookupNs = Number(process.hrtime.bigint() - tl) / LOOKUPS;

  // 4. Core decision rate with calling-number screening off and on (the same facts, world and run).
  const { worldOff, worldOn, facts } = worlds(list, listed);
  const mix = { off: tally(worldOff, facts), on: tally(worldOn, facts) };
  const rounds = [];
  for (let r = 0; r < ROUNDS; r++) rounds.push({ off: rate(worldOff, facts), on: rate(worldOn, facts) });
  const median = (k) => rounds.map((x) => x[k]).sort((a, b) => a - b)[Math.floor(rounds.length / 2)];

  // 5. A refresh as the gate runs it (feeds/parser.ts: DNO lists in a worker thread) against the same parse inline:
  //    the longest the event loop that answers SIP went without a turn, sampled by a 1 ms timer.
  const body = readFileSync(file);
  const spec = { name: 'bench', kind: 'dno', source: { kind: 'file', path: file }, format: 'csv', maxShrinkFraction: 1 };
  const job = { source: file, loadedAt: Date.now(), maxBytes: 2 ** 31 };
  const stall = async (run) => {
    let last = performance.now();
    let worst = 0;
    const timer = setInterval(() => { const t = performance.now(); worst = Math.max(worst, t - last); last = t; }, 1);
    const t0 = performance.now();
    await run();
    const ms = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 5));
    clearInterval(timer);
    return { totalMs: Math.round(ms), longestEventLoopStallMs: Math.round(Math.max(worst, performance.now() - last)) };
  };
  const parser = createFeedParser({ maxBytes: 2 ** 31 });
  const refresh = { offThread: await stall(() => parser.parse(spec, body, job)), inline: await stall(async () => parseFeed(spec, body, job)) };
  await parser.close();

  console.log(JSON.stringify({
    node: process.version,
    refresh,
    numbers: list.numbers,
    fileBytes: bytes,
    generateMs: Math.round(genMs),
    load: { readDecodeMs: Math.round(t1 - t0), parseCompileMs: Math.round(t2 - t1), totalMs: Math.round(t2 - t0) },
    memory: {
      tableBytes: list.bytes,
      tableMbPerMillion: mb((list.bytes - 4 * 1_000_001) / N * 1e6),
      freshProcess: {
        loadMs: Math.round(fresh.ms), keptMb: { rss: mb(fresh.rss), heapUsed: mb(fresh.heapUsed), arrayBuffers: mb(fresh.arrayBuffers) },
        keptMbPerMillion: { rss: mb(fresh.rss / N * 1e6), arrayBuffers: mb(fresh.arrayBuffers / N * 1e6) }, peakRssMb: fresh.peakRssMb,
      },
      inThisProcessDeltaMb: { heapUsed: mb(after.heapUsed - before.heapUsed), arrayBuffers: mb(after.arrayBuffers - before.arrayBuffers), arrayBuffersPerMillion: perMillion('arrayBuffers') },
    },
    lookup: { count: LOOKUPS, nsPerLookup: +lookupNs.toFixed(1), hitRate: +(hits / LOOKUPS).toFixed(3) },
    decide: {
      iterations: ITER, rounds: ROUNDS, mix,
      perSecOff: Math.round(median('off')), perSecOn: Math.round(median('on')),
      ratioOnToOff: +(median('on') / median('off')).toFixed(3), target: 1_000_000, meetsTarget: median('on') >= 1_000_000,
    },
  }, null, 2));
  void text.length;
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** The bench-core world (10,000 trunks, 5,000 providers, 1,000 list entries, 4,000 filings) without and with the list. */
function worlds(list, listedNumbers) {
  const pad = (n, w) => String(n).padStart(w, '0');
  const providers = Array.from({ length: 5000 }, (_, i) => ({ id: `p${i}`, name: `Provider ${i} Telecom LLC`, rmdNumber: `RMD${pad(i + 1, 7)}`, frn: pad(9000000000 + i, 10), rmdRequired: true }));
  const trunks = [];
  for (let i = 0; i < 9500; i++) trunks.push({ id: `t${i}`, providerId: `p${i % 5000}`, sources: [`10.${(i >> 8) & 255}.${i & 255}.${(i % 200) + 1}/32`] });
  for (let i = 0; i < 500; i++) trunks.push({ id: `c${i}`, providerId: `p${(i * 7) % 5000}`, sources: [`172.${16 + (i >> 8)}.${i & 255}.0/24`] });
  const byRmdNumber = new Map(); const byFrn = new Map();
  for (let i = 0; i < 5000; i++) {
    if (i % 5 === 4) continue;
    const f = { rmdNumber: `RMD${pad(i + 1, 7)}`, frn: pad(9000000000 + i, 10), otherFrns: [], businessName: `Provider ${i} Telecom LLC`, otherNames: [], implementation: 'complete', implementationText: '', roles: { voiceServiceProvider: true, gateway: false, intermediate: true }, foreign: false, lastRecertified: '2026-02-01', lastUpdated: '2026-02-01', contactName: 'x', contactPhone: 'x', filingUrl: '' };
    byRmdNumber.set(f.rmdNumber, f); byFrn.set(f.frn, f);
  }
  const rmd = { id: 'bench', source: 'bench', loadedAt: 1, rows: byRmdNumber.size, byRmdNumber, byFrn };
  const entries = Array.from({ length: 1000 }, (_, i) => ({ id: `l:${i}`, list: 'l', kind: LIST_KINDS[i % LIST_KINDS.length], rmdNumber: i % 2 ? `RMD${pad(i * 3 + 1, 7)}` : undefined, frn: i % 2 ? undefined : pad(9000000000 + i * 3, 10), source: 'DA 00-000', effectiveAt: 0, expiresAt: i % 10 === 0 ? 1 : undefined }));
  const reasons = Object.fromEntries(POLICY_REASONS.map((r) => [r, { action: DEFAULT_REASON_SETTINGS[r].action, answer: toRejectAnswer(r, DEFAULT_REASON_SETTINGS[r], {}) }]));
  const policy = { mode: 'enforce', reasons, designated: Object.fromEntries(LIST_KINDS.map((k) => [k, 'block'])), defaultRoute: ['sip:core:5060'] };
  const alloc = new AllocationTableBuilder();
  for (let npa = 200; npa < 1000; npa++) for (let nxx = 200; nxx < 1000; nxx++) if ((npa + nxx) % 50 !== 0) alloc.add(npa, nxx);
  const base = { trunks, providers, rmd, blocklists: entries, policy, configVersion: 'bench' };
  const worldOff = compileWorld(base);
  const worldOn = compileWorld({ ...base, callingNumber: { source: 'pai-then-from', invalid: true, dno: [list], allocation: alloc.build(), allocationName: 'allocation' } });
  // Traffic as bench-core (90 % /32 trunks, 8 % CIDR trunks, 2 % unknown); calling numbers: 1 % DNO-listed,
  // 0.5 % invalid, the rest random well-formed numbers (2 % of codes unallocated); PAI on half the calls.
  const facts = Array.from({ length: FACTS }, () => {
    const r = rnd(); let ip;
    if (r < 0.9) { const i = Math.floor(rnd() * 9500); ip = `10.${(i >> 8) & 255}.${i & 255}.${(i % 200) + 1}`; }
    else if (r < 0.98) { const i = Math.floor(rnd() * 500); ip = `172.${16 + (i >> 8)}.${i & 255}.${Math.floor(rnd() * 254) + 1}`; }
    else ip = `192.0.2.${Math.floor(rnd() * 254) + 1}`;
    const c = rnd();
    const national = c < 0.01 ? listedNumbers[Math.floor(rnd() * listedNumbers.length)] : c < 0.015 ? 2021110100 : randomNational();
    const from = `"Caller" <sip:+1${national}@carrier.example.com;user=phone>;tag=abc123`;
    return { callId: 'x', receivedAt: 1_800_000_000_000, transport: 'udp', sourceAddress: ip, sourcePort: 5060, requestUri: 'sip:+12025550123@gw', from, ...(rnd() < 0.5 ? { pAssertedIdentity: `<sip:+1${national}@carrier.example.com;user=phone>` } : {}) };
  });
  return { worldOff, worldOn, facts };
}

function tally(world, facts) {
  const out = {};
  for (const f of facts) { const d = decide(f, world); const k = d.kind === 'reject' ? d.reason : d.wouldBlock ? `would-block:${d.reason}` : 'allow'; out[k] = (out[k] ?? 0) + 1; }
  return out;
}

function rate(world, facts) {
  const mask = facts.length - 1; let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < ITER; i++) sink += decide(facts[i & mask], world).kind === 'allow' ? 1 : 0;
  const ns = Number(process.hrtime.bigint() - t0);
  if (sink < 0) console.log(sink);
  return ITER / (ns / 1e9);
}
