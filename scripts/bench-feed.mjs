#!/usr/bin/env node
// Benchmark of a live RMD update (run after `npm run build`): the real gate (dist/main.js start()) with a file-sourced
// 10,000-row RMD snapshot (scripts/gen-rmd.mjs). Part A times refresh → parse (parser process) → validate → persist → diff →
// compile → swap, the inline parse alone, and compose+swap alone, and records the longest event-loop block during
// each refresh, for a typical day (20 new filings) and for a snapshot where every row changed. Part B swaps a new snapshot while scripts/bench-feed-load.mjs (child process) sends 8,000 INVITEs/s and
// compares the p99 latency of the seconds a swap overlapped with the other seconds. Bounded: fixed rounds, fixed load duration.
// Usage: node scripts/bench-feed.mjs [--rows 10000] [--rounds 7] [--rate 8000] [--seconds 30] [--every 4] [--trunks 200]
//          [--driver node|sipp] [--swap typical|full] [--parts AB]   (a swap every --every s after a 3.5 s warm-up)
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, copyFileSync, fsyncSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver, constants, monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { start } from '../dist/main.js';
import { parseConfigText } from '../dist/config/load.js';
import { parseRmdFeed, toPreparedConfig } from '../dist/feeds/index.js';
import { composeWorld } from '../dist/feeds/world.js';
import { createWorldHolder } from '../dist/screening/index.js';
import { runSipp } from './bench-feed-sipp.mjs';
import { cpuSample, hostCpuBetween, udpDrops } from './host-cpu.mjs';

const { values } = parseArgs({ options: {
  rows: { type: 'string', default: '10000' }, rounds: { type: 'string', default: '7' }, rate: { type: 'string', default: '8000' },
  seconds: { type: 'string', default: '30' }, trunks: { type: 'string', default: '200' }, driver: { type: 'string', default: 'node' },
  every: { type: 'string', default: '4' }, parts: { type: 'string', default: 'AB' },
  swap: { type: 'string', default: 'typical' },
} });
const ROWS = Number(values.rows);
const ROUNDS = Number(values.rounds);
const TRUNKS = Number(values.trunks);
const here = new URL('.', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'rmdgate-bench-feed-'));
const sink = { write: () => undefined };
const ms = (t) => +t.toFixed(2);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function config() {
  const pad = (i) => String(1_000_000 + i).padStart(7, '0');
  const providers = Array.from({ length: TRUNKS }, (_, i) => `  - { id: p${i}, name: "Bench ${i} LLC", rmdNumber: RMD${pad(i + 1)} }`);
  const trunks = Array.from({ length: TRUNKS }, (_, i) => `  - { id: t${i}, provider: p${i}, sources: [${i === 0 ? '127.0.0.2' : `10.0.${i >> 8}.${i & 255}`}/32] }`);
  return `sip:
  listen: [{ transport: udp, address: 127.0.0.1, port: 0 }]
  defaultRoute: [sip:127.0.0.1:5070]
data: { rmd: { path: rmd.csv } }
feeds: { stateDir: state, refreshMinutes: 1440 }
providers:
${providers.join('\n')}
trunks:
${trunks.join('\n')}
cdr: { dir: cdr }
log: { level: warn }
ops: { listen: false }
admin: { listen: false }
`;
}

/** Alternates the rmd file between `pair` and times each refresh and the longest event-loop block during it. */
async function refreshRounds(app, pair) {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  const rounds = [];
  for (let r = 0; r < ROUNDS; r++) {
    copyFileSync(pair[(r + 1) % 2], join(dir, 'rmd.csv'));
    loop.reset();
    loop.enable();
    const t0 = performance.now();
    const [report] = await app.feeds.refresh('rmd');
    const total = performance.now() - t0;
    loop.disable();
    if (report.outcome !== 'updated') throw new Error(`round ${r}: ${report.outcome} ${report.code ?? ''}`);
    rounds.push({ refreshMs: ms(total), maxLoopBlockMs: ms(loop.max / 1e6) });
  }
  return { medianMs: median(rounds.map((x) => x.refreshMs)), maxMs: Math.max(...rounds.map((x) => x.refreshMs)), maxLoopBlockMs: Math.max(...rounds.map((x) => x.maxLoopBlockMs)), medianLoopBlockMs: median(rounds.map((x) => x.maxLoopBlockMs)), rounds };
}

async function idleLoopBlock(msWindow) {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  await new Promise((r) => setTimeout(r, msWindow));
  loop.disable();
  return ms(loop.max / 1e6);
}

