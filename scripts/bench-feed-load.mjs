#!/usr/bin/env node
// UDP INVITE load generator for scripts/bench-feed.mjs and scripts/bench-scrape.mjs (runs as a child process so its
// own work does not share the gate's event loop). Sends --rate INVITEs/s from --src for --seconds to
// 127.0.0.1:--port, matches final responses by Call-ID, ACKs them (so the gate's transactions end as in real traffic),
// and prints one JSON line: per wall-clock second (epoch s) sent, answered, lost, p50/p99/max latency (ms, µs precision).
// Built to disturb its own measurement little: per-call state lives in typed arrays indexed by the call number (no
// per-call objects for the collector to trace), sends go out every millisecond in small bursts.
// Bounded: stops sending after --seconds and waits at most --drain-ms for late answers.
import { createSocket } from 'node:dgram';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    port: { type: 'string' }, rate: { type: 'string', default: '8000' }, seconds: { type: 'string', default: '8' },
    src: { type: 'string', default: '127.0.0.2' }, 'drain-ms': { type: 'string', default: '2000' },
    'slow-ms': { type: 'string' },
  },
});
const port = Number(values.port);
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const drainMs = Number(values['drain-ms']);
const TICK_MS = 1;

const total = Math.round(rate * seconds);
const sentAt = new Float64Array(total); // performance.now() of each INVITE
const secOf = new Float64Array(total); // epoch second it was sent in
const latency = new Float64Array(total).fill(-1); // ms; -1 = no answer yet
let duplicates = 0;
let answered = 0;

const socket = createSocket('udp4');
const tag = `b${process.pid}-`;
let local = '';
socket.on('message', (msg) => {
  const now = performance.now();
  if (msg[8] < 0x32) return; // provisional (1xx): status digit below '2'
  const text = msg.toString('latin1');
  const at = text.indexOf(`Call-ID: ${tag}`);
  if (at < 0) return;
  const n = Number(text.slice(at + 9 + tag.length, text.indexOf('\r', at)));
  if (!(n >= 0 && n < total)) return;
  if (latency[n] >= 0) {
    duplicates++;
    return;
  }
  latency[n] = now - sentAt[n];
  answered++;
  const toAt = text.indexOf('\r\nTo: ');
  const toLine = toAt < 0 ? '' : text.slice(toAt + 6, text.indexOf('\r', toAt + 6));
  // The ACK of a non-2xx answer repeats the INVITE's Via (same branch): RFC 3261 17.1.1.3.
  const ack = `ACK sip:+12025550123@127.0.0.1:${port} SIP/2.0\r\nVia: SIP/2.0/UDP ${local};branch=z9hG4bK-${tag}${n};rport\r\nMax-Forwards: 70\r\nFrom: <sip:+13035550100@example.net>;tag=${tag}${n}\r\nTo: ${toLine}\r\nCall-ID: ${tag}${n}\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n`;
  socket.send(ack, port, '127.0.0.1');
});
await new Promise((resolve) => socket.bind(0, values.src, resolve));
socket.setSendBufferSize?.(8 * 1024 * 1024);
socket.setRecvBufferSize?.(8 * 1024 * 1024);
local = `${values.src}:${socket.address().port}`;

const invite = (n) => `INVITE sip:+12025550123@127.0.0.1:${port} SIP/2.0\r\nVia: SIP/2.0/UDP ${local};branch=z9hG4bK-${tag}${n};rport\r\nMax-Forwards: 70\r\nFrom: <sip:+13035550100@example.net>;tag=${tag}${n}\r\nTo: <sip:+12025550123@example.com>\r\nCall-ID: ${tag}${n}\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n`;

const start = performance.now();
let n = 0;
await new Promise((resolve) => {
  const tick = () => {
    const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000));
    const sec = Math.floor(Date.now() / 1000);
    for (; n < due; n++) {
      sentAt[n] = performance.now();
      secOf[n] = sec;
      socket.send(invite(n), port, '127.0.0.1');
    }
    if (n >= total) resolve();
    else setTimeout(tick, TICK_MS);
  };
  tick();
});
const deadline = performance.now() + drainMs;
while (performance.now() < deadline && answered < total) await new Promise((r) => setTimeout(r, 20));
socket.close();

const q = (sorted, p) => (sorted.length === 0 ? null : +sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))].toFixed(3));
const perSecond = [];
for (let i = 0; i < n; ) {
  const sec = secOf[i];
  let j = i;
  const lat = [];
  for (; j < n && secOf[j] === sec; j++) if (latency[j] >= 0) lat.push(latency[j]);
  lat.sort((x, y) => x - y);
  perSecond.push({ sec, sent: j - i, answered: lat.length, lost: j - i - lat.length, p50: q(lat, 0.5), p99: q(lat, 0.99), max: q(lat, 1) });
  i = j;
}
// --slow-ms: also list the calls slower than that as [epoch ms sent, latency ms] (to place them in a swap's timeline).
const slowMs = values['slow-ms'] === undefined ? undefined : Number(values['slow-ms']);
const slow = [];
if (slowMs !== undefined) for (let i = 0; i < n; i++) if (latency[i] > slowMs) slow.push([+(performance.timeOrigin + sentAt[i]).toFixed(1), +latency[i].toFixed(3)]);
process.stdout.write(`${JSON.stringify({ rate, seconds, sent: n, answered, duplicates, perSecond, ...(slowMs === undefined ? {} : { slow }) })}\n`);
