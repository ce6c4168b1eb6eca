#!/usr/bin/env node
// Smoke run of scripts/bench-drachtio.sh without drachtio-server (`scripts/bench-drachtio.sh --standin`): the bare app
// and rmdgate, each in its own process, connect to the drachtio-server stand-in (test/support), which injects CALLS
// INVITE frames (WINDOW in flight) and counts the 302s. MEASURES the apps' own cost per call — drachtio wire protocol,
// srf parsing, screening, CDR writing, the response frame — and their throughput as driven by one Node process.
// DOES NOT measure drachtio-server, SIP over UDP/TCP, retransmissions or sipp timing; the stand-in (single-threaded, in
// this process) caps the rate, so only the CPU-per-call ratio is meaningful, and only as a regression smoke check.
// Env: CALLS, WARMUP, WINDOW, BENCH_CDR sqlite|jsonl|none, BENCH_PROFILE_DIR (write .cpuprofile files of both apps).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const SECRET = 'bench-standin-secret';
const CALLS = Number(process.env.CALLS ?? 3000);
const WARMUP = Number(process.env.WARMUP ?? 300);
const WINDOW = Number(process.env.WINDOW ?? 32);
const CDR = process.env.BENCH_CDR ?? 'sqlite';

if (process.env.RMDGATE_BENCH_TS !== '1') {
  // The stand-in is test TypeScript: re-run this script under tsx's loader, as off-thread entries run from sources.
  const { entryOf } = await import('../dist/lib/index.js');
  const { execArgv } = entryOf('./unused.js', new URL('./bench.ts', import.meta.url).href);
  const child = spawn(process.execPath, [...execArgv, fileURLToPath(import.meta.url)], { stdio: 'inherit', env: { ...process.env, RMDGATE_BENCH_TS: '1' } });
  child.on('exit', (code) => process.exit(code ?? 1));
} else {
  process.exitCode = await main();
}

async function main() {
  const { createDrachtioStandin } = await import('../test/support/drachtio-standin.ts');
  const { compare, readCpuSeconds, result } = await import('./bench-drachtio-report.mjs');
  const clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  const work = mkdtempSync(join(tmpdir(), 'rmdgate-bench-standin-'));
  try {
    const results = [];
    for (const name of ['bare', 'rmdgate']) results.push(await runOne(name, work, { createDrachtioStandin, readCpuSeconds, result, clkTck }));
    console.log(`stand-in smoke: ${CALLS} INVITEs per app, ${WINDOW} in flight, CDR sink ${CDR} (rate ratio is not meaningful here)`);
    return compare(results[0], results[1]) ? 0 : 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function runOne(name, work, { createDrachtioStandin, readCpuSeconds, result, clkTck }) {
  const standin = createDrachtioStandin({ secret: SECRET });
  const { port } = await standin.listen();
  const env = { ...process.env, DRACHTIO_ADDRESS: `127.0.0.1:${port}`, DRACHTIO_SECRET: SECRET, BENCH_MODE: 'redirect' };
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`, `--cpu-prof-name=${name}.cpuprofile`] : [];
  const args = [...profile, ...(name === 'bare' ? [join(ROOT, 'scripts/bench-drachtio-bare.mjs')] : [join(ROOT, 'dist/cli.js'), 'serve', '--config', writeConfig(work, port)])];
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    const conn = await standin.waitForApp({ routes: ['invite'], timeoutMs: 20_000 });
    await load(conn, WARMUP);
    const cpu0 = readCpuSeconds(child.pid, clkTck);
    const started = performance.now();
    const { ok, failed } = await load(conn, CALLS);
    const elapsedS = (performance.now() - started) / 1000;
    return result(name, { successful: ok, failed, elapsedS, cpuSeconds: readCpuSeconds(child.pid, clkTck) - cpu0 });
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
    await standin.close();
  }
}

/** Sends `n` INVITEs from 127.0.0.1 with WINDOW in flight; a call is ok when its only response is a 302. */
async function load(conn, n) {
  let next = 0;
  let ok = 0;
  let failed = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const sent = conn.sendRequest(invite(i), { sourceAddress: '127.0.0.1' });
      let timer;
      const responses = await Promise.race([sent.responses, new Promise((r) => (timer = setTimeout(r, 5000, [])))]);
      clearTimeout(timer);
      if (responses.length === 1 && responses[0].status === 302) ok++;
      else failed++;
    }
  };
  await Promise.all(Array.from({ length: WINDOW }, worker));
  return { ok, failed };
}

function invite(i) {
  const callId = `bench-${process.pid}-${i}-${Date.now()}@127.0.0.1`;
  return [
    'INVITE sip:+12025550123@127.0.0.1:5060;user=phone SIP/2.0',
    `Via: SIP/2.0/UDP 127.0.0.1:5081;branch=z9hG4bK-bench-${i}-${Date.now()}`,
    `From: <sip:+12025550100@127.0.0.1:5081;user=phone>;tag=b${i}`,
    'To: <sip:+12025550123@127.0.0.1:5060;user=phone>',
    `Call-ID: ${callId}`,
    'CSeq: 1 INVITE',
    'Contact: <sip:+12025550100@127.0.0.1:5081>',
    'Max-Forwards: 70',
    'P-Asserted-Identity: <sip:+12025550100@127.0.0.1;user=phone>',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

function writeConfig(work, port) {
  const samples = join(ROOT, 'config/samples');
  const file = join(work, 'rmdgate-standin.yaml');
  writeFileSync(file, `node: { id: bench-standin }
sip:
  front: drachtio
  defaultRoute: [ "sip:127.0.0.1:5070;transport=udp" ]
  drachtio: { host: 127.0.0.1, port: ${port}, pingIntervalMs: 0, allowAction: redirect }
data:
  rmd: { path: ${JSON.stringify(join(samples, 'rmd.csv'))} }
  blocklists: [ { name: fcc-k4, path: ${JSON.stringify(join(samples, 'lists/fcc-k4.yaml'))}, kind: k4 } ]
feeds: { stateDir: ${JSON.stringify(join(work, 'feeds'))} }
providers: [ { id: harborline, name: Harborline Communications LLC, rmdNumber: RMD0990001, frn: "0099000001" } ]
trunks: [ { id: harborline-1, provider: harborline, sources: [127.0.0.1/32] } ]
cdr: { dir: ${JSON.stringify(join(work, 'cdr'))}, sinks: { sqlite: { enabled: ${CDR === 'sqlite'} }, jsonl: { enabled: ${CDR === 'jsonl'} } } }
log: { level: warn }
ops: { listen: false }
admin: { listen: false }
`);
  return file;
}
