#!/usr/bin/env node
// Scrape cost under load: runs rmdgate in-process (built-in front on 127.0.0.1), drives it with sipp at RATE calls/s
// (default 8000, allowed calls → 302 + ACK) for about 20 s, and alternates windows without and with a /metrics scrape
// every second. The scraper is a separate child process, so only the gate's own CPU is measured (process.cpuUsage).
// Prints CPU per call in both kinds of window and their ratio (noisy on a shared 2-core box), plus a steadier
// estimate: the CPU of one scrape (measured after the load, 50 back-to-back) over the CPU per second of traffic.
// Run: npm run build && node scripts/bench-scrape.mjs
// Env: RATE (calls/s), WINDOW_S (seconds per window, default 2), WINDOWS (default 16, ABBA order off/on/on/off), SIPP (path).
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { parseConfigText } from '../dist/config/load.js';
import { start } from '../dist/main.js';
import { benchGateConfig } from './bench-gate-config.mjs';
import { cpuSample, hostCpuBetween, udpDrops } from './host-cpu.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const RATE = Number(process.env.RATE ?? 8000);
const WINDOW_S = Number(process.env.WINDOW_S ?? 2);
const WINDOWS = Number(process.env.WINDOWS ?? 16);
const BURST = 50;
const WARMUP_S = 2;
const SIPP = process.env.SIPP ?? '/usr/bin/sipp';
const SCENARIO = join(ROOT, 'test/sip/builtin/scenarios/uac-allowed-expect-302.xml');
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/** A child process that GETs /metrics once a second while switched on (IPC 'on' / 'off'); reports scrapes and bytes. */
function startScraper(url) {
  const code = `let t; let n = 0; let bytes = 0;
process.on('message', (m) => {
  const tick = () => fetch(${JSON.stringify(url)}).then((r) => r.text()).then((s) => { n++; bytes = s.length; });
  if (m === 'on') { n = 0; tick(); t = setInterval(tick, 1000); }
  else if (m === 'off') { clearInterval(t); process.send({ n, bytes }); }
  else if (m === 'burst') (async () => { for (let i = 0; i < ${BURST}; i++) await fetch(${JSON.stringify(url)}).then((r) => r.text()); process.send({ burst: true }); })();
  else if (m === 'exit') process.exit(0);
});`;
  return spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

async function invites(app) {
  const m = await app.metrics.registry.getSingleMetric('rmdgate_invites_total').get();
  return m.values.reduce((sum, v) => sum + v.value, 0);
}

/** CPU of the gate per scrape, ms: BURST back-to-back scrapes after the load, minus the idle CPU of the same wall time. */
async function measureScrapeCpu(scraper) {
  const idle0 = process.cpuUsage();
  const t0 = performance.now();
  await sleep(1000);
  const idle = process.cpuUsage(idle0);
  const idleMsPerMs = (idle.user + idle.system) / 1000 / (performance.now() - t0);
  const done = new Promise((ok) => scraper.once('message', ok));
  const cpu0 = process.cpuUsage();
  const t1 = performance.now();
  scraper.send('burst');
  await done;
  const cpu = process.cpuUsage(cpu0);
  return ((cpu.user + cpu.system) / 1000 - idleMsPerMs * (performance.now() - t1)) / BURST;
}

function startSipp(port, dir, seconds) {
  const args = ['-sf', SCENARIO, '-i', '127.0.0.1', '-p', '0', '-t', 'u1', '-r', String(RATE), '-rp', '1000', '-l', String(RATE * 4),
    '-m', String(RATE * seconds), '-timeout', `${seconds + 10}s`, '-s', '2025550123', '-nostdin', '-max_socket', '2048', `127.0.0.1:${port}`];
  const child = spawn(SIPP, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (b) => (err = (err + b).slice(-2000)));
  const done = new Promise((ok) => child.once('exit', (code) => ok({ code, err })));
  return { child, done };
}

async function measureWindow(app, scraper, scrape) {
  const scraped = scrape ? new Promise((ok) => scraper.once('message', ok)) : Promise.resolve(undefined);
  if (scrape) scraper.send('on');
  const calls0 = await invites(app);
  const cpu0 = process.cpuUsage();
  const host0 = cpuSample();
  await sleep(WINDOW_S * 1000);
  const cpu = process.cpuUsage(cpu0);
  const host = hostCpuBetween(host0, cpuSample());
  const calls = (await invites(app)) - calls0;
  if (scrape) scraper.send('off');
  const s = await scraped;
  const cpuUs = cpu.user + cpu.system;
  return { scrape, calls, cpuMs: cpuUs / 1000, cpuUsPerCall: calls > 0 ? cpuUs / calls : NaN, callsPerS: calls / WINDOW_S, scrapes: s?.n ?? 0, scrapeBytes: s?.bytes ?? 0, stealPercent: host?.stealPercent ?? null };
}

let loadRunning = false;

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'rmdgate-bench-scrape-'));
  const sink = new Writable({ write: (_c, _e, done) => done() });
  const app = await start(parseConfigText(benchGateConfig({ dir, ops: true }), join(ROOT, 'config/bench-scrape.yaml'), {}), { logDestination: sink });
  const scraper = startScraper(`http://127.0.0.1:${app.ops.port}/metrics`);
  // Time the exposition on the gate's event loop while the load runs. /metrics serialises one metric per event-loop
  // turn (exposeMetrics in ops-server.ts): each slice's wall time is main-thread CPU; a scrape's cost is their sum.
  const registry = app.metrics.registry;
  const one = registry.getSingleMetricAsString.bind(registry);
  let scrapeSum = 0;
  let lastSlice = 0;
  registry.getSingleMetricAsString = async (name) => {
    const t0 = performance.now();
    const text = await one(name);
    const took = performance.now() - t0;
    if (loadRunning) {
      if (t0 - lastSlice > 100 && scrapeSum > 0) {
        results.exposeMs.push(scrapeSum);
        scrapeSum = 0;
      }
      scrapeSum += took;
      results.sliceMaxMs = Math.max(results.sliceMaxMs ?? 0, took);
      lastSlice = t0;
    }
    return text;
  };
  const total = WARMUP_S + WINDOW_S * WINDOWS + 2;
  const sipp = startSipp(app.sip[0].port, dir, total);
  const results = [];
  results.exposeMs = [];
  let drops0 = null;
  try {
    await sleep(WARMUP_S * 1000);
    loadRunning = true;
    drops0 = udpDrops();
    // ABBA order (off, on, on, off, ...): a drift in the host's speed over the run cancels out of the pairs.
    for (let i = 0; i < WINDOWS; i++) results.push(await measureWindow(app, scraper, i % 4 === 1 || i % 4 === 2));
    loadRunning = false;
    const drops1 = udpDrops();
    results.udpDrops = drops0 === null || drops1 === null ? null : drops1 - drops0;
  } finally {
    sipp.child.kill('SIGTERM');
    const exit = await Promise.race([sipp.done, sleep(5000).then(() => ({ code: 'timeout', err: '' }))]);
    if (exit.code === 'timeout') sipp.child.kill('SIGKILL');
  }
  try {
    await sleep(2000);
    results.scrapeCpuMs = await measureScrapeCpu(scraper);
  } finally {
    scraper.send('exit');
    await app.stop();
    const errors = await readFile(join(dir, 'uac-allowed-expect-302_errors.log'), 'utf8').catch(() => '');
    await rm(dir, { recursive: true, force: true });
    if (errors) process.stderr.write(`sipp errors (first 500 chars):\n${errors.slice(0, 500)}\n`);
  }
  report(results);
}