async function partA(app, files) {
  const idle = await idleLoopBlock(2000);
  const typical = await refreshRounds(app, [files[0], files[2]]);
  const full = await refreshRounds(app, [files[0], files[1]]);
  const bytes = readFileSync(files[0]);
  const inline = Array.from({ length: ROUNDS }, () => {
    const t0 = performance.now();
    parseRmdFeed(bytes, { source: 'bench', loadedAt: 0, maxBytes: 2 ** 31 });
    return performance.now() - t0;
  });
  const loaded = parseConfigText(config(), join(dir, 'gate.yaml'));
  const prepared = toPreparedConfig(loaded.config, loaded.version, loaded.resolvePath);
  const snapshot = parseRmdFeed(bytes, { source: 'bench', loadedAt: 0, maxBytes: 2 ** 31 }).snapshot;
  const holder = createWorldHolder(app.world());
  const swap = Array.from({ length: ROUNDS }, () => {
    const t0 = performance.now();
    holder.swap(composeWorld(prepared.part, { rmd: snapshot, rmdWithheld: false, blocklists: [], rmdGrace: new Set(), extraFilings: [] }));
    return performance.now() - t0;
  });
  copyFileSync(files[0], join(dir, 'rmd.csv'));
  await app.feeds.refresh('rmd');
  return {
    idleMaxLoopBlockMs: idle,
    refreshTypicalDay: typical,
    refreshEveryRowChanged: full,
    inlineParseValidate: { medianMs: ms(median(inline)), maxMs: ms(Math.max(...inline)) },
    composeAndSwap: { medianMs: ms(median(swap)), maxMs: ms(Math.max(...swap)) },
  };
}

const sleep = (msWait) => new Promise((r) => setTimeout(r, Math.max(0, msWait)));
let loadStartedAt = 0;

/** Starts the load driver; resolves with its per-second report when it is done. */
function startLoad(port) {
  loadStartedAt = performance.now();
  if (values.driver === 'sipp') return runSipp({ port, rate: Number(values.rate), seconds: Number(values.seconds), dir });
  const child = spawn(process.execPath, [join(here, 'bench-feed-load.mjs'), '--port', String(port), '--rate', values.rate, '--seconds', values.seconds], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  return new Promise((resolve) => child.on('exit', () => resolve(JSON.parse(out.trim().split('\n').at(-1)))));
}

/** Seconds of load before the measured window (JIT and socket warm-up; their losses are reported apart). */
const WARMUP_SECONDS = 2;

/** Per wall-clock second of the gate process: GC pause total, longest, longest major (mark-compact); event-loop delay p99 and max (ms). */
function gateSeconds() {
  const secs = new Map();
  const at = (sec) => secs.get(sec) ?? secs.set(sec, { gcMs: 0, gcMaxMs: 0, majorGcMaxMs: 0 }).get(sec);
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const s = at(Math.floor((performance.timeOrigin + e.startTime) / 1000));
      s.gcMs += e.duration;
      s.gcMaxMs = Math.max(s.gcMaxMs, e.duration);
      if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) s.majorGcMaxMs = Math.max(s.majorGcMaxMs, e.duration);
    }
  });
  gc.observe({ entryTypes: ['gc'] });
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  let sec = Math.floor(Date.now() / 1000);
  const timer = setInterval(() => {
    const now = Math.floor(Date.now() / 1000);
    if (now === sec) return;
    Object.assign(at(sec), { loopP99Ms: ms(loop.percentile(99) / 1e6), loopMaxMs: ms(loop.max / 1e6) });
    loop.reset();
    sec = now;
  }, 50);
  return () => {
    clearInterval(timer);
    loop.disable();
    gc.disconnect();
    for (const s of secs.values()) Object.assign(s, { gcMs: ms(s.gcMs), gcMaxMs: ms(s.gcMaxMs), majorGcMaxMs: ms(s.majorGcMaxMs) });
    return secs;
  };
}

/**
 * Swaps snapshots every --every seconds while the load runs (alternating the base export with the typical-day or
 * every-row-changed one) and compares the p99 latency of the seconds a refresh overlapped with the seconds none did:
 * the median of each, and the median of per-swap deltas against the quiet second just before each swap.
 */
/**
 * Every export the swaps will need, written and fsync'd before the load starts: at swap time it is only renamed into
 * place (as an external updater would). Copying 4.7 MB during the load — even off the gate's thread — stalled the
 * host's two CPUs and showed in the p99 of the second before each swap.
 */
