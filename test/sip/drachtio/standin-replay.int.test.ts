/**
 * Replays the recorded drachtio-server v0.9.4 <-> drachtio-srf 5.0.29 traffic (test code only): framing round trips,
 * the stand-in driven like the recorded server, and recorded server frames fed to a real, unmodified drachtio-srf client.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import net from 'node:net';
import Srf from 'drachtio-srf';
import { describe, expect, it } from 'vitest';
import {
  FrameDecoder,
  FrameFormatError,
  STACK_TIME_RE,
  UUID_V4_RE,
  cdrSummary,
  decodeFrames,
  encodeFrame,
  escapeFixtureText,
  frameText,
  headerKey,
  parseChunks,
  parseFixture,
  parseSip,
  splitPayload,
  tagOf,
  headerValue,
  utf8Bytes,
} from '../../support/drachtio-wire.js';
import type { FixtureEntry, FixtureScenario, WireDirection } from '../../support/drachtio-wire.js';
import { createDrachtioStandin } from '../../support/drachtio-standin.js';
import { closeAndCheckTcpAfterEach, waitUntil } from '../../support/wait.js';
import type { AppConn, DrachtioStandin, ProxyTargetAnswer, StandinFrame } from '../../support/drachtio-standin.js';
import { repoPath } from '../../support/paths.js';
import { stopReconnecting } from '../../../src/sip/drachtio/srf-internals.js';

const FIXTURES = process.env['DRACHTIO_WIRE_FIXTURES'] ?? repoPath('test/fixtures/drachtio-wire');
const SECRET = 'cymru';
const ROUTES = ['cdr:attempt', 'cdr:start', 'cdr:stop', 'options', 'invite'] as const;

type FrameEntry = Extract<FixtureEntry, { kind: 'frame' }>;

function loadScenario(prefix: string): FixtureScenario {
  const file = readdirSync(FIXTURES).find((f) => f.startsWith(`${prefix}-`) && f.endsWith('.txt'));
  if (!file) throw new Error(`no fixture for ${prefix}`);
  return parseFixture(readFileSync(`${FIXTURES}/${file}`, 'utf8'));
}

function frameEntries(scn: FixtureScenario): FrameEntry[] {
  return scn.entries.filter((e): e is FrameEntry => e.kind === 'frame');
}

function payloadOf(entry: FrameEntry): string {
  const text = entry.bytes.toString('utf8');
  return text.slice(text.indexOf('#') + 1);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Masks the values the stand-in (like the server) makes up at random: its 13-character To-tags and its Via branches. */
function maskSip(sip: string): string {
  return sip
    .replace(/(\r\nTo: [^\r\n]*;tag=)[A-Za-z0-9]{13}(?=\r\n)/g, '$1<tag>')
    .replace(/branch=z9hG4bK(?:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}|\.[A-Za-z0-9]{26})/g, 'branch=<branch>');
}

/**
 * Field-by-field comparison. UUID fields must correlate through `ids` (recorded -> live); unknown recorded UUIDs are
 * learned when `learn` says so (a fresh id of the sender), otherwise they must be equal. Times only need the format.
 */
function compareFrame(
  recorded: string,
  live: string,
  ids: Map<string, string>,
  learn: 'all' | 'msgId',
  maskSipPart: boolean,
  label: string,
): void {
  expect(utf8Bytes(live), `${label}: length prefix`).toBe(utf8Bytes(recorded));
  const r = splitPayload(recorded);
  const l = splitPayload(live);
  expect(l.fields[1], `${label}: type`).toBe(r.fields[1]);
  expect(l.fields.length, `${label}: field count`).toBe(r.fields.length);
  r.fields.forEach((rf, i) => {
    const lf = l.fields[i] ?? '';
    if (UUID_V4_RE.test(rf)) {
      expect(lf, `${label}: field ${i} is a UUID v4`).toMatch(UUID_V4_RE);
      const known = ids.get(rf);
      if (known !== undefined) expect(lf, `${label}: field ${i} correlates`).toBe(known);
      else if (learn === 'all' || i === 0) ids.set(rf, lf);
      else expect(lf, `${label}: field ${i}`).toBe(rf);
    } else if (STACK_TIME_RE.test(rf)) {
      expect(lf, `${label}: field ${i} is a time`).toMatch(STACK_TIME_RE);
    } else {
      expect(lf, `${label}: field ${i}`).toBe(rf);
    }
  });
  const rs = r.sip === undefined ? undefined : maskSipPart ? maskSip(r.sip) : r.sip;
  const ls = l.sip === undefined ? undefined : maskSipPart ? maskSip(l.sip) : l.sip;
  expect(ls, `${label}: SIP part`).toBe(rs);
}

