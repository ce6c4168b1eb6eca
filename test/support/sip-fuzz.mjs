// Grammar-based SIP fuzzer for the edge tests and scripts/soak.mjs, run as its own process so it shares no event loop
// with the gate or vitest:
//   node sip-fuzz.mjs '{"udpPort":5060,"tcpPort":5060,"seed":42,"maxMs":60000,
//     "udp":{"messages":60000,"rate":1500,"sources":["127.0.2.1"]},
//     "tcp":{"messages":40000,"rate":800,"connections":6,"sources":["127.0.2.50"],"maxConnections":4000}}'
// Messages come from a small SIP grammar (requests of every method the gate knows and some it does not, responses,
// compact forms, folding, odd URIs, bad Via ports, wrong Content-Length, bytes 0x80-0xFF and NUL, bare LF, CR alone,
// duplicated and missing headers, oversize messages) and about half are then mutated (byte flips, truncation,
// duplication, splicing of two messages, random bytes inserted or deleted); about 5 % resend a recent message, as it
// was (a retransmission) or mutated. The same seed gives the same messages
// (pass the printed `seed` back). UDP sends one datagram per message; TCP streams them over several connections,
// sometimes split at random points, sometimes pipelined. Requests that are valid and unmutated ("clean") are
// remembered by Call-ID with the status they must get; UDP answers are checked against that.
// Loopback only; bounded in count and time; prints one JSON summary line and exits.
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';

const opts = JSON.parse(process.argv[2] ?? '{}');
const seed = Number.isInteger(opts.seed) ? opts.seed >>> 0 : (Date.now() ^ (process.pid << 8)) >>> 0;
const maxMs = Math.min(opts.maxMs ?? 60_000, 60 * 60_000);
const UDP_MAX = 65_507;
const sources = [...(opts.udp?.sources ?? []), ...(opts.tcp?.sources ?? [])];
if (!sources.every((a) => /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a))) throw new Error('loopback sources only (127.0.0.0/8)');
const TARGET = '127.0.0.1';
/** Sources a configured trunk covers (`trunks`): clean INVITEs from them must be redirected (302). */
const TRUNKS = new Set(opts.trunks ?? []);

