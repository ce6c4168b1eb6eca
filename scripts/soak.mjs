#!/usr/bin/env node
// Soak: the fuzz suite's mix (test/sip/builtin/fuzz.edge.test.ts) for longer. Starts `node dist/cli.js serve` (a
// separate process, config in a temp dir), runs test/support/sip-fuzz.mjs in rounds of at most 60 s (round r uses
// seed + r, so any round can be replayed) over UDP and TCP while this process places valid calls (trunk 127.0.0.1
// over UDP and TCP → 302, unknown 127.0.0.4 over UDP → 403), and every 10 s samples the gate's RSS and metrics.
//   node scripts/soak.mjs [--minutes 10] [--out DIR] [--seed N] [--udp-rate 800] [--tcp-rate 500] [--flood off|default]
// Checks at the end: the gate alive, no fatal/unhandled on stderr, no handler failure logged, no screening error,
// every fuzzed message counted (UDP: counted + kernel drops = sent; framed TCP: counted = sent), every valid call
// decided right, every answer well formed and one the gate may give (never 500, never 302 to an unknown source),
// every screened INVITE's CDR written, RSS growth within --rss-bound-mib (default 112) of the first sample. Prints a
// JSON summary; with --out writes soak.jsonl (rows in the format of test/support/reliability.ts) and
// soak-samples.jsonl. Exit 0 when every check held, 1 otherwise. Linux only (/proc). Bounded: --minutes at most 720.
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' }, out: { type: 'string' }, seed: { type: 'string' },
    'udp-rate': { type: 'string', default: '800' }, 'tcp-rate': { type: 'string', default: '500' },
    flood: { type: 'string', default: 'off' }, 'rss-bound-mib': { type: 'string', default: '112' },
  },
});
const minutes = Number(values.minutes);
if (!(minutes > 0 && minutes <= 720)) {
  console.error('usage: node scripts/soak.mjs [--minutes N (0 < N ≤ 720, default 10)] [--out DIR] [--seed N] [--udp-rate 800] [--tcp-rate 500] [--flood off|default]');
  process.exit(2);
}
const seed = values.seed !== undefined ? Number(values.seed) >>> 0 : Date.now() % 2 ** 31;
const udpRate = Number(values['udp-rate']);
const tcpRate = Number(values['tcp-rate']);
const rssBound = Number(values['rss-bound-mib']) * 1024 * 1024;
const MAX_MESSAGE_BYTES = 16_384;
const SAMPLE_MS = 10_000;
const ROUND_MS = 60_000;
const MIB = 1024 * 1024;
const BAD_LOG = /invite handler failed|sip message handling failed|invite handler returned no final reply/;