/** Rewrites the UUIDs of the `|` line that `ids` knows (recorded -> live); with `freshMsgId`, field 0 gets a new id. */
function substituteIds(payload: string, ids: Map<string, string>, freshMsgId: boolean): string {
  const { fields, sip } = splitPayload(payload);
  const out = fields.map((f, i) => {
    if (i === 0 && freshMsgId) {
      const live = crypto.randomUUID();
      ids.set(f, live);
      return live;
    }
    return ids.get(f) ?? f;
  });
  return out.join('|') + (sip === undefined ? '' : `\r\n${sip}`);
}

/** The request as it came from the network: undo the server's `rport` change, guided by the bytes field. */
function receivedText(sipWithRport: string, bytes: number): string {
  const removed = sipWithRport.replace(/;rport=\d+/, '');
  const bare = sipWithRport.replace(/;rport=\d+/, ';rport');
  return utf8Bytes(bare) === bytes && utf8Bytes(removed) !== bytes ? bare : removed;
}

/** Script the proxy target from the recorded `continue` frame (exact headers, To-tag and body). */
function answerFromRecording(sip: string): Exclude<ProxyTargetAnswer, 'timeout'> {
  const msg = parseSip(sip);
  const status = /^SIP\/2\.0 (\d{3}) (.*)$/.exec(msg.startLine);
  const dialog = new Set(['via', 'from', 'to', 'call-id', 'cseq', 'record-route']);
  const headers = msg.headers
    .filter((h) => !dialog.has(headerKey(h.name)))
    .map((h): [string, string] => [h.name, h.raw.slice(h.raw.indexOf(':') + 1).replace(/^ /, '')]);
  const toTag = tagOf(headerValue(msg, 'to') ?? '');
  return {
    status: Number(status?.[1]),
    reason: status?.[2] ?? '',
    headers,
    body: msg.body,
    ...(toTag !== undefined ? { toTag } : {}),
  };
}

/** A bare TCP "app" that writes recorded app frames and decodes what the stand-in sends back. */
class RawClient {
  readonly frames: string[] = [];
  ended = false;
  closed = false;
  readonly #socket: net.Socket;
  readonly #decoder = new FrameDecoder();

  private constructor(socket: net.Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      for (const p of this.#decoder.push(chunk)) this.frames.push(p.toString('utf8'));
    });
    socket.on('end', () => {
      this.ended = true;
    });
    socket.on('close', () => {
      this.closed = true;
    });
    socket.on('error', () => undefined);
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  send(payload: string): void {
    this.#socket.write(encodeFrame(payload));
  }

  destroy(): void {
    this.#socket.destroy();
  }
}

const cleanups = closeAndCheckTcpAfterEach(2000);

async function startStandin(options: Partial<Parameters<typeof createDrachtioStandin>[0]> = {}): Promise<{ standin: DrachtioStandin; port: number }> {
  const standin = createDrachtioStandin({ secret: SECRET, ...options });
  const { port } = await standin.listen();
  cleanups.push(() => standin.close());
  return { standin, port };
}

// ------------------------------------------------------------------------------------------------------------------
// (1) framing

const ALL_SCENARIOS = existsSync(FIXTURES) ? readdirSync(FIXTURES).filter((f) => f.endsWith('.txt')).map((f) => f.slice(0, -4)) : [];

