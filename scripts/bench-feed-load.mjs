#!/usr/bin/env node
// UDP INVITE load generator for scripts/bench-feed.mjs (runs as a child process so its own work does not share the
// gate's event loop). Sends --rate INVITEs/s from --src for --seconds to 127.0.0.1:--port, matches final responses
// by Call-ID, and prints one JSON line: per wall-clock second (epoch s) sent, answered, lost, p50/p99/max latency (ms).
// Bounded: stops sending after --seconds and waits at most --drain-ms for late answers.
import { createSocket } from 'node:dgram';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    port: { type: 'string' }, rate: { type: 'string', default: '8000' }, seconds: { type: 'string', default: '8' },
    src: { type: 'string', default: '127.0.0.2' }, 'drain-ms': { type: 'string', default: '2000' },
  },
});
const port = Number(values.port);
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const drainMs = Number(values['drain-ms']);
const TICK_MS = 2;

const sentAt = new Map(); // callId -> { t (hr ms), sec (epoch s) }
const buckets = new Map(); // epoch s -> { sent, answered, lat: [] }
const bucket = (sec) => buckets.get(sec) ?? buckets.set(sec, { sent: 0, answered: 0, lat: [] }).get(sec);
let duplicates = 0;

const socket = createSocket('udp4');
socket.on('message', (msg) => {
  const now = performance.now();
  const text = msg.toString('latin1');
  const status = Number(text.slice(8, 11));
  if (!(status >= 200)) return;
  const m = /\r\nCall-ID: *([^\r\n]+)/i.exec(text);
  const s = m && sentAt.get(m[1]);
  if (!s) return;
  if (s.done) { duplicates++; return; }
  s.done = true;
  const b = bucket(s.sec);
  b.answered++;
  b.lat.push(now - s.t);
});
await new Promise((resolve) => socket.bind(0, values.src, resolve));
socket.setSendBufferSize?.(8 * 1024 * 1024);
socket.setRecvBufferSize?.(8 * 1024 * 1024);

const body = (id) => `INVITE sip:+12025550123@127.0.0.1:${port} SIP/2.0\r\nVia: SIP/2.0/UDP ${values.src}:${socket.address().port};branch=z9hG4bK-${id};rport\r\nMax-Forwards: 70\r\nFrom: <sip:+13035550100@example.net>;tag=b${id}\r\nTo: <sip:+12025550123@example.com>\r\nCall-ID: ${id}\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n`;

const start = performance.now();
const total = Math.round(rate * seconds);
let n = 0;
await new Promise((resolve) => {
  const tick = () => {
    const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000));
    const sec = Math.floor(Date.now() / 1000);
    for (; n < due; n++) {
      const id = `b${process.pid}-${n}`;
      sentAt.set(id, { t: performance.now(), sec, done: false });
      bucket(sec).sent++;
      socket.send(body(id), port, '127.0.0.1');
    }
    if (n >= total) resolve();
    else setTimeout(tick, TICK_MS);
  };
  tick();
});
const deadline = performance.now() + drainMs;
while (performance.now() < deadline && [...buckets.values()].reduce((a, b) => a + b.answered, 0) < total) {
  await new Promise((r) => setTimeout(r, 20));
}
socket.close();

const q = (sorted, p) => (sorted.length === 0 ? null : +sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))].toFixed(3));
const perSecond = [...buckets].sort((a, b) => a[0] - b[0]).map(([sec, b]) => {
  const lat = b.lat.sort((x, y) => x - y);
  return { sec, sent: b.sent, answered: b.answered, lost: b.sent - b.answered, p50: q(lat, 0.5), p99: q(lat, 0.99), max: q(lat, 1) };
});
process.stdout.write(`${JSON.stringify({ rate, seconds, sent: n, answered: perSecond.reduce((a, s) => a + s.answered, 0), duplicates, perSecond })}\n`);