// ---- the gate ----
const dir = mkdtempSync(join(tmpdir(), 'rmdgate-soak-'));
const samples = join(ROOT, 'config/samples');
writeFileSync(join(dir, 'gate.yaml'), `mode: enforce
node: { id: soak }
sip:
  listen:
    - { transport: udp, address: 127.0.0.1, port: 0 }
    - { transport: tcp, address: 127.0.0.1, port: 0 }
  defaultRoute: [ "sip:127.0.0.1:5070;transport=udp" ]
  maxMessageBytes: ${MAX_MESSAGE_BYTES}
  maxTransactionBytes: 8388608
${values.flood === 'off' ? '  flood: { enabled: false }\n' : ''}data:
  rmd: { path: ${JSON.stringify(join(samples, 'rmd.csv'))} }
  blocklists:
    - { name: fcc-k4, path: ${JSON.stringify(join(samples, 'lists/fcc-k4.yaml'))}, kind: k4 }
providers:
  - { id: harborline, name: Harborline Communications LLC, rmdNumber: RMD0990001, frn: "0099000001" }
trunks:
  - { id: harborline-1, provider: harborline, sources: [127.0.0.1/32] }
policy:
  reasons:
    unknown-trunk: { action: block, status: 403 }
cdr: { dir: ${JSON.stringify(join(dir, 'cdr'))}, flushIntervalMs: 200 }
feeds: { stateDir: ${JSON.stringify(join(dir, 'state'))} }
log: { level: info }
ops: { listen: { address: 127.0.0.1, port: 0 } }
admin: { listen: false }
`);
const gate = spawn(process.execPath, [join(ROOT, 'dist/cli.js'), 'serve', '--config', join(dir, 'gate.yaml')], { stdio: ['ignore', 'pipe', 'pipe'] });
let stderr = '';
let badLog = 0;
let logTail = '';
let startedLine;
gate.stderr.on('data', (b) => void (stderr = (stderr + b.toString()).slice(-20_000)));
gate.stdout.on('data', (b) => {
  const text = logTail + b.toString();
  const lines = text.split('\n');
  logTail = lines.pop() ?? '';
  for (const line of lines) {
    if (BAD_LOG.test(line)) badLog++;
    if (startedLine === undefined && line.includes('"msg":"rmdgate started"')) startedLine = JSON.parse(line);
  }
});
const children = new Set([gate]);
const cleanup = () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
};
process.on('SIGINT', () => (cleanup(), process.exit(130)));
process.on('SIGTERM', () => (cleanup(), process.exit(143)));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
for (let i = 0; startedLine === undefined && i < 300; i++) {
  if (gate.exitCode !== null) break;
  await sleep(50);
}
if (startedLine === undefined) {
  console.error(`soak: the gate did not start\n${stderr}`);
  cleanup();
  process.exit(1);
}
const portOf = (t) => startedLine.sip.find((l) => l.transport === t).port;
const udpPort = portOf('udp');
const tcpPort = portOf('tcp');
const metricsUrl = `http://127.0.0.1:${startedLine.ops.port}/metrics`;

// ---- reading the gate (the same accounting as test/support/fuzz-accounting.ts) ----
const rss = () => Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${gate.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
function series(text) {
  return text.split('\n').flatMap((line) => {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    return m === null ? [] : [{ name: m[1], labels: Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]])), value: Number(m[3]) }];
  });
}
const sum = (all, name, where = () => true) => all.filter((s) => s.name === name && where(s.labels)).reduce((n, s) => n + s.value, 0);
function account(all, transport) {
  const on = (extra = () => true) => (l) => l.transport === transport && extra(l);
  const oversize = sum(all, 'rmdgate_sip_malformed_total', on((l) => l.kind === 'oversize'));
  return {
    counted: sum(all, 'rmdgate_sip_messages_total', on()) + sum(all, 'rmdgate_sip_malformed_total', on((l) => l.kind === 'parse'))
      + (transport === 'udp' ? oversize : 0) + sum(all, 'rmdgate_sip_flood_total', on()),
    responses: sum(all, 'rmdgate_sip_responses_total', on()),
    flood: sum(all, 'rmdgate_sip_flood_total', on()),
  };
}
function udpDrops() {
  const hex = udpPort.toString(16).toUpperCase().padStart(4, '0');
  const line = readFileSync('/proc/net/udp', 'utf8').split('\n').find((l) => l.trim().split(/\s+/)[1]?.endsWith(`:${hex}`));
  return line === undefined ? 0 : Number(line.trim().split(/\s+/).at(-1));
}
const scrape = async () => series(await (await fetch(metricsUrl)).text());