describe('fixture frames decode and re-encode byte-identically', () => {
  it('finds the recorded scenarios', () => {
    for (const s of ['a1', 'a2', 'b', 'c', 'd', 'e1', 'e2', 'e3', 'f', 'g', 'g2', 'g3', 'h', 'i', 'j', 'k', 'l', 'x']) {
      expect(ALL_SCENARIOS.some((n) => n.startsWith(`${s}-`)), s).toBe(true);
    }
  });

  it.each(ALL_SCENARIOS)('%s', (name) => {
    const scn = parseFixture(readFileSync(`${FIXTURES}/${name}.txt`, 'utf8'));
    expect(scn.name).toBe(name);
    const frames = frameEntries(scn);
    for (const f of frames) {
      const payloads = decodeFrames(f.bytes);
      expect(payloads, `line ${f.lineNo}`).toHaveLength(1);
      const payload = payloads[0] ?? '';
      const prefix = Number(f.text.slice(0, f.text.indexOf('#')));
      expect(prefix, `line ${f.lineNo}: prefix counts UTF-8 bytes`).toBe(Buffer.byteLength(payload, 'utf8'));
      expect(encodeFrame(payload).equals(f.bytes), `line ${f.lineNo}: bytes`).toBe(true);
      expect(frameText(payload)).toBe(f.bytes.toString('utf8'));
      expect(escapeFixtureText(f.bytes.toString('utf8')), `line ${f.lineNo}: escaped text`).toBe(f.text);
    }

    const rawFile = `${FIXTURES}/raw/${name}.chunks.jsonl`;
    expect(existsSync(rawFile)).toBe(true);
    const chunks = parseChunks(readFileSync(rawFile, 'utf8'));
    const streams = new Map<string, { txt: Buffer[]; raw: Buffer[] }>();
    const slot = (conn: number, dir: WireDirection): { txt: Buffer[]; raw: Buffer[] } => {
      const key = `${conn} ${dir}`;
      const s = streams.get(key) ?? { txt: [], raw: [] };
      streams.set(key, s);
      return s;
    };
    for (const f of frames) slot(f.conn, f.dir).txt.push(f.bytes);
    for (const c of chunks) if (c.kind === 'data') slot(c.conn, c.dir).raw.push(c.bytes);
    for (const [key, s] of streams) {
      expect(Buffer.concat(s.txt).equals(Buffer.concat(s.raw)), `${name} ${key}: .txt frames == raw stream`).toBe(true);
      const decoder = new FrameDecoder();
      const fromChunks = s.raw.flatMap((b) => decoder.push(b).map((p) => p.toString('utf8')));
      expect(fromChunks).toEqual(s.txt.map((b) => decodeFrames(b)[0]));
      expect(decoder.pending).toBe(0);
    }
  });
});

describe('FrameDecoder', () => {
  const j = loadScenario('j');
  const stream = Buffer.concat(frameEntries(j).map((f) => f.bytes));
  const expected = frameEntries(j).map(payloadOf);

  it('handles frames split at every byte and many frames in one chunk', () => {
    const bytewise = new FrameDecoder();
    const got: string[] = [];
    for (const byte of stream) got.push(...bytewise.push(Uint8Array.of(byte)).map((b) => b.toString('utf8')));
    expect(got).toEqual(expected);
    expect(new FrameDecoder().push(stream).map((b) => b.toString('utf8'))).toEqual(expected);
  });

  it('counts bytes, not UTF-16 code units (j: 308 bytes, 297 code units)', () => {
    const app = frameEntries(j).find((f) => f.dir === 'app->server');
    const payload = app ? payloadOf(app) : '';
    expect(app?.text.startsWith('308#')).toBe(true);
    expect(Buffer.byteLength(payload, 'utf8')).toBe(308);
    expect(payload.length).toBe(297);
    expect([...payload].length).toBe(296);
  });

  it('rejects a non-digit before #, an empty prefix, and more than 5 digits', () => {
    expect(() => new FrameDecoder().push(Buffer.from('12a#xx'))).toThrow(FrameFormatError);
    expect(() => new FrameDecoder().push(Buffer.from('#abc'))).toThrow(FrameFormatError);
    expect(() => new FrameDecoder().push(Buffer.from('123456#'))).toThrow(FrameFormatError);
    const partial = new FrameDecoder();
    expect(partial.push(Buffer.from('12345'))).toEqual([]);
    expect(() => partial.push(Buffer.from('6'))).toThrow(FrameFormatError);
    expect(() => partial.push(Buffer.from('#'))).toThrow(FrameFormatError);
    expect(new FrameDecoder().push(Buffer.from('99999#')).length).toBe(0);
  });

  it('stalls for good on a frame longer than the server buffer (l)', () => {
    const l = loadScenario('l');
    const app = Buffer.concat(frameEntries(l).filter((f) => f.dir === 'app->server').map((f) => f.bytes));
    const decoder = new FrameDecoder({ maxPayloadBytes: 12228 });
    const got = decoder.push(app).map((b) => b.toString('utf8'));
    expect(got.map((p) => splitPayload(p).fields[1])).toEqual(['authenticate', 'route', 'route', 'route', 'route', 'route']);
    expect(decoder.stalledAt).toBe(20266);
    expect(decoder.push(encodeFrame('x|ping'))).toEqual([]);
  });
});

// ------------------------------------------------------------------------------------------------------------------
// (2) the stand-in, driven like the recorded server

interface DriveOptions {
  readonly standin?: Partial<Parameters<typeof createDrachtioStandin>[0]>;
}

