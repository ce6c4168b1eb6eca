#!/usr/bin/env node
// Built-in front throughput, A/B: two builds of rmdgate (each `node <dist>/cli.js serve`, a separate process) take the
// same UDP load from scripts/bench-feed-load.mjs (INVITE → 302 → ACK, from the allowed trunk 127.0.0.1), one after
// the other, ABAB..., at each rate. Per run: calls answered of calls sent, p50/p99 latency, and the gate's CPU per
// answered call (utime + stime from /proc/<pid>/stat over the load window). Prints a table and, per rate, the median
// ratio B/A of CPU per call, so a noisy shared host still gives a comparable figure.
//   node scripts/bench-front.mjs --a ../previous/dist --b dist [--rates 2000,4000,6000] [--seconds 10] [--rounds 2]
// Both builds must be built (npm run build). Linux only (/proc). Bounded: rates × rounds × 2 runs of --seconds each.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { benchGateConfig } from './bench-gate-config.mjs';
import { cpuSample, hostCpuBetween, udpDrops } from './host-cpu.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    a: { type: 'string' }, b: { type: 'string', default: 'dist' }, rates: { type: 'string', default: '2000,4000,6000' },
    seconds: { type: 'string', default: '10' }, rounds: { type: 'string', default: '2' }, 'log-level': { type: 'string', default: 'info' },
  },
});
if (values.a === undefined) {
  console.error('usage: node scripts/bench-front.mjs --a OTHER_BUILD/dist [--b dist] [--rates 2000,4000,6000] [--seconds 10] [--rounds 2]');
  process.exit(2);
}
const BUILDS = { A: resolve(values.a), B: resolve(values.b) };
const RATES = values.rates.split(',').map(Number);
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const CLK_TCK = 100;
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

function cpuTicks(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime
}

/** Starts one build's gate; resolves with its pid, UDP port and a stop function. */
async function startGate(dist, dir) {
  writeFileSync(join(dir, 'gate.yaml'), benchGateConfig({ dir, logLevel: values['log-level'] }));
  const child = spawn(process.execPath, [join(dist, 'cli.js'), 'serve', '--config', join(dir, 'gate.yaml')], { stdio: ['ignore', 'pipe', 'inherit'] });
  let buffered = '';
  const port = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`gate from ${dist} did not start`)), 30_000);
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      const m = /"sip":\[\{"transport":"udp","address":"[^"]+","port":(\d+)/.exec(buffered);
      if (m) {
        clearTimeout(timer);
        ok(Number(m[1]));
      }
    });
    child.once('exit', (code) => fail(new Error(`gate from ${dist} exited (${code})`)));
  });
  child.stdout.resume();
  const stop = () => new Promise((ok) => {
    child.once('exit', ok);
    child.kill('SIGTERM');
  });
  return { pid: child.pid, port, stop };
}

function runLoad(port, rate, seconds = SECONDS) {
  return new Promise((ok, fail) => {
    const load = spawn(process.execPath, [join(ROOT, 'scripts/bench-feed-load.mjs'), '--port', String(port), '--rate', String(rate), '--seconds', String(seconds), '--src', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    load.stdout.on('data', (c) => (out += c));
    load.once('exit', (code) => (code === 0 ? ok(JSON.parse(out)) : fail(new Error(`load exited ${code}`))));
  });
}

async function runOne(name, rate) {
  const dir = mkdtempSync(join(tmpdir(), `rmdgate-bench-front-${name}-`));
  const gate = await startGate(BUILDS[name], dir);
  try {
    await runLoad(gate.port, Math.min(rate, 2000), 3).catch(() => undefined); // warm-up: JIT, caches
    await sleep(500);
    const cpu0 = cpuTicks(gate.pid);
    const host0 = cpuSample();
    const drops0 = udpDrops();
    const r = await runLoad(gate.port, rate);
    const cpu = (cpuTicks(gate.pid) - cpu0) / CLK_TCK;
    const lat = r.perSecond.filter((s) => s.p99 !== null);
    const p = (k) => +(lat.map((s) => s[k]).sort((x, y) => x - y)[Math.floor(lat.length / 2)] ?? NaN).toFixed(2);
    return {
      build: name, rate, sent: r.sent, answered: r.answered, cpuUsPerCall: +((cpu * 1e6) / Math.max(1, r.answered)).toFixed(1),
      p50Ms: p('p50'), p99Ms: p('p99'), udpDrops: (udpDrops() ?? 0) - (drops0 ?? 0), host: hostCpuBetween(host0, cpuSample()),
    };
  } finally {
    await gate.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const results = [];
for (const rate of RATES) {
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of round % 2 === 0 ? ['A', 'B'] : ['B', 'A']) {
      const r = await runOne(name, rate);
      results.push(r);
      console.log(JSON.stringify(r));
    }
  }
}
const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};
console.log(`\nA = ${BUILDS.A}\nB = ${BUILDS.B}\n`);
console.log('rate    build  answered/sent        CPU µs/call  p50 ms  p99 ms  steal %');
for (const r of results) {
  console.log(`${String(r.rate).padEnd(8)}${r.build.padEnd(7)}${`${r.answered}/${r.sent}`.padEnd(21)}${String(r.cpuUsPerCall).padEnd(13)}${String(r.p50Ms).padEnd(8)}${String(r.p99Ms).padEnd(8)}${r.host?.stealPercent ?? '-'}`);
}
console.log('\nper rate, median CPU per call B/A (below 1: B is cheaper) and answered share:');
for (const rate of RATES) {
  const of = (b) => results.filter((r) => r.rate === rate && r.build === b);
  const ratio = median(of('B').map((r) => r.cpuUsPerCall)) / median(of('A').map((r) => r.cpuUsPerCall));
  const share = (b) => (of(b).reduce((s, r) => s + r.answered, 0) / of(b).reduce((s, r) => s + r.sent, 0) * 100).toFixed(2);
  console.log(`  ${rate}/s: B/A ${ratio.toFixed(3)}; answered A ${share('A')} %, B ${share('B')} %`);
}