// ---- valid calls (this process) ----
const valid = { placed: 0, right: 0, wrong: [], sent: { udp: 0, tcp: 0 } };
async function udpClient(address) {
  const socket = createSocket('udp4');
  const waiting = new Map();
  socket.on('message', (msg) => {
    const text = msg.toString('latin1');
    const branch = /branch=([^;\r\n]+)/.exec(text)?.[1];
    waiting.get(branch)?.(Number(/^SIP\/2\.0 (\d{3})/.exec(text)?.[1] ?? 0));
  });
  await new Promise((r) => socket.bind(0, address, r));
  return { socket, waiting, port: socket.address().port, address };
}
function invite(address, port, transport, branch) {
  const body = '';
  return `INVITE sip:+12025550123@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/${transport} ${address}:${port};branch=${branch};rport\r\nMax-Forwards: 70\r\n`
    + `From: "Soak" <sip:+13035550100@example.net>;tag=s-${branch}\r\nTo: <sip:+12025550123@example.com>\r\nCall-ID: ${branch}@soak\r\nCSeq: 1 INVITE\r\nContent-Length: ${body.length}\r\n\r\n`;
}
async function udpCall(client, expected, n) {
  const branch = `z9hG4bK-soak-${client.address}-${n}`;
  const bytes = invite(client.address, client.port, 'UDP', branch);
  valid.placed++;
  for (let attempt = 0; attempt < 4; attempt++) {
    valid.sent.udp++;
    client.socket.send(bytes, udpPort, '127.0.0.1');
    const status = await new Promise((r) => {
      const timer = setTimeout(() => r(undefined), 1000);
      client.waiting.set(branch, (s) => (clearTimeout(timer), r(s)));
    });
    client.waiting.delete(branch);
    if (status === undefined) continue;
    if (status === expected) valid.right++;
    else valid.wrong.push(`udp ${client.address} ${branch}: ${status} (want ${expected})`);
    return;
  }
  valid.wrong.push(`udp ${client.address} ${branch}: no answer`);
}
async function tcpCaller(until) {
  let n = 0;
  while (Date.now() < until) {
    const socket = connect({ host: '127.0.0.1', port: tcpPort, localAddress: '127.0.0.1', noDelay: true });
    socket.on('error', () => undefined);
    let buffer = '';
    let resolveAnswer;
    socket.on('data', (b) => {
      buffer += b.toString('latin1');
      const end = buffer.indexOf('\r\n\r\n');
      if (end >= 0) {
        const head = buffer.slice(0, end);
        buffer = buffer.slice(end + 4);
        resolveAnswer?.(Number(/^SIP\/2\.0 (\d{3})/.exec(head)?.[1] ?? 0));
      }
    });
    const up = await Promise.race([new Promise((r) => socket.once('connect', () => r(true))), sleep(3000).then(() => false)]);
    for (let k = 0; up && k < 500 && Date.now() < until && !socket.destroyed; k++, n++) {
      const branch = `z9hG4bK-soak-tcp-${n}`;
      valid.placed++;
      valid.sent.tcp++;
      socket.write(invite('127.0.0.1', socket.localPort, 'TCP', branch));
      const status = await Promise.race([new Promise((r) => (resolveAnswer = r)), sleep(4000).then(() => undefined)]);
      if (status === 302) valid.right++;
      else valid.wrong.push(`tcp ${branch}: ${status ?? 'no answer'} (want 302)`);
      await sleep(50);
    }
    socket.destroy();
  }
}
async function udpCaller(until) {
  const trunk = await udpClient('127.0.0.1');
  const unknown = await udpClient('127.0.0.4');
  let lastUnknown = 0;
  for (let n = 0; Date.now() < until; n++) {
    await udpCall(trunk, 302, n);
    if (Date.now() - lastUnknown >= 1000) {
      lastUnknown = Date.now();
      await udpCall(unknown, 403, n);
    }
    await sleep(50);
  }
  trunk.socket.close();
  unknown.socket.close();
}

// ---- the run ----
const started = Date.now();
const until = started + minutes * 60_000;
await sleep(1000);
const base = await scrape();
const firstRss = rss();
// What the gate may answer (as in the fuzz suite): never 500, never a redirect for a source no trunk covers.
const ANSWERS = { other: new Set([200, 400, 403, 405, 416, 481, 483, 503, 513]), trunk: new Set([200, 302, 400, 403, 405, 416, 481, 483, 513]) };
const fuzzTotals = { unexpectedAnswers: {}, udpSent: 0, udpBlank: 0, tcpFramed: 0, tcpSent: 0, tcpClosedByGate: 0, badAnswers: 0, cleanWrong: 0, cleanRight: 0, rounds: 0, seeds: [] };
const timeline = [];
const sampler = setInterval(async () => {
  try {
    const all = await scrape();
    timeline.push({
      s: Math.round((Date.now() - started) / 1000), rssMiB: +(rss() / MIB).toFixed(1), udp: account(all, 'udp'), tcp: account(all, 'tcp'),
      transactionBytes: sum(all, 'rmdgate_sip_transaction_bytes'), cdrQueue: sum(all, 'rmdgate_cdr_queue_depth'), udpDrops: udpDrops(),
    });
  } catch {
    timeline.push({ s: Math.round((Date.now() - started) / 1000), error: 'scrape failed' });
  }
}, SAMPLE_MS);