/** Replays each recorded connection against the stand-in and compares every server->app frame. */
async function driveStandin(prefix: string, options: DriveOptions = {}): Promise<{ standin: DrachtioStandin; conns: AppConn[] }> {
  const scn = loadScenario(prefix);
  const all = frameEntries(scn);
  const { standin, port } = await startStandin(options.standin ?? {});
  const continueFrame = all.find((f) => f.dir === 'server->app' && payloadOf(f).split('\r\n')[0]?.endsWith('|continue'));
  if (continueFrame) {
    const answer = answerFromRecording(splitPayload(payloadOf(continueFrame)).sip ?? '');
    standin.setProxyBehaviour(() => answer);
  }
  const connIds = [...new Set(scn.entries.flatMap((e) => (e.kind === 'note' ? [] : [e.conn])))];
  const conns: AppConn[] = [];
  for (const connId of connIds) {
    const entries = scn.entries.filter((e) => e.kind !== 'note' && e.conn === connId);
    const ids = new Map<string, string>();
    const accepted = standin.waitForConnection();
    const client = await RawClient.connect(port);
    cleanups.push(() => client.destroy());
    const conn = await accepted;
    conns.push(conn);
    if (!entries.some((e) => e.kind === 'frame' && payloadOf(e).split('|')[1] === 'authenticate')) {
      client.send(`${crypto.randomUUID()}|authenticate|${SECRET}|`);
      for (const r of ROUTES) client.send(`${crypto.randomUUID()}|route|${r}`);
      await waitUntil(() => client.frames.length === 1 + ROUTES.length, 2000, 'handshake replies');
    }
    const base = client.frames.length;
    let expectedCount = 0;
    const triggered = new Set<FixtureEntry>();
    for (const e of entries) {
      if (e.kind === 'event') {
        if (e.text.startsWith('server closed')) await waitUntil(() => client.ended, 2000, 'FIN from the stand-in');
        continue;
      }
      if (e.kind !== 'frame') continue;
      const recorded = payloadOf(e);
      if (e.dir === 'app->server') {
        client.send(substituteIds(recorded, ids, true));
        continue;
      }
      if (!triggered.has(e)) {
        const cause = causeOf(e, entries);
        triggered.add(cause);
        triggerNetworkEvent(conn, payloadOf(cause), ids);
      }
      const index = base + expectedCount++;
      const live = await waitUntil(() => client.frames[index], 3000, `${prefix} server frame #${expectedCount} (line ${e.lineNo})`);
      compareFrame(recorded, live, ids, 'all', true, `${prefix} line ${e.lineNo}`);
    }
    await sleep(60);
    expect(client.frames.slice(base + expectedCount), `${prefix}: no extra server frames`).toEqual([]);
  }
  return { standin, conns };
}

/** The frame that carries the network event behind `e`: `cdr:stop network call-canceled` is caused by the CANCEL after it. */
function causeOf(e: FrameEntry, entries: readonly FixtureEntry[]): FrameEntry {
  const { fields } = splitPayload(payloadOf(e));
  if (fields[1] !== 'cdr:stop' || fields[4] !== 'call-canceled') return e;
  const after = entries.slice(entries.indexOf(e) + 1);
  const cancel = after.find((x): x is FrameEntry => x.kind === 'frame' && x.dir === 'server->app' && (splitPayload(payloadOf(x)).sip ?? '').startsWith('CANCEL '));
  return cancel ?? e;
}

/** Injects the network event behind a recorded server frame (a request from the caller, a CANCEL, a BYE). */
function triggerNetworkEvent(conn: AppConn, recorded: string, ids: Map<string, string>): void {
  const { fields, sip = '' } = splitPayload(recorded);
  const msg = parseSip(sip);
  const method = msg.startLine.startsWith('SIP/2.0') ? undefined : msg.startLine.split(' ')[0];
  if (fields[1] === 'sip' && fields[2] === 'network' && method === 'CANCEL') {
    conn.sendCancel(ids.get(fields[8] ?? '') ?? '', receivedText(sip, Number(fields[3])));
  } else if (fields[1] === 'sip' && fields[2] === 'network' && method !== undefined) {
    const transport = fields[4] === 'tcp' ? 'tcp' : 'udp';
    conn.sendRequest(receivedText(sip, Number(fields[3])), {
      transport,
      sourceAddress: fields[5] ?? '',
      sourcePort: Number(fields[6]),
      localAddress: fields[10] ?? '',
      localPort: Number(fields[11]),
    });
  } else if (fields[1] === 'cdr:stop' && fields[2] === 'network' && fields[4] === 'normal-release') {
    conn.sendBye(headerValue(msg, 'call-id') ?? '', receivedText(sip, -1));
  }
}