// mulberry32: small, fast, good enough to drive a fuzzer. One stream for UDP and one per TCP lane, each seeded from
// the run's seed, so a seed gives the same message sequence per stream whatever the event loop interleaves (what the
// gate closes, and so which messages a TCP connection carries, can still differ with timing).
const stream = (name, index) => ({ name, s: (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0, n: 0 });
let current = stream('x', 0);
const use = (s) => void (current = s);
function rand() {
  current.s = (current.s + 0x6d2b79f5) >>> 0;
  let t = current.s;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
const chance = (p) => rand() < p;
const pick = (list) => list[Math.floor(rand() * list.length)];
const bytesOf = (n, lo = 0, hi = 255) => Buffer.from(Array.from({ length: n }, () => int(lo, hi)));
const used = { generators: {}, mutations: {} };
const tally = (bucket, name) => void (used[bucket][name] = (used[bucket][name] ?? 0) + 1);

const digits = (n) => Array.from({ length: n }, () => int(0, 9)).join('');
const latin1 = (n) => bytesOf(n, 0x80, 0xff).toString('latin1');

function userPart() {
  return pick([
    () => `+1${digits(10)}`, () => digits(10), () => `%2B1${digits(10)}`, () => `+1${digits(3)}%35${digits(6)}`,
    () => `+1${digits(10)}:secret${digits(2)}`, () => 'u'.repeat(int(200, 3000)), () => `caller${latin1(4)}`,
    () => `a\0b${digits(4)}`, () => '', () => `+1${digits(10)};isub=1`,
  ])();
}

function uri(host) {
  return pick([
    () => `sip:${userPart()}@${host}`, () => `sip:${userPart()}@${host};user=phone`, () => `sips:${userPart()}@${host}`,
    () => `tel:+1${digits(10)}`, () => `tel:${digits(7)};phone-context=+1${digits(3)}`, () => `sip:${host}`,
    () => `mailto:x${digits(3)}@example.com`, () => '*', () => `sip:@`, () => `sip:+1${digits(10)}@[::1]:5060`,
  ])();
}

function viaValue(ctx, source, port) {
  const proto = pick(['UDP', 'UDP', 'TCP', 'udp', 'SCTP', 'TLS', 'X']);
  const host = pick([source, source, 'gw.example.com', '[::1]', '', `${source}.`, 'ex ample', latin1(3)]);
  const p = pick([`:${port}`, `:${port}`, '', ':0', ':65536', ':99999', ':-1', ':']);
  const branch = pick([`z9hG4bK-${ctx.id}`, `z9hG4bK-${ctx.id}`, `old-${ctx.id}`, '', `z9hG4bK${'b'.repeat(int(100, 2500))}${ctx.id}`]);
  const params = [branch === '' ? 'branch' : `branch=${branch}`];
  if (chance(0.8)) params.push(pick(['rport', 'rport', 'rport=0', 'rport=65536', `rport=${port}`]));
  if (chance(0.1)) params.push(pick(['received=1.2.3.4', 'received=', 'received=::1', `maddr=${source}`, 'ttl=1']));
  return `SIP/2.0/${proto} ${host}${p};${params.join(';')}`;
}

function nameAddr(host, tag) {
  const display = pick(['', '', '"Caller" ', 'Plain Name ', '"Q\\"uote" ', `"${latin1(6)}" `, `"${'d'.repeat(int(100, 2200))}" `, '"unterminated ']);
  const addr = pick([() => `<${uri(host)}>`, () => `<${uri(host)}>`, () => uri(host), () => `<tel:+1${digits(10)}>`, () => '<>']);
  return `${display}${addr()}${tag === undefined ? '' : `;tag=${tag}`}`;
}

const METHODS = ['INVITE', 'INVITE', 'INVITE', 'INVITE', 'ACK', 'CANCEL', 'OPTIONS', 'BYE', 'REGISTER', 'FOO', 'invite', 'PRACK', 'SUBSCRIBE'];

/** A well-formed request of `method` (flat CRLF text); `ctx.expect` is the status it must be answered with. */
function validRequest(ctx, method, source, port) {
  const host = pick(['127.0.0.1', 'gw.example.com']);
  const maxForwards = pick(['70', '70', '70', '0', '1']);
  const toTag = method === 'INVITE' && chance(0.1) ? `t${ctx.id}` : undefined;
  const compact = chance(0.3);
  const h = (long, short) => (compact && short !== undefined ? short : long);
  const lines = [
    `${method} sip:+12025550123@${host} SIP/2.0`,
    `${h('Via', 'v')}: SIP/2.0/UDP ${source}:${port};branch=z9hG4bK-${ctx.id};rport`,
    `Max-Forwards: ${maxForwards}`,
    `${h('From', 'f')}: ${pick(['', '"Caller" ', 'Caller '])}<sip:+1303555${digits(4)}@example.net>;tag=f${ctx.id}`,
    `${h('To', 't')}: <sip:+12025550123@example.com>${toTag === undefined ? '' : `;tag=${toTag}`}`,
    `${h('Call-ID', 'i')}: ${ctx.callId}`,
    `CSeq: ${int(1, 1000)} ${method}`,
  ];
  const body = method === 'INVITE' && chance(0.5) ? sdp() : '';
  if (body !== '') lines.push(`${h('Content-Type', 'c')}: application/sdp`);
  lines.push(`${h('Content-Length', 'l')}: ${Buffer.byteLength(body, 'latin1')}`);
  ctx.expect = expectedStatus(method, maxForwards, toTag, source);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** What the gate answers a clean request (flood control off): a new INVITE is 302 from a trunk source, else 403. */
function expectedStatus(method, maxForwards, toTag, source) {
  if (method === 'ACK') return 0;
  if (method === 'INVITE') return maxForwards === '0' ? 483 : toTag !== undefined ? 481 : TRUNKS.has(source) ? 302 : 403;
  if (method === 'CANCEL') return 481;
  if (method === 'OPTIONS') return 200;
  return 405;
}

function sdp() {
  return `v=0\r\no=- ${digits(6)} 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio ${int(1024, 65000)} RTP/AVP 0\r\n`;
}

function badRequest(ctx, source, port) {
  const method = pick([...METHODS, 'X'.repeat(int(1, 40)), '', 'IN VITE']);
  const host = pick(['127.0.0.1', 'gw.example.com', latin1(2)]);
  const headers = [];
  const push = (name, value) => headers.push([name, value]);
  push(pick(['Via', 'v', 'VIA', 'via ']), viaValue(ctx, source, port));
  if (chance(0.15)) push('Via', viaValue(ctx, source, port));
  push('Max-Forwards', pick(['70', '0', '-1', 'abc', '256', '70 70', '']));
  push(pick(['From', 'f']), nameAddr(host, pick([`f${ctx.id}`, `f${ctx.id}`, undefined, '', latin1(3)])));
  push(pick(['To', 't']), nameAddr(host, chance(0.15) ? `t${ctx.id}` : undefined));
  push(pick(['Call-ID', 'i', 'Call-Id']), pick([ctx.callId, ctx.callId, '', `${'c'.repeat(int(100, 3000))}`, `${latin1(5)}@x`]));
  push('CSeq', pick([`1 ${method}`, `${int(0, 99)} ${method}`, '4294967296 INVITE', `2147483648 ${method}`, '1', 'x INVITE', `1 ${pick(METHODS)}`, '']));
  if (chance(0.2)) push('P-Asserted-Identity', nameAddr(host));
  if (chance(0.15)) push('Identity', `eyJhbGciOiJFUzI1NiJ9.${'e'.repeat(int(10, 400))}.sig;info=<https://cert.example/x>`);
  if (chance(0.1)) push('Subject', 'folded\r\n continuation\r\n\tline');
  if (chance(0.05)) for (let i = int(50, 600); i > 0; i--) push(`X-Pad-${i}`, 'p'.repeat(int(10, 100)));
  if (chance(0.1)) push(pick(['From', 'To', 'Call-ID', 'CSeq', 'Max-Forwards']), 'duplicate');
  if (chance(0.2)) headers.splice(int(0, headers.length - 1), 1); // a mandatory header missing
  const body = pick(['', '', sdp(), latin1(int(1, 300)), 'x'.repeat(int(1000, 20000))]);
  const length = Buffer.byteLength(body, 'latin1');
  const cl = pick([String(length), String(length), String(length + int(1, 50)), String(Math.max(0, length - int(1, 50))), '999999999', '99999999999', 'abc', '-1', '', null]);
  if (cl !== null) push(pick(['Content-Length', 'l', 'content-length']), cl);
  if (chance(0.05) && cl !== null) push('Content-Length', cl);
  const start = pick([`${method} ${uri(host)} SIP/2.0`, `${method} ${uri(host)} SIP/2.0`, `${method} ${uri(host)} SIP/3.0`, `${method}  ${uri(host)}`, `${method} ${uri(host)} SIP/2.0 extra`]);
  return lineEnds([start, ...headers.map(([n, v]) => `${n}: ${v}`)], body);
}

function response(ctx, source, port) {
  const status = pick([100, 180, 183, 200, 302, 401, 403, 486, 503, 603, 0, 999, 1000]);
  const lines = [
    `SIP/2.0 ${status} ${pick(['OK', 'Ringing', '', latin1(4)])}`,
    `Via: ${viaValue(ctx, source, port)}`,
    `From: ${nameAddr('example.net', `f${ctx.id}`)}`,
    `To: ${nameAddr('example.com', chance(0.5) ? `t${ctx.id}` : undefined)}`,
    `Call-ID: ${ctx.callId}`,
    `CSeq: ${int(1, 9)} ${pick(METHODS)}`,
    'Content-Length: 0',
  ];
  return lineEnds(lines, '');
}

/** Joins lines mostly with CRLF; sometimes with bare LF or CR alone, in one line or all. */
function lineEnds(lines, body) {
  const mode = pick(['crlf', 'crlf', 'crlf', 'crlf', 'lf-all', 'lf-one', 'cr-one', 'nul']);
  tally('generators', `line-ends:${mode}`);
  if (mode === 'lf-all') return `${lines.join('\n')}\n\n${body}`;
  const text = lines.map((l, i) => {
    if (i !== 0 && mode === 'lf-one' && chance(0.3)) return `${l}\n`;
    if (i !== 0 && mode === 'cr-one' && chance(0.3)) return `${l}\r`;
    if (i !== 0 && mode === 'nul' && chance(0.3)) return `${l.slice(0, 3)}\0${l.slice(3)}\r\n`;
    return `${l}\r\n`;
  });
  return `${text.join('')}\r\n${body}`;
}

const MUTATIONS = {
  flip(buf) {
    const out = Buffer.from(buf);
    for (let i = int(1, 8); i > 0 && out.length > 0; i--) out[int(0, out.length - 1)] ^= 1 << int(0, 7);
    return out;
  },
  truncate: (buf) => buf.subarray(0, int(0, buf.length)),
  duplicate(buf) {
    const a = int(0, buf.length);
    const b = Math.min(buf.length, a + int(1, 400));
    return Buffer.concat([buf.subarray(0, b), buf.subarray(a, b), buf.subarray(b)]);
  },
  splice: (buf, other) => Buffer.concat([buf.subarray(0, int(0, buf.length)), other.subarray(int(0, other.length))]),
  insert(buf) {
    const at = int(0, buf.length);
    return Buffer.concat([buf.subarray(0, at), bytesOf(int(1, 64)), buf.subarray(at)]);
  },
  delete(buf) {
    const a = int(0, buf.length);
    return Buffer.concat([buf.subarray(0, a), buf.subarray(Math.min(buf.length, a + int(1, 200)))]);
  },
  crlf: (buf) => Buffer.from(buf.toString('latin1').replace(/\r\n/g, () => pick(['\r\n', '\n', '\r', '\r\n\r\n', '\r\n '])), 'latin1'),
};
const MUTATION_NAMES = Object.keys(MUTATIONS);

function oversize(ctx, source, port, limit) {
  const base = validRequest(ctx, 'INVITE', source, port).replace(/\r\n\r\n/, `\r\nX-Big: ${'o'.repeat(limit)}\r\n\r\n`);
  return base;
}

/** One message: its bytes and, when clean, the Call-ID and status it must get. */
function generate(source, port, transport) {
  const again = retransmission(source, port);
  if (again !== undefined) return again;
  const id = `${seed.toString(36)}-${current.name}-${(current.n++).toString(36)}`;
  const ctx = { id, callId: `fz-${id}@${source}`, expect: undefined };
  const kind = pick(['valid', 'valid', 'bad', 'bad', 'bad', 'bad', 'response', transport === 'udp' ? 'blank' : 'keepalive', 'oversize']);
  let text;
  if (kind === 'valid') text = validRequest(ctx, pick(METHODS.filter((m) => m === m.toUpperCase())), source, port);
  else if (kind === 'bad') text = badRequest(ctx, source, port);
  else if (kind === 'response') text = response(ctx, source, port);
  else if (kind === 'blank' || kind === 'keepalive') text = pick(['\r\n\r\n', '\r\n', '']);
  else text = chance(0.95) ? badRequest(ctx, source, port) : oversize(ctx, source, port, int(17_000, 40_000));
  tally('generators', kind === 'oversize' && text.length < 17_000 ? 'bad' : kind);
  let bytes = Buffer.from(text, 'latin1');
  let mutated = false;
  if (kind !== 'blank' && kind !== 'keepalive' && chance(0.5)) {
    for (let n = int(1, 3); n > 0; n--) {
      const name = pick(MUTATION_NAMES);
      tally('mutations', name);
      bytes = MUTATIONS[name](bytes, name === 'splice' ? Buffer.from(badRequest({ id: `${id}s`, callId: `fz-${id}-s@x` }, source, port), 'latin1') : undefined);
    }
    mutated = true;
  }
  const clean = kind === 'valid' && !mutated && ctx.expect !== undefined;
  const message = { bytes, blank: bytes.every((b) => b === 0x0d || b === 0x0a), clean, callId: ctx.callId, expect: ctx.expect };
  if (!message.blank) remember(source, port, message);
  return message;
}

const RING = 32;

/** Keeps the stream's recent messages (per source and port) for {@link retransmission}. */
function remember(source, port, message) {
  current.ring ??= [];
  current.ring.push({ source, port, message });
  if (current.ring.length > RING) current.ring.shift();
}

/**
 * Now and then a recent message of the stream again (same source and port): as it was — a retransmission, which a
 * clean request must get the same answer to (INVITEs from the transaction table) — or mutated, which may still hit
 * the kept transaction's key (branch, sent-by, Call-ID, CSeq) with other bytes around it.
 */
function retransmission(source, port) {
  if (current.ring === undefined || !chance(0.05)) return undefined;
  const candidates = current.ring.filter((r) => r.source === source && r.port === port);
  if (candidates.length === 0) return undefined;
  const { message } = pick(candidates);
  if (chance(0.5)) {
    tally('generators', 'retransmission');
    return message;
  }
  tally('generators', 'retransmission-mutated');
  const name = pick(MUTATION_NAMES.filter((n) => n !== 'splice'));
  tally('mutations', name);
  const bytes = MUTATIONS[name](message.bytes);
  // Its answer may carry the original's Call-ID: the original's expectation can no longer be told apart (`taint`).
  return { bytes, blank: bytes.every((b) => b === 0x0d || b === 0x0a), clean: false, callId: message.callId, expect: undefined, taint: true };
}

const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');
const LENGTH_LINE = /\r\n(?:content-length|l)[ \t]*:[^\r\n]*/gi;

/**
 * Makes a (mutated) message frame exactly as one message on a stream (RFC 3261 18.3): leading CR/LF dropped, every
 * Content-Length line removed from the header section and one with the body's true length added, the whole kept
 * within `limit` bytes. What the parser behind the framer sees stays fuzzed; the stream stays in step, so every
 * message sent is one message the gate must count. Undefined when the message cannot be made to frame.
 */
function frameExactly(bytes, limit) {
  let start = 0;
  while (start < bytes.length && (bytes[start] === 0x0d || bytes[start] === 0x0a)) start++;
  if (start === bytes.length) return undefined;
  const rest = bytes.subarray(start);
  const end = rest.indexOf(CRLFCRLF);
  let head = (end < 0 ? rest : rest.subarray(0, end)).toString('latin1');
  for (let i = 0; i < 10 && LENGTH_LINE.test(head); i++) head = head.replace(LENGTH_LINE, '');
  let body = end < 0 ? Buffer.alloc(0) : rest.subarray(end + 4);
  const headBytes = Buffer.from(`${head}\r\nContent-Length: `, 'latin1');
  const room = limit - headBytes.length - 10 - 4;
  if (room < 0) return undefined;
  if (body.length > room) body = body.subarray(0, room);
  const framed = Buffer.concat([headBytes, Buffer.from(`${body.length}\r\n\r\n`, 'latin1'), body]);
  const text = framed.toString('latin1');
  const lengths = text.slice(0, framed.indexOf(CRLFCRLF)).match(LENGTH_LINE) ?? [];
  return framed.indexOf(CRLFCRLF) === headBytes.length + String(body.length).length && lengths.length === 1 ? framed : undefined;
}

const HEADER_LINE = /^[!-9;-~]+: [^\x00-\x08\x0a-\x1f\x7f]*$/;

/**
 * Reads status and Call-ID of one answer; undefined unless it is a well-formed response: a `SIP/2.0 NNN` status
 * line, header lines `Name: value` with no control character but HTAB (nothing a request carried may break a line
 * or inject a header), `Content-Length: 0` and the blank line at the end.
 */
function readAnswer(text) {
  if (!text.endsWith('\r\nContent-Length: 0\r\n\r\n')) return undefined;
  const [status, ...headers] = text.slice(0, -4).split('\r\n');
  const m = /^SIP\/2\.0 ([1-6]\d\d) [^\x00-\x08\x0a-\x1f\x7f]*$/.exec(status);
  if (m === null || !headers.every((line) => HEADER_LINE.test(line))) return undefined;
  const callId = headers.find((line) => line.startsWith('Call-ID: '))?.slice(9);
  return { status: Number(m[1]), callId };
}
/** Tallies an answer's status by who asked: `trunk 302`, `other 403` ... */
const countStatus = (out, status, source) => {
  const key = `${TRUNKS.has(source) ? 'trunk' : 'other'} ${status}`;
  out.statuses[key] = (out.statuses[key] ?? 0) + 1;
};

const deadline = Date.now() + maxMs;
const summary = { seed, udp: undefined, tcp: undefined };

async function runUdp(cfg) {
  const out = { sent: 0, blank: 0, sendErrors: 0, bytes: 0, answers: 0, badAnswers: 0, clean: 0, cleanRight: 0, cleanWrong: 0, cleanUnanswered: 0, wrongSamples: [], statuses: {} };
  const expected = new Map();
  const sockets = await Promise.all(cfg.sources.map((address) => new Promise((resolve) => {
    const s = createSocket('udp4');
    s.on('error', () => undefined);
    s.on('message', (msg) => {
      out.answers++;
      const answer = readAnswer(msg.toString('latin1'));
      if (answer === undefined) {
        out.badAnswers++;
        if (out.wrongSamples.length < 5) out.wrongSamples.push({ bad: msg.toString('latin1').slice(0, 300) });
        return;
      }
      countStatus(out, answer.status, address);
      const want = answer.callId === undefined ? undefined : expected.get(answer.callId);
      if (want === undefined) return;
      if (--want.left === 0) expected.delete(answer.callId);
      if (want.status === answer.status) out.cleanRight++;
      else {
        out.cleanWrong++;
        if (out.wrongSamples.length < 5) out.wrongSamples.push({ callId: answer.callId, want: want.status, got: answer.status });
      }
    });
    s.bind(0, address, () => resolve(s));
  })));
  const started = Date.now();
  const end = Math.min(deadline, started + (cfg.maxMs ?? maxMs));
  const udpStream = stream('u', 0);
  await new Promise((resolve) => {
    const tick = () => {
      use(udpStream);
      const allowed = cfg.rate > 0 ? Math.floor(((Date.now() - started) / 1000) * cfg.rate) : Infinity;
      for (let k = 0; k < 50 && out.sent < cfg.messages && out.sent < allowed; k++) {
        const i = out.sent % sockets.length;
        const socket = sockets[i];
        const port = socket.address().port;
        const m = generate(cfg.sources[i], port, 'udp');
        if (m.bytes.length > UDP_MAX) m.bytes = m.bytes.subarray(0, UDP_MAX);
        out.sent++;
        out.bytes += m.bytes.length;
        if (m.blank) out.blank++;
        const tainted = m.taint === true ? expected.get(m.callId) : undefined;
        if (tainted !== undefined) {
          expected.delete(m.callId);
          out.clean -= tainted.left;
        }
        if (m.clean && m.expect !== 0) {
          out.clean++;
          const known = expected.get(m.callId);
          if (known !== undefined) known.left++;
          else expected.set(m.callId, { status: m.expect, left: 1 });
        }
        socket.send(m.bytes, cfg.port, TARGET, (err) => void (err && out.sendErrors++));
      }
      if (out.sent >= cfg.messages || Date.now() >= end) return resolve();
      setTimeout(tick, 1);
    };
    tick();
  });
  await new Promise((resolve) => setTimeout(resolve, 1000)); // late answers
  out.cleanUnanswered = [...expected.values()].reduce((n, e) => n + e.left, 0);
  for (const s of sockets) s.close();
  return out;
}

async function runTcp(cfg) {
  const lanes = () => ({ connections: 0, sent: 0, blank: 0, closedByGate: 0 });
  const out = { sent: 0, bytes: 0, connections: 0, refused: 0, splitWrites: 0, pipelined: 0, answers: 0, badAnswers: 0, badSamples: [], statuses: {}, framed: lanes(), raw: lanes() };
  const limit = cfg.maxMessageBytes ?? 65_535;
  const started = Date.now();
  const end = Math.min(deadline, started + (cfg.maxMs ?? maxMs));
  const maxConnections = cfg.maxConnections ?? 5000;
  const allowed = () => (cfg.rate > 0 ? Math.floor(((Date.now() - started) / 1000) * cfg.rate) : Infinity);
  const done = () => out.sent >= cfg.messages || Date.now() >= end;

  async function lane(lane) {
    const laneStream = stream(`t${lane}`, lane + 1);
    while (!done() && out.connections < maxConnections) {
      use(laneStream);
      out.connections++;
      const source = cfg.sources[lane % cfg.sources.length];
      const socket = connect({ host: TARGET, port: cfg.port, localAddress: source, noDelay: true });
      let buffer = '';
      let closed = false;
      let ourEnd = false;
      socket.on('data', (chunk) => {
        buffer += chunk.toString('latin1');
        for (;;) {
          while (buffer.startsWith('\r\n')) buffer = buffer.slice(2);
          const e = buffer.indexOf('\r\n\r\n');
          if (e < 0) break;
          const text = buffer.slice(0, e + 4);
          buffer = buffer.slice(e + 4);
          out.answers++;
          const answer = readAnswer(text);
          if (answer !== undefined) countStatus(out, answer.status, source);
          else {
            out.badAnswers++;
            if (out.badSamples.length < 5) out.badSamples.push(text.slice(0, 300));
          }
        }
      });
      const gone = new Promise((resolve) => socket.once('close', resolve));
      socket.on('error', () => undefined);
      const up = await Promise.race([new Promise((resolve) => socket.once('connect', () => resolve(true))), gone.then(() => false)]);
      if (!up) {
        out.refused++;
        await new Promise((resolve) => setTimeout(resolve, 20));
        continue;
      }
      use(laneStream);
      const raw = chance(cfg.raw ?? 0.15);
      const kind = raw ? out.raw : out.framed;
      kind.connections++;
      socket.once('end', () => void (ourEnd || kind.closedByGate++));
      gone.then(() => (closed = true));
      const perConnection = int(1, 300);
      for (let n = 0; n < perConnection && !closed && !done(); ) {
        use(laneStream);
        if (out.sent >= allowed() || socket.writableLength > 256 * 1024) {
          await new Promise((resolve) => setTimeout(resolve, 2));
          continue;
        }
        const batch = chance(0.2) ? int(2, 8) : 1;
        const parts = [];
        for (let b = 0; b < batch; b++, n++) {
          let m = generate(source, socket.localPort ?? 0, 'tcp');
          if (!raw && !m.blank) {
            let framed = frameExactly(m.bytes, limit);
            for (let tries = 0; framed === undefined && tries < 5; tries++) framed = frameExactly((m = generate(source, socket.localPort ?? 0, 'tcp')).bytes, limit);
            m = { ...m, bytes: framed ?? Buffer.from('\r\n'), blank: framed === undefined };
          }
          if (m.blank) kind.blank++;
          else kind.sent++;
          parts.push(m.bytes);
        }
        out.sent += batch;
        if (batch > 1) out.pipelined++;
        const bytes = Buffer.concat(parts);
        out.bytes += bytes.length;
        if (chance(0.25) && bytes.length > 2) {
          out.splitWrites++;
          const cut = int(1, bytes.length - 1);
          socket.write(bytes.subarray(0, cut));
          await new Promise((resolve) => setTimeout(resolve, 1));
          if (!closed) socket.write(bytes.subarray(cut));
        } else {
          socket.write(bytes);
          if (chance(0.3)) await new Promise((resolve) => setImmediate(resolve));
        }
      }
      ourEnd = !closed;
      socket.end();
      await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 2000))]);
      socket.destroy();
    }
  }
  await Promise.all(Array.from({ length: cfg.connections ?? 4 }, (_, i) => lane(i)));
  return out;
}

const t0 = Date.now();
const [udp, tcp] = await Promise.all([
  opts.udp ? runUdp({ ...opts.udp, port: opts.udpPort }) : undefined,
  opts.tcp ? runTcp({ ...opts.tcp, port: opts.tcpPort }) : undefined,
]);
summary.udp = udp;
summary.tcp = tcp;
summary.durationMs = Date.now() - t0;
summary.generators = used.generators;
summary.mutations = used.mutations;
process.stdout.write(JSON.stringify(summary) + '\n');