function fuzzRound(round, ms) {
  const args = {
    udpPort, tcpPort, seed: (seed + round) >>> 0, maxMs: ms, trunks: ['127.0.0.1'],
    udp: { messages: Math.ceil((udpRate * ms) / 1000), rate: udpRate, sources: ['127.0.0.1', '127.0.2.1', '127.0.2.2'] },
    tcp: { messages: Math.ceil((tcpRate * ms) / 1000), rate: tcpRate, connections: 6, raw: 0, maxMessageBytes: MAX_MESSAGE_BYTES, sources: ['127.0.0.1', '127.0.2.50', '127.0.2.51'] },
  };
  return new Promise((resolveRound) => {
    const child = spawn(process.execPath, [join(ROOT, 'test/support/sip-fuzz.mjs'), JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.add(child);
    let out = '';
    const killer = setTimeout(() => child.kill('SIGKILL'), ms + 30_000);
    child.stdout.on('data', (b) => (out += b.toString()));
    child.on('exit', () => {
      clearTimeout(killer);
      children.delete(child);
      try {
        resolveRound(JSON.parse(out));
      } catch {
        resolveRound(undefined);
      }
    });
  });
}

const callers = Promise.all([udpCaller(until), tcpCaller(until)]);
for (let round = 0; Date.now() < until - 2000 && gate.exitCode === null; round++) {
  const run = await fuzzRound(round, Math.min(ROUND_MS, until - Date.now()));
  if (run === undefined) break;
  fuzzTotals.rounds++;
  fuzzTotals.seeds.push(run.seed);
  fuzzTotals.udpSent += run.udp.sent;
  fuzzTotals.udpBlank += run.udp.blank;
  fuzzTotals.tcpSent += run.tcp.sent;
  fuzzTotals.tcpFramed += run.tcp.framed.sent;
  fuzzTotals.tcpClosedByGate += run.tcp.framed.closedByGate;
  fuzzTotals.badAnswers += run.udp.badAnswers + run.tcp.badAnswers;
  fuzzTotals.cleanWrong += run.udp.cleanWrong;
  fuzzTotals.cleanRight += run.udp.cleanRight;
  for (const [key, count] of [...Object.entries(run.udp.statuses), ...Object.entries(run.tcp.statuses)]) {
    const [asker, status] = key.split(' ');
    if (!(asker === 'trunk' ? ANSWERS.trunk : ANSWERS.other).has(Number(status))) fuzzTotals.unexpectedAnswers[key] = (fuzzTotals.unexpectedAnswers[key] ?? 0) + count;
  }
}
await callers;
clearInterval(sampler);

// Settle (bounded), then account.
let all = await scrape().catch(() => []);
for (let i = 0; i < 100 && gate.exitCode === null; i++) {
  const u = account(all, 'udp').counted - account(base, 'udp').counted - valid.sent.udp + udpDrops();
  const t = account(all, 'tcp').counted - account(base, 'tcp').counted - valid.sent.tcp;
  if (u >= fuzzTotals.udpSent - fuzzTotals.udpBlank && t >= fuzzTotals.tcpFramed) break;
  await sleep(100);
  all = await scrape().catch(() => all);
}
for (let i = 0; i < 50 && gate.exitCode === null && sum(all, 'rmdgate_cdr_written_total') < sum(all, 'rmdgate_invites_total'); i++) {
  await sleep(100);
  all = await scrape().catch(() => all);
}
const alive = gate.exitCode === null;
const lastRss = alive ? rss() : 0;
const peakRss = Math.max(firstRss, lastRss, ...timeline.map((s) => (s.rssMiB ?? 0) * MIB));
const udpCounted = account(all, 'udp').counted - account(base, 'udp').counted - valid.sent.udp;
const tcpCounted = account(all, 'tcp').counted - account(base, 'tcp').counted - valid.sent.tcp;
const drops = alive ? udpDrops() : 0;
const checks = {
  alive,
  noFatal: !/fatal|unhandled/i.test(stderr),
  noHandlerFailure: badLog === 0,
  noScreeningErrors: sum(all, 'rmdgate_screening_errors_total') === 0,
  udpAccounted: udpCounted + drops === fuzzTotals.udpSent - fuzzTotals.udpBlank,
  tcpAccounted: tcpCounted === fuzzTotals.tcpFramed && fuzzTotals.tcpClosedByGate === 0,
  answersWellFormed: fuzzTotals.badAnswers === 0,
  answersExpected: Object.keys(fuzzTotals.unexpectedAnswers).length === 0,
  cdrsWritten: sum(all, 'rmdgate_cdr_lost_total') === 0 && sum(all, 'rmdgate_cdr_written_total') === sum(all, 'rmdgate_invites_total'),
  cleanAnsweredRight: fuzzTotals.cleanWrong === 0,
  validCallsRight: valid.wrong.length === 0 && valid.placed > 0,
  rssWithinBound: peakRss - firstRss < rssBound,
};
const held = Object.values(checks).every(Boolean);
const summary = {
  seed, minutes, seconds: Math.round((Date.now() - started) / 1000), held, checks,
  fuzz: fuzzTotals, udp: { counted: udpCounted, kernelDrops: drops }, tcp: { counted: tcpCounted },
  valid: { placed: valid.placed, right: valid.right, wrong: valid.wrong.slice(0, 10) },
  rss: { firstMiB: +(firstRss / MIB).toFixed(1), peakMiB: +(peakRss / MIB).toFixed(1), lastMiB: +(lastRss / MIB).toFixed(1), boundMiB: rssBound / MIB },
  stderr: stderr.slice(-2000),
};
process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
if (values.out !== undefined) {
  mkdirSync(values.out, { recursive: true });
  const row = (r) => appendFileSync(join(values.out, 'soak.jsonl'), JSON.stringify({ suite: 'soak', ...r, at: new Date().toISOString(), node: process.version }) + '\n');
  const result = held ? 'held' : alive ? `failed: ${Object.entries(checks).filter(([, ok]) => !ok).map(([k]) => k).join(', ')}` : 'crashed';
  const detail = `${minutes} min, seeds ${seed}..${(seed + fuzzTotals.rounds - 1) >>> 0}; RSS ${summary.rss.firstMiB} → peak ${summary.rss.peakMiB} MiB (bound +${rssBound / MIB}); ${valid.right}/${valid.placed} valid calls right`;
  row({ attack: `soak: grammar-mutated SIP over UDP, flood ${values.flood}`, tried: fuzzTotals.udpSent, unit: 'messages', result, detail: `${detail}; ${udpCounted} counted + ${drops} kernel drops + ${fuzzTotals.udpBlank} blank` });
  row({ attack: `soak: grammar-mutated SIP over TCP (framed), flood ${values.flood}`, tried: fuzzTotals.tcpSent, unit: 'messages', result, detail: `${detail}; ${tcpCounted} counted of ${fuzzTotals.tcpFramed} framed` });
  for (const sample of timeline) appendFileSync(join(values.out, 'soak-samples.jsonl'), JSON.stringify(sample) + '\n');
}
gate.kill('SIGTERM');
await Promise.race([new Promise((r) => gate.once('exit', r)), sleep(5000)]);
cleanup();
process.exit(held ? 0 : 1);