describe('the stand-in produces the recorded server->app frames', () => {
  it('a1: authenticate and 5 routes', async () => {
    const { conns } = await driveStandin('a1');
    expect([...(conns[0]?.routes ?? [])].sort()).toEqual([...ROUTES].sort());
  });

  it('a2: wrong secret -> NO|incorrect secret, then FIN (three connections)', async () => {
    const { conns } = await driveStandin('a2');
    expect(conns).toHaveLength(3);
    expect(conns.every((c) => !c.authenticated)).toBe(true);
  });

  it.each(['b', 'c', 'd', 'f', 'j', 'k'])('%s: request, response echo and CDRs', async (prefix) => {
    await driveStandin(prefix);
  });

  it('e1: proxy without Record-Route', async () => {
    const { conns } = await driveStandin('e1');
    const cmd = conns[0]?.proxyCommands[0];
    expect(cmd).toMatchObject({ remainInDialog: false, fullResponse: true, followRedirects: false, forking: 'serial', destinations: ['sip:127.0.0.1:5090'] });
    await expect(cmd?.outcome).resolves.toMatchObject({ finalStatus: 200, connected: true, destination: 'sip:127.0.0.1:5090' });
  });

  it('e2: proxy with Record-Route, then BYE -> two cdr:stop normal-release', async () => {
    const { conns } = await driveStandin('e2');
    expect(conns[0]?.proxyCommands[0]?.remainInDialog).toBe(true);
  });

  it('e3: dead target -> 408 after timer B, cdr:stop then done without continue', async () => {
    const { conns } = await driveStandin('e3', { standin: { timerBMs: 200 } });
    await expect(conns[0]?.proxyCommands[0]?.outcome).resolves.toMatchObject({ finalStatus: 408, connected: false, destination: undefined });
  });

  it.each(['g', 'g2', 'g3'])('%s: CANCEL', async (prefix) => {
    await driveStandin(prefix);
  });

  it('i: ping -> OK|pong', async () => {
    await driveStandin('i');
  });

  it('l: an oversize app frame is never processed and silences the connection', async () => {
    const { conns } = await driveStandin('l');
    expect(conns[0]?.stalledAt).toBe(20266);
    expect(conns[0]?.closed).toBe(false);
  });
});

// ------------------------------------------------------------------------------------------------------------------
// (3) recorded server frames into a real drachtio-srf 5.0.29 client

interface Captured {
  readonly reqs: Srf.SrfRequest[];
  readonly cdrs: { event: string; args: unknown[] }[];
  readonly results: unknown[];
  readonly cancels: unknown[];
}

/** What drachtio-srf really puts on a Request (some are missing from or mistyped in its .d.ts). */
function runtimeMeta(req: Srf.SrfRequest): Record<string, unknown> {
  const r = req as unknown as Record<string, unknown>;
  return {
    source: r['source'],
    source_address: r['source_address'],
    source_port: r['source_port'],
    protocol: r['protocol'],
    receivedOn: r['receivedOn'],
    stackTxnId: r['stackTxnId'],
    stackTime: r['stackTime'],
    stackDialogId: r['stackDialogId'],
  };
}

interface LooseResponse {
  send(status: number, ...rest: unknown[]): void;
}

function newSrf(): Srf {
  const srf = new Srf();
  srf.on('error', () => undefined);
  cleanups.push(() => stopSrf(srf));
  return srf;
}

/** srf.disconnect(); drachtio-srf throws from it while between reconnect attempts, so then stop its retry timer. */
function stopSrf(srf: Srf): void {
  try {
    srf.disconnect();
  } catch {
    stopReconnecting(srf);
  }
}

/** Connects srf (cdr handlers, then `register`, in the recorded route order) to a 'handshake' stand-in. */
async function connectSrf(
  register: (srf: Srf, cap: Captured) => void,
  options: Partial<Parameters<typeof createDrachtioStandin>[0]> = {},
): Promise<{ srf: Srf; standin: DrachtioStandin; conn: AppConn; cap: Captured }> {
  const { standin, port } = await startStandin({ respond: 'handshake', ...options });
  const srf = newSrf();
  const cap: Captured = { reqs: [], cdrs: [], results: [], cancels: [] };
  const connected = new Promise<void>((resolve) => srf.on('connect', () => resolve()));
  srf.connect({ host: '127.0.0.1', port, secret: SECRET });
  srf.on('cdr:attempt', (...args: unknown[]) => cap.cdrs.push({ event: 'attempt', args }));
  srf.on('cdr:start', (...args: unknown[]) => cap.cdrs.push({ event: 'start', args }));
  srf.on('cdr:stop', (...args: unknown[]) => cap.cdrs.push({ event: 'stop', args }));
  register(srf, cap);
  const conn = await standin.waitForApp({ routes: ['cdr:attempt', 'cdr:start', 'cdr:stop'] });
  await connected;
  return { srf, standin, conn, cap };
}

