// A UDP INVITE flood for the edge tests, run as its own process so it does not share an event loop with the gate:
// `node udp-flood.mjs '{"port":5060,"sources":["127.0.1.1"],"durationMs":4000,"maxMessages":400000,"bytes":0,"rate":0}'`
// (`rate`: messages per second, 0 = as fast as the loop goes).
// Every message is a new transaction (unique branch and Call-ID); `bytes` pads Via branch, From, To and Call-ID to
// make fat INVITEs. Loopback only; bounded in count and time; prints {"sent":N} and exits.
import { createSocket } from 'node:dgram';

const opts = JSON.parse(process.argv[2]);
if (!opts.sources.every((a) => a.startsWith('127.'))) throw new Error('loopback sources only');
const pad = 'p'.repeat(opts.bytes ?? 0);
const sockets = await Promise.all(opts.sources.map((address) => new Promise((resolve) => {
  const s = createSocket('udp4');
  s.on('error', () => undefined);
  s.on('message', () => undefined);
  s.bind(0, address, () => resolve(s));
})));
let sent = 0;
const started = Date.now();
const end = started + opts.durationMs;
const rate = opts.rate ?? 0;
const message = (i, s) => {
  const src = opts.sources[s];
  const port = sockets[s].address().port;
  return Buffer.from(`INVITE sip:+12025550123@127.0.0.1 SIP/2.0\r
Via: SIP/2.0/UDP ${src}:${port};branch=z9hG4bK${pad}f${i};rport\r
Max-Forwards: 70\r
From: <sip:+13035550100${pad}@example.net>;tag=f${i}\r
To: <sip:+12025550123${pad}@example.com>\r
Call-ID: ${pad}flood-${i}@${src}\r
CSeq: 1 INVITE\r
Content-Length: 0\r
\r
`);
};
await new Promise((resolve) => {
  const burst = () => {
    if (sent >= opts.maxMessages || Date.now() >= end) return resolve();
    const allowed = rate > 0 ? Math.floor(((Date.now() - started) / 1000) * rate) : Infinity;
    for (let k = 0; k < 50 && sent < opts.maxMessages && sent < allowed; k++, sent++) {
      const s = sent % sockets.length;
      sockets[s].send(message(sent, s), opts.port, '127.0.0.1');
    }
    if (sent >= allowed) setTimeout(burst, 1);
    else setImmediate(burst);
  };
  burst();
});
await new Promise((resolve) => setTimeout(resolve, 200));
for (const s of sockets) s.close();
process.stdout.write(JSON.stringify({ sent }) + '\n');