function stageExports(files, count) {
  return Array.from({ length: count }, (_, k) => {
    const path = join(dir, `stage-${k}.csv`);
    copyFileSync(k % 2 === 0 ? (values.swap === 'full' ? files[1] : files[2]) : files[0], path);
    const fd = openSync(path, 'r+');
    fsyncSync(fd);
    closeSync(fd);
    return path;
  });
}

async function partB(app, files) {
  const staged = stageExports(files, Math.ceil(Number(values.seconds) / Number(values.every)) + 2);
  const stopGate = gateSeconds();
  const cpu0 = cpuSample();
  const drops0 = udpDrops();
  const loadDone = startLoad(app.sip[0].port);
  const seconds = Number(values.seconds);
  const every = Number(values.every);
  const swaps = [];
  await sleep((WARMUP_SECONDS + 1.5) * 1000);
  for (let k = 0; performance.now() < loadStartedAt + (seconds - 2) * 1000; k++) {
    renameSync(staged[k], join(dir, 'rmd.csv'));
    const start = Date.now();
    const [report] = await app.feeds.refresh('rmd');
    swaps.push({ start, end: Date.now(), outcome: report.outcome });
    await sleep(every * 1000 - (Date.now() - start));
  }
  const load = await loadDone;
  const host = { ...hostCpuBetween(cpu0, cpuSample()), udpDrops: drops0 === null ? null : udpDrops() - drops0 };
  const gate = stopGate();
  for (const sec of load.perSecond) Object.assign(sec, { gate: gate.get(sec.sec) });
  const measured = load.perSecond.slice(WARMUP_SECONDS + 1, -1);
  const swapSecs = new Set();
  for (const w of swaps) for (let sec = Math.floor(w.start / 1000); sec <= Math.floor(w.end / 1000); sec++) swapSecs.add(sec);
  for (const sec of measured) sec.swap = swapSecs.has(sec.sec);
  const during = measured.filter((x) => x.swap);
  const quiet = measured.filter((x) => !x.swap);
  const lost = (list) => list.reduce((a, x) => a + (x.lost ?? 0), 0);
  const deltas = [];
  for (const w of swaps) {
    const first = Math.floor(w.start / 1000);
    const before = measured.find((x) => x.sec === first - 1 && !x.swap);
    const hit = measured.filter((x) => x.sec >= first && x.sec <= Math.floor(w.end / 1000));
    if (before && hit.length > 0) deltas.push(+(Math.max(...hit.map((x) => x.p99)) - before.p99).toFixed(3));
  }
  return {
    driver: values.driver, swap: values.swap, rate: Number(values.rate), host, swaps: swaps.length, outcomes: [...new Set(swaps.map((w) => w.outcome))],
    swapMs: swaps.map((w) => w.end - w.start), sent: load.sent, answered: load.answered,
    lostWarmup: lost(load.perSecond.slice(0, WARMUP_SECONDS + 1)), lostQuiet: lost(quiet), lostDuringSwap: lost(during), duplicates: load.duplicates,
    quietSeconds: quiet.length, swapSeconds: during.length,
    quietP99MedianMs: median(quiet.map((x) => x.p99)), swapP99MedianMs: median(during.map((x) => x.p99)),
    p99DeltaMedianMs: +(median(during.map((x) => x.p99)) - median(quiet.map((x) => x.p99))).toFixed(3),
    perSwapDeltaMs: deltas, perSwapDeltaMedianMs: deltas.length > 0 ? median(deltas) : null,
    perSecond: load.perSecond,
  };
}

try {
  // a: the snapshot; b: every row different (other seed); c: a typical next day (a plus 20 new filings).
  const files = [join(dir, 'a.csv'), join(dir, 'b.csv'), join(dir, 'c.csv')];
  const gen = (out, rows, seed) => execFileSync(process.execPath, [join(here, 'gen-rmd.mjs'), '--rows', String(rows), '--out', out, '--seed', String(seed)]);
  gen(files[0], ROWS, 1);
  gen(files[1], ROWS, 2);
  gen(files[2], ROWS + 20, 1);
  copyFileSync(files[0], join(dir, 'rmd.csv'));
  writeFileSync(join(dir, 'gate.yaml'), config());
  const app = await start(parseConfigText(config(), join(dir, 'gate.yaml')), { logDestination: sink, defaultMetrics: false, watchConfig: false, handleSignals: false });
  try {
    const a = values.parts.includes('A') ? await partA(app, files) : undefined;
    const b = values.parts.includes('B') ? await partB(app, files) : undefined;
    console.log(JSON.stringify({ node: process.version, rows: ROWS, trunks: TRUNKS, partA: a, partB: b }, null, 2));
  } finally {
    await app.stop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