/** Recorded frames without the authenticate/route exchange (srf has done its own by then). */
function withoutHandshake(entries: readonly FrameEntry[]): FrameEntry[] {
  const handshake = new Set(entries.filter((e) => e.dir === 'app->server' && ['authenticate', 'route'].includes(payloadOf(e).split('|')[1] ?? '')).map((e) => payloadOf(e).split('|')[0]));
  return entries.filter((e) => {
    const fields = payloadOf(e).split('|');
    return !handshake.has(e.dir === 'app->server' ? fields[0] : fields[1] === 'response' ? fields[2] : undefined);
  });
}

/** Writes the recorded server frames and checks every app frame srf writes against the recording. */
async function replayIntoSrf(prefix: string, standin: DrachtioStandin, conn: AppConn, skipHandshake = true): Promise<void> {
  const scn = loadScenario(prefix);
  const ids = new Map<string, string>();
  let cursor = standin.frames.length;
  const entries = skipHandshake ? withoutHandshake(frameEntries(scn)) : frameEntries(scn);
  for (const e of entries) {
    const recorded = payloadOf(e);
    if (e.dir === 'server->app') {
      conn.write(substituteIds(recorded, ids, false));
      continue;
    }
    const live = await standin.nextFrame((f: StandinFrame) => f.dir === 'app->server' && f.conn === conn.id, { fromIndex: cursor, timeoutMs: 3000 });
    cursor = standin.frames.indexOf(live) + 1;
    compareFrame(recorded, live.payload, ids, 'msgId', false, `${prefix} line ${e.lineNo}`);
  }
}

function inviteAnswering(send: (res: LooseResponse, cap: Captured, req: Srf.SrfRequest) => void): (srf: Srf, cap: Captured) => void {
  return (srf, cap) => {
    srf.use('options', (_req, res) => res.send(200));
    srf.invite((req, res) => {
      cap.reqs.push(req);
      send(res as unknown as LooseResponse, cap, req);
    });
  };
}