function report(results) {
  const agg = (on) => {
    const w = results.filter((r) => r.scrape === on);
    const calls = w.reduce((s, r) => s + r.calls, 0);
    const cpuMs = w.reduce((s, r) => s + r.cpuMs, 0);
    return { windows: w.length, calls, cpuMs: Math.round(cpuMs), cpuUsPerCall: (cpuMs * 1000) / calls, callsPerS: calls / (w.length * WINDOW_S) };
  };
  const off = agg(false);
  const on = agg(true);
  const ratio = on.cpuUsPerCall / off.cpuUsPerCall;
  // One ratio per adjacent (off, on) pair of windows; their median resists a window disturbed by the host.
  const pairRatios = [];
  for (let i = 0; i + 1 < results.length; i += 2) {
    const [a, b] = [results[i], results[i + 1]];
    const [o, n] = a.scrape ? [b, a] : [a, b];
    pairRatios.push(n.cpuUsPerCall / o.cpuUsPerCall);
  }
  const sorted = [...pairRatios].sort((x, y) => x - y);
  const pick = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  const pairMedian = pick(0.5);
  for (const r of results) console.log(`${r.scrape ? 'scrape 1/s' : 'no scrape '}: ${r.calls} calls (${r.callsPerS.toFixed(0)}/s), ${r.cpuMs.toFixed(0)} ms CPU, ${r.cpuUsPerCall.toFixed(2)} µs CPU/call, steal ${r.stealPercent ?? '?'} %${r.scrape ? `, ${r.scrapes} scrapes of ${r.scrapeBytes} B` : ''}`);
  const estimate = (results.scrapeCpuMs / ((off.cpuMs / (off.windows * WINDOW_S)))) * 100;
  const expose = [...results.exposeMs].sort((x, y) => x - y);
  const exposeMedian = expose.length > 0 ? expose[Math.floor(expose.length / 2)] : NaN;
  const underLoad = (exposeMedian / ((off.cpuMs / (off.windows * WINDOW_S)))) * 100;
  const round = (x) => Number(x.toFixed(4));
  console.log(JSON.stringify({ rate: RATE, windowS: WINDOW_S, off, on, cpuPerCallRatio: round(ratio), pairRatioMedian: round(pairMedian), pairRatioQuartiles: [round(pick(0.25)), round(pick(0.75))], udpDropsDuringWindows: results.udpDrops, exposeUnderLoadMs: { n: expose.length, median: Number(exposeMedian.toFixed(3)), max: Number((expose.at(-1) ?? NaN).toFixed(3)), longestSlice: Number((results.sliceMaxMs ?? NaN).toFixed(3)) }, exposeUnderLoadPercent: Number(underLoad.toFixed(3)), scrapeCpuMs: Number(results.scrapeCpuMs.toFixed(3)), estimatedOverheadPercent: Number(estimate.toFixed(3)) }));
  console.log(`CPU per call with scraping / without (same run, ABBA windows): pooled ${ratio.toFixed(4)} (${((ratio - 1) * 100).toFixed(2)} %), median of ${pairRatios.length} pairs ${pairMedian.toFixed(4)} (${((pairMedian - 1) * 100).toFixed(2)} %; quartiles ${pick(0.25).toFixed(4)}–${pick(0.75).toFixed(4)}); budget ≤ 2 %`);
  console.log(`one scrape costs ${results.scrapeCpuMs.toFixed(2)} ms CPU → at 1 scrape/s that is ${estimate.toFixed(2)} % of the gate's CPU at ${off.callsPerS.toFixed(0)} calls/s`);
  console.log(`under load, building the exposition took ${exposeMedian.toFixed(2)} ms of the event loop (median of ${expose.length}, max ${(expose.at(-1) ?? NaN).toFixed(2)}; longest single slice ${(results.sliceMaxMs ?? NaN).toFixed(2)} ms) → ${underLoad.toFixed(2)} % of the gate's CPU per second at 1 scrape/s`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