describe('recorded server frames drive a real drachtio-srf client as recorded', () => {
  it('a1: authenticate + routes; srf emits connect with the SIP hostports', async () => {
    const { standin, port } = await startStandin({ respond: 'none' });
    const srf = newSrf();
    const connectArgs: unknown[][] = [];
    srf.on('connect', (...args: unknown[]) => connectArgs.push(args));
    const accepted = standin.waitForConnection();
    srf.connect({ host: '127.0.0.1', port, secret: SECRET });
    srf.on('cdr:attempt', () => undefined);
    srf.on('cdr:start', () => undefined);
    srf.on('cdr:stop', () => undefined);
    srf.use('options', (_req, res) => res.send(200));
    srf.invite((_req, res) => res.send(480));
    const conn = await accepted;
    await replayIntoSrf('a1', standin, conn, false);
    await waitUntil(() => connectArgs.length > 0, 2000, 'srf connect');
    expect(connectArgs[0]?.slice(0, 2)).toEqual([null, 'tcp/127.0.0.1:5060,udp/127.0.0.1:5060']);
  });

  it('a2: NO|incorrect secret + FIN -> srf reports it via connect(err) and reconnects after ~255 ms', async () => {
    const { standin, port } = await startStandin({ respond: 'none' });
    const srf = newSrf();
    const connectErrors: unknown[] = [];
    const errors: unknown[] = [];
    srf.on('connect', (err: unknown) => connectErrors.push(err));
    srf.on('error', (err: unknown) => errors.push(err));
    const first = standin.waitForConnection();
    srf.connect({ host: '127.0.0.1', port, secret: 'wrong-secret' });
    const conn = await first;
    const scn = loadScenario('a2');
    const [auth, reply] = frameEntries(scn);
    const ids = new Map<string, string>();
    const live = await standin.nextFrame((f) => f.conn === conn.id && f.dir === 'app->server', { fromIndex: 0 });
    compareFrame(auth ? payloadOf(auth) : '', live.payload, ids, 'msgId', false, 'a2 authenticate');
    const second = standin.waitForConnection(3000);
    const rejectedAt = Date.now();
    conn.write(substituteIds(reply ? payloadOf(reply) : '', ids, false));
    conn.end();
    const stop = (f: StandinFrame): void => {
      if (f.dir === 'app->server' && f.conn !== conn.id) stopSrf(srf);
    };
    standin.on('frame', stop);
    const conn2 = await second;
    const retryMs = Date.now() - rejectedAt;
    const again = await standin.nextFrame((f) => f.conn === conn2.id && f.dir === 'app->server', { fromIndex: 0 });
    compareFrame(auth ? payloadOf(auth) : '', again.payload, new Map(), 'msgId', false, 'a2 re-authenticate');
    await waitUntil(() => connectErrors.length > 0, 2000, 'connect(err)');
    expect(String(connectErrors[0])).toContain('failed to authenticate to server');
    expect(errors).toEqual([]);
    expect(retryMs).toBeGreaterThanOrEqual(240);
    expect(retryMs).toBeLessThan(1000);
  });

  it('b: 302 with Contact; request meta as drachtio-srf exposes it', async () => {
    const { standin, conn, cap } = await connectSrf(
      inviteAnswering((res, c) => res.send(302, { headers: { Contact: '<sip:302001@127.0.0.1:5090>' } }, (err: unknown, msg: unknown) => c.results.push({ err, msg }))),
    );
    await replayIntoSrf('b', standin, conn);
    await waitUntil(() => cap.cdrs.length === 2 && cap.results.length === 1, 2000, 'echo + cdr:stop');
    const req = cap.reqs[0];
    expect(req && runtimeMeta(req)).toEqual({
      source: 'network',
      source_address: '127.0.0.1',
      source_port: 5081,
      protocol: 'udp',
      receivedOn: '127.0.0.1:5060',
      stackTxnId: '5b68be33-1c55-4007-8d88-6f632b3d989b',
      stackTime: '16:44:28.779511',
      stackDialogId: '',
    });
    expect((cap.results[0] as { err: unknown; msg: { status: number } }).msg.status).toBe(302);
    expect(cdrSummary(cap.cdrs)).toEqual(['attempt network INVITE', 'stop application call-rejected 302']);
  });

  it('c: 603 Network Blocked with Reason and X-Reason', async () => {
    const { standin, conn, cap } = await connectSrf(
      inviteAnswering((res, c) =>
        res.send(603, 'Network Blocked', { headers: { Reason: 'SIP;cause=603;text="upstream-not-in-rmd"', 'X-Reason': 'upstream-not-in-rmd' } }, (err: unknown, msg: unknown) =>
          c.results.push({ err, msg }),
        ),
      ),
    );
    await replayIntoSrf('c', standin, conn);
    await waitUntil(() => cap.cdrs.length === 2 && cap.results.length === 1, 2000, 'echo + cdr:stop');
    const echoed = (cap.results[0] as { msg: { get(h: string): string; reason: string } }).msg;
    expect(echoed.reason).toBe('Network Blocked');
    expect(echoed.get('Reason')).toBe('SIP;cause=603;text="upstream-not-in-rmd"');
    expect(echoed.get('X-Reason')).toBe('upstream-not-in-rmd');
    expect(cdrSummary(cap.cdrs)).toEqual(['attempt network INVITE', 'stop application call-rejected 603']);
  });

  it.each([
    ['d', 'udp'],
    ['k', 'tcp'],
  ])('%s: 403 over %s', async (prefix, protocol) => {
    const { standin, conn, cap } = await connectSrf(inviteAnswering((res) => res.send(403)));
    await replayIntoSrf(prefix, standin, conn);
    await waitUntil(() => cap.cdrs.length === 2, 2000, 'cdr:stop');
    expect(cap.reqs[0] && runtimeMeta(cap.reqs[0])).toMatchObject({ protocol, source_port: 5081, receivedOn: '127.0.0.1:5060' });
    expect(cdrSummary(cap.cdrs)).toEqual(['attempt network INVITE', 'stop application call-rejected 403']);
  });

  it('f: OPTIONS -> 200', async () => {
    const reqs: Srf.SrfRequest[] = [];
    const { standin, conn } = await connectSrf((srf) => {
      srf.use('options', (req, res) => {
        reqs.push(req);
        res.send(200);
      });
      srf.invite((_req, res) => res.send(480));
    });
    await replayIntoSrf('f', standin, conn);
    expect(reqs[0] && runtimeMeta(reqs[0])).toMatchObject({ protocol: 'udp', source_port: 5081, receivedOn: '127.0.0.1:5060' });
  });

  it('j: UTF-8 in both directions', async () => {
    const { standin, conn, cap } = await connectSrf(inviteAnswering((res) => res.send(603, 'Network Blocked', { headers: { 'X-Note': 'caller=Zoë ✓ Zoë ✓ 😀' } })));
    await replayIntoSrf('j', standin, conn);
    await waitUntil(() => cap.cdrs.length === 2, 2000, 'cdr:stop');
    expect(cap.reqs[0]?.get('Subject')).toBe('café 😀');
    expect(cap.reqs[0] && runtimeMeta(cap.reqs[0])).toMatchObject({ source_port: 5082 });
  });

  it.each([
    ['e1', {}, true],
    ['e2', { recordRoute: true }, true],
    ['e3', {}, false],
  ] as const)('%s: proxyRequest', async (prefix, opts, connected) => {
    const dest = prefix === 'e3' ? 'sip:127.0.0.1:5099' : 'sip:127.0.0.1:5090';
    const { standin, conn, cap } = await connectSrf((srf, c) => {
      srf.use('options', (_req, res) => res.send(200));
      srf.invite((req) => {
        srf.proxyRequest(req, dest, { ...opts }, (err: unknown, results: unknown) => c.results.push({ err, results }));
      });
    });
    await replayIntoSrf(prefix, standin, conn);
    await waitUntil(() => cap.results.length === 1, 2000, 'proxy result');
    const { err, results } = cap.results[0] as { err: unknown; results: { connected: boolean; finalStatus?: number; responses: unknown[] } };
    expect(err).toBeNull();
    expect(results.connected).toBe(connected);
    expect(results.finalStatus).toBe(connected ? 200 : undefined);
    expect(results.responses).toHaveLength(connected ? 1 : 0);
    const expectedCdrs = {
      e1: ['attempt network INVITE', 'attempt application INVITE', 'start network proxy-uac 200', 'start application proxy-uas 200'],
      e2: ['attempt network INVITE', 'attempt application INVITE', 'start network proxy-uac 200', 'start application proxy-uas 200', 'stop network normal-release BYE', 'stop application normal-release BYE'],
      e3: ['attempt network INVITE', 'attempt application INVITE', 'stop application call-rejected 408'],
    }[prefix];
    await waitUntil(() => cap.cdrs.length === expectedCdrs.length, 2000, 'CDRs');
    expect(cdrSummary(cap.cdrs)).toEqual(expectedCdrs);
  });

  it('g: CANCEL while the app holds the INVITE -> req emits cancel', async () => {
    const { standin, conn, cap } = await connectSrf(
      inviteAnswering((_res, c, req) => {
        req.on('cancel', (m) => c.cancels.push(m));
      }),
    );
    await replayIntoSrf('g', standin, conn);
    await waitUntil(() => cap.cancels.length === 1, 2000, 'cancel event');
  });

  it('g2: the app answers after the CANCEL -> NOK reaches the send callback', async () => {
    const { standin, conn, cap } = await connectSrf(
      inviteAnswering((res, c, req) => {
        req.on('cancel', () => res.send(480, (err: unknown) => c.results.push(err)));
      }),
    );
    await replayIntoSrf('g2', standin, conn);
    await waitUntil(() => cap.results.length === 1, 2000, 'send callback');
    expect(cap.results[0]).toBe('Response not sent due to unknown transaction');
  });

  it('g3: 180, then CANCEL with a dialogId -> cdr:stop call-canceled and cancel event', async () => {
    const { standin, conn, cap } = await connectSrf(
      inviteAnswering((res, c, req) => {
        req.on('cancel', (m) => c.cancels.push(m));
        res.send(180);
      }),
    );
    await replayIntoSrf('g3', standin, conn);
    await waitUntil(() => cap.cancels.length === 1 && cap.cdrs.length === 2, 2000, 'cancel + cdr:stop');
    expect(cdrSummary(cap.cdrs)).toEqual(['attempt network INVITE', 'stop network call-canceled INVITE']);
  });

  it('l: srf writes the 20266-byte frame as recorded', async () => {
    const { standin, conn } = await connectSrf(inviteAnswering((res) => res.send(603, { headers: { 'X-Big': 'a'.repeat(20000) } })), {
      maxAppFrameBytes: 1_000_000,
    });
    await replayIntoSrf('l', standin, conn);
  });
});
