/**
 * Pure helpers for the drachtio-server <-> drachtio-srf wire protocol: framing, the fixture line format, small SIP text
 * helpers and builders for server->app frames. Test code only; every layout follows the recorded v0.9.4 traffic in
 * test/fixtures/drachtio-wire (see its README). No I/O here.
 */
import { randomInt, randomUUID } from 'node:crypto';

/** The separator between the `|` field line of a frame and its SIP part. */
export const CRLF = '\r\n';

/** drachtio-server v0.9.4 accepts at most this many decimal digits in a length prefix. */
export const MAX_LENGTH_DIGITS = 5;

/** Direction of a frame on the app <-> server TCP connection. */
export type WireDirection = 'app->server' | 'server->app';

/** Source of a CDR event as written by drachtio-server. */
export type CdrSource = 'network' | 'application';

// ---------------------------------------------------------------------------------------------------------------
// framing

/** UTF-8 byte length of a string (the unit of every length prefix). */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Encodes one frame as bytes: `<payload length in UTF-8 bytes>#<payload>`. */
export function encodeFrame(payload: string): Buffer {
  const body = Buffer.from(payload, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length}#`, 'ascii'), body]);
}

/** The same frame as {@link encodeFrame}, as a string. */
export function frameText(payload: string): string {
  return `${utf8Bytes(payload)}#${payload}`;
}

/** Raised by {@link FrameDecoder} when the byte stream is not a valid sequence of frames. */
export class FrameFormatError extends Error {
  override readonly name = 'FrameFormatError';
}

/** Options of {@link FrameDecoder}. */
export interface FrameDecoderOptions {
  /**
   * Largest payload that can complete. A frame that declares more can never be read (drachtio-server's fixed receive
   * buffer): the decoder stalls and drops that frame and everything after it.
   */
  readonly maxPayloadBytes?: number;
}

/**
 * Incremental decoder for a TCP byte stream of frames. Handles frames split across chunks and several frames in one
 * chunk. Rejects (throws {@link FrameFormatError}, and keeps failing) a non-digit before `#`, an empty prefix, or a
 * prefix of more than {@link MAX_LENGTH_DIGITS} digits.
 */
export class FrameDecoder {
  #buffer: Buffer = Buffer.alloc(0);
  #stalledAt: number | undefined;
  #error: FrameFormatError | undefined;
  readonly #maxPayloadBytes: number | undefined;

  constructor(options: FrameDecoderOptions = {}) {
    this.#maxPayloadBytes = options.maxPayloadBytes;
  }

  /** Declared payload length of the oversize frame that stalled the decoder, if any. */
  get stalledAt(): number | undefined {
    return this.#stalledAt;
  }

  /** Bytes held back while waiting for the rest of a frame. */
  get pending(): number {
    return this.#buffer.length;
  }

  /** Feeds one chunk; returns the payloads of the frames it completed, in order. */
  push(chunk: Uint8Array): Buffer[] {
    if (this.#error) throw this.#error;
    if (this.#stalledAt !== undefined) return [];
    this.#buffer = this.#buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.#buffer, chunk]);
    const frames: Buffer[] = [];
    for (;;) {
      const hash = this.#scanPrefix();
      if (hash === undefined) return frames;
      const length = Number(this.#buffer.toString('ascii', 0, hash));
      if (this.#maxPayloadBytes !== undefined && length > this.#maxPayloadBytes) {
        this.#stalledAt = length;
        this.#buffer = Buffer.alloc(0);
        return frames;
      }
      const end = hash + 1 + length;
      if (this.#buffer.length < end) return frames;
      frames.push(Buffer.from(this.#buffer.subarray(hash + 1, end)));
      this.#buffer = this.#buffer.subarray(end);
    }
  }

  /** Index of the `#` ending a complete, valid prefix; undefined while the prefix is still incomplete. */
  #scanPrefix(): number | undefined {
    const limit = Math.min(this.#buffer.length, MAX_LENGTH_DIGITS + 1);
    for (let i = 0; i < limit; i++) {
      const byte = this.#buffer[i];
      if (byte === 0x23) {
        if (i === 0) this.#fail('empty length prefix before #');
        return i;
      }
      if (byte === undefined || byte < 0x30 || byte > 0x39) {
        this.#fail(`non-digit byte 0x${(byte ?? 0).toString(16).padStart(2, '0')} in length prefix`);
      }
    }
    if (this.#buffer.length > MAX_LENGTH_DIGITS) this.#fail(`length prefix longer than ${MAX_LENGTH_DIGITS} digits`);
    return undefined;
  }

  #fail(message: string): never {
    this.#error = new FrameFormatError(message);
    throw this.#error;
  }
}

/** Decodes a complete byte stream into payload strings (throws if bytes are left over). */
export function decodeFrames(bytes: Uint8Array): string[] {
  const decoder = new FrameDecoder();
  const payloads = decoder.push(bytes).map((b) => b.toString('utf8'));
  if (decoder.pending !== 0) throw new FrameFormatError(`${decoder.pending} trailing bytes do not form a frame`);
  return payloads;
}

/** A payload split into its `|` fields (up to the first CRLF) and the SIP text after that CRLF, if any. */
export interface SplitPayload {
  readonly fields: string[];
  readonly sip: string | undefined;
}

/** Splits a payload into fields and SIP part, as both ends of the wire do. */
export function splitPayload(payload: string): SplitPayload {
  const crlf = payload.indexOf(CRLF);
  const leader = crlf === -1 ? payload : payload.slice(0, crlf);
  return { fields: leader.split('|'), sip: crlf === -1 ? undefined : payload.slice(crlf + 2) };
}

// ---------------------------------------------------------------------------------------------------------------
// fixture files

/** One meaningful line of a fixture `.txt` file. */
export type FixtureEntry =
  | { readonly kind: 'frame'; readonly lineNo: number; readonly t: number; readonly conn: number; readonly dir: WireDirection; readonly text: string; readonly bytes: Buffer }
  | { readonly kind: 'event'; readonly lineNo: number; readonly t: number; readonly conn: number; readonly text: string }
  | { readonly kind: 'note'; readonly lineNo: number; readonly t: number; readonly text: string };

/** A parsed fixture `.txt` file. */
export interface FixtureScenario {
  readonly name: string;
  readonly header: readonly string[];
  readonly entries: readonly FixtureEntry[];
}

const ESCAPE_RE = /\\(\\|r|n|t|x[0-9a-f]{2})/g;

/** Undoes the fixture escapes (`\r`, `\n`, `\\`, `\t`, `\xNN`). */
export function unescapeFixtureText(text: string): string {
  return text.replace(ESCAPE_RE, (_m, c: string) =>
    c === '\\' ? '\\' : c === 'r' ? '\r' : c === 'n' ? '\n' : c === 't' ? '\t' : String.fromCharCode(parseInt(c.slice(1), 16)),
  );
}

/** Applies the fixture escapes: CR, LF, backslash, TAB and other control bytes; non-ASCII is kept. */
export function escapeFixtureText(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '\\') out += '\\\\';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out;
}

const LINE_RE = /^\+(\d+\.\d+) (?:(c\d+) (app->server|server->app|event) |(--) note )/;

/** Parses one fixture line; undefined for the `#` header and blank lines. Throws on anything unrecognised. */
export function parseFixtureLine(line: string, lineNo: number): FixtureEntry | undefined {
  if (line === '' || line.startsWith('#')) return undefined;
  const m = LINE_RE.exec(line);
  if (!m) throw new Error(`fixture line ${lineNo}: unrecognised: ${line.slice(0, 80)}`);
  const t = Number(m[1]);
  const rest = line.slice(m[0].length);
  if (m[4] === '--') return { kind: 'note', lineNo, t, text: rest };
  const conn = Number((m[2] ?? 'c0').slice(1));
  if (m[3] === 'event') return { kind: 'event', lineNo, t, conn, text: rest };
  const dir = m[3] as WireDirection;
  return { kind: 'frame', lineNo, t, conn, dir, text: rest, bytes: Buffer.from(unescapeFixtureText(rest), 'utf8') };
}

/** Parses a whole fixture `.txt` file. */
export function parseFixture(text: string): FixtureScenario {
  const lines = text.split('\n');
  const header: string[] = [];
  const entries: FixtureEntry[] = [];
  lines.forEach((line, i) => {
    if (line.startsWith('#')) header.push(line);
    const entry = parseFixtureLine(line, i + 1);
    if (entry) entries.push(entry);
  });
  const name = /^# scenario: (\S+)/.exec(header[0] ?? '')?.[1] ?? '';
  return { name, header, entries };
}

/** One record of a fixture `raw/*.chunks.jsonl` file. */
export type ChunkRecord =
  | { readonly kind: 'data'; readonly t: number; readonly conn: number; readonly dir: WireDirection; readonly bytes: Buffer }
  | { readonly kind: 'event'; readonly t: number; readonly conn: number | undefined; readonly ev: string; readonly detail: Readonly<Record<string, unknown>> };

/** Parses a `raw/*.chunks.jsonl` file (one JSON object per TCP read or connection event). */
export function parseChunks(jsonl: string): ChunkRecord[] {
  return jsonl
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l): ChunkRecord => {
      const o = JSON.parse(l) as Record<string, unknown>;
      const t = Number(o['t']);
      if (typeof o['dir'] === 'string' && typeof o['b64'] === 'string') {
        const bytes = Buffer.from(o['b64'], 'base64');
        if (typeof o['len'] === 'number' && o['len'] !== bytes.length) throw new Error(`chunk length ${String(o['len'])} != ${bytes.length}`);
        return { kind: 'data', t, conn: Number(o['conn']), dir: o['dir'] as WireDirection, bytes };
      }
      return { kind: 'event', t, conn: typeof o['conn'] === 'number' ? o['conn'] : undefined, ev: String(o['ev']), detail: o };
    });
}

// ---------------------------------------------------------------------------------------------------------------
// ids, times, SIP text

/** A fresh lowercase UUID v4, as used for msgIds and transactionIds. */
export function newMsgId(): string {
  return randomUUID();
}

/** Matches a lowercase UUID v4. */
export const UUID_V4_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Matches the server's time field, `HH:MM:SS.uuuuuu` (UTC time of day). */
export const STACK_TIME_RE = /^\d{2}:\d{2}:\d{2}\.\d{6}$/;

/** Formats a time as the server's time field: UTC `HH:MM:SS.uuuuuu`. Defaults to now, with microseconds. */
export function formatStackTime(epochMicros: number = Math.floor((performance.timeOrigin + performance.now()) * 1000)): string {
  const date = new Date(Math.floor(epochMicros / 1000));
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}.${pad(epochMicros % 1_000_000, 6)}`;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random alphanumeric token (sofia-style tags are 13 characters). */
export function randomToken(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALNUM[randomInt(ALNUM.length)];
  return out;
}

/** One header line of a SIP message. `raw` is the line exactly as in the text (folded lines joined with CRLF). */
export interface SipHeader {
  readonly name: string;
  readonly value: string;
  readonly raw: string;
}

/** A SIP message split into start line, header lines and body. */
export interface ParsedSip {
  readonly startLine: string;
  readonly headers: readonly SipHeader[];
  readonly body: string;
}

const COMPACT: Readonly<Record<string, string>> = {
  i: 'call-id', m: 'contact', e: 'content-encoding', l: 'content-length', c: 'content-type', f: 'from', s: 'subject',
  k: 'supported', t: 'to', v: 'via', o: 'event', u: 'allow-events', r: 'refer-to', b: 'referred-by', x: 'session-expires',
  a: 'accept-contact', j: 'reject-contact', d: 'request-disposition',
};

/** Lowercase long form of a header name (compact forms expanded). */
export function headerKey(name: string): string {
  const lower = name.trim().toLowerCase();
  return COMPACT[lower] ?? lower;
}

/** Parses SIP text (CRLF line ends). Lenient: no validation beyond the line structure. */
export function parseSip(text: string): ParsedSip {
  const end = text.indexOf(CRLF + CRLF);
  const head = end === -1 ? text : text.slice(0, end);
  const body = end === -1 ? '' : text.slice(end + 4);
  const lines = head.split(CRLF);
  const startLine = lines.shift() ?? '';
  const raws: string[] = [];
  for (const line of lines) {
    const last = raws.length - 1;
    if ((line.startsWith(' ') || line.startsWith('\t')) && last >= 0) raws[last] = `${raws[last] ?? ''}${CRLF}${line}`;
    else if (line !== '') raws.push(line);
  }
  const headers = raws.map((raw): SipHeader => {
    const colon = raw.indexOf(':');
    const name = colon === -1 ? raw : raw.slice(0, colon).trim();
    const value = colon === -1 ? '' : raw.slice(colon + 1).replace(/\r\n[ \t]+/g, ' ').trim();
    return { name, value, raw };
  });
  return { startLine, headers, body };
}

/** Joins a start line, header lines and a body into SIP text. */
export function renderSip(startLine: string, headerLines: readonly string[], body = ''): string {
  return [startLine, ...headerLines, '', body].join(CRLF);
}

/** All values of a header (compact forms match), in order. */
export function headerValues(msg: ParsedSip, name: string): string[] {
  const key = headerKey(name);
  return msg.headers.filter((h) => headerKey(h.name) === key).map((h) => h.value);
}

/** First value of a header, if present. */
export function headerValue(msg: ParsedSip, name: string): string | undefined {
  return headerValues(msg, name)[0];
}

/** The `tag` parameter of a From/To value, if any. */
export function tagOf(nameAddr: string): string | undefined {
  const afterUri = nameAddr.includes('>') ? nameAddr.slice(nameAddr.lastIndexOf('>') + 1) : nameAddr;
  return /;\s*tag=([^;\s]+)/i.exec(afterUri)?.[1];
}

/** Splits a header value at commas that are outside quotes and angle brackets (Via lists). */
export function splitCommaList(value: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === '"' && value[i - 1] !== '\\') quoted = !quoted;
    else if (!quoted && ch === '<') depth++;
    else if (!quoted && ch === '>') depth--;
    else if (!quoted && depth === 0 && ch === ',') {
      parts.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(value.slice(start).trim());
  return parts;
}

/**
 * The server's change to an incoming request: the top Via gets `;rport=<source port>` (or a value for a bare `;rport`),
 * and `;received=<address>` when its host differs from the source address. Everything else stays byte for byte.
 */
export function addReceivedParams(sipText: string, sourceAddress: string, sourcePort: number): string {
  const lines = sipText.split(CRLF);
  const index = lines.findIndex((l, i) => i > 0 && /^(via|v)\s*:/i.test(l));
  const line = index === -1 ? undefined : lines[index];
  if (line === undefined) return sipText;
  const colon = line.indexOf(':');
  const rest = line.slice(colon + 1);
  const comma = findTopViaEnd(rest);
  let top = rest.slice(0, comma);
  const tail = rest.slice(comma);
  const host = /SIP\s*\/\s*2\.0\s*\/\s*\S+\s+(\[[^\]]+\]|[^;:\s]+)/i.exec(top)?.[1];
  const bareRport = /(;\s*rport)(?=\s*(;|$))/i;
  if (bareRport.test(top)) top = top.replace(bareRport, `$1=${sourcePort}`);
  else if (!/;\s*rport\s*=/i.test(top)) top = `${top.trimEnd()};rport=${sourcePort}`;
  if (host !== undefined && host !== sourceAddress && !/;\s*received\s*=/i.test(top)) top = `${top};received=${sourceAddress}`;
  lines[index] = `${line.slice(0, colon + 1)}${top}${tail}`;
  return lines.join(CRLF);
}

function findTopViaEnd(value: string): number {
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === ',') return i;
  }
  return value.length;
}

// ---------------------------------------------------------------------------------------------------------------
// server -> app frame builders (payloads, without the length prefix)

/** Meta fields 2-12 of an incoming request frame (`sip|network|...`). */
export interface IncomingRequestMeta {
  /** Size of the request as received from the network (before the server added `rport`). */
  readonly bytes: number;
  readonly transport: string;
  readonly sourceAddress: string;
  readonly sourcePort: number;
  readonly time: string;
  readonly transactionId: string;
  readonly dialogId: string;
  readonly localAddress: string;
  readonly localPort: number;
}

/** `msgId|sip|network|bytes|transport|src|port|time|txnId|dialogId|localAddr|localPort|` CRLF SIP. */
export function buildIncomingRequest(meta: IncomingRequestMeta, sip: string, msgId = newMsgId()): string {
  return (
    `${msgId}|sip|network|${meta.bytes}|${meta.transport}|${meta.sourceAddress}|${meta.sourcePort}|${meta.time}|` +
    `${meta.transactionId}|${meta.dialogId}|${meta.localAddress}|${meta.localPort}|${CRLF}${sip}`
  );
}

/** The CANCEL variant: the meta stops after the dialogId field. */
export function buildIncomingCancel(
  meta: Omit<IncomingRequestMeta, 'localAddress' | 'localPort'>,
  sip: string,
  msgId = newMsgId(),
): string {
  return (
    `${msgId}|sip|network|${meta.bytes}|${meta.transport}|${meta.sourceAddress}|${meta.sourcePort}|${meta.time}|` +
    `${meta.transactionId}|${meta.dialogId}|${CRLF}${sip}`
  );
}

/** Successful authenticate reply: `response|<appMsgId>|OK|<sip hostports>|<version>|<local hostports>`. */
export function buildAuthOk(appMsgId: string, sipHostports: string, version: string, localHostports: string, msgId = newMsgId()): string {
  return `${msgId}|response|${appMsgId}|OK|${sipHostports}|${version}|${localHostports}`;
}

/** Failed authenticate reply (the server closes the connection after it). */
export function buildAuthRejected(appMsgId: string, msgId = newMsgId()): string {
  return `${msgId}|response|${appMsgId}|NO|incorrect secret`;
}

/** Plain `OK` reply (route). */
export function buildOk(appMsgId: string, msgId = newMsgId()): string {
  return `${msgId}|response|${appMsgId}|OK`;
}

/** Ping reply. */
export function buildPong(appMsgId: string, msgId = newMsgId()): string {
  return `${msgId}|response|${appMsgId}|OK|pong`;
}

/** Failure reply, e.g. `Response not sent due to unknown transaction`. */
export function buildNok(appMsgId: string, reason: string, msgId = newMsgId()): string {
  return `${msgId}|response|${appMsgId}|NOK|${reason}`;
}

/** Fields of the echo of a response the app sent. */
export interface ResponseEchoMeta {
  readonly appMsgId: string;
  /** Size of the SIP response as sent. */
  readonly bytes: number;
  /** Empty for non-INVITE responses (as recorded for OPTIONS). */
  readonly transport: string;
  readonly address: string;
  readonly port: number;
  readonly time: string;
  readonly transactionId: string;
  /** `<Call-ID>;from-tag=<tag>` for INVITE responses, empty otherwise. */
  readonly dialogId: string;
}

/** `response|<appMsgId>|OK|application|bytes|transport|addr|port|time|txnId|dialogId||Msg sent:|` CRLF SIP. */
export function buildResponseEcho(meta: ResponseEchoMeta, sip: string, msgId = newMsgId()): string {
  return (
    `${msgId}|response|${meta.appMsgId}|OK|application|${meta.bytes}|${meta.transport}|${meta.address}|${meta.port}|` +
    `${meta.time}|${meta.transactionId}|${meta.dialogId}||Msg sent:|${CRLF}${sip}`
  );
}

/** Fields of a proxy `continue` report (a final response from a target). */
export interface ProxyContinueMeta {
  readonly proxyMsgId: string;
  readonly bytes: number;
  readonly transport: string;
  readonly address: string;
  readonly port: number;
  readonly time: string;
}

/** `response|<proxyMsgId>|OK|network|bytes|transport|addr|port|time|||continue` CRLF SIP. */
export function buildProxyContinue(meta: ProxyContinueMeta, sip: string, msgId = newMsgId()): string {
  return (
    `${msgId}|response|${meta.proxyMsgId}|OK|network|${meta.bytes}|${meta.transport}|${meta.address}|${meta.port}|` +
    `${meta.time}|||continue${CRLF}${sip}`
  );
}

/** Last frame for a proxy command. */
export function buildProxyDone(proxyMsgId: string, msgId = newMsgId()): string {
  return `${msgId}|response|${proxyMsgId}|OK|done`;
}

/** `cdr:attempt|<source>|<time>` CRLF INVITE. */
export function buildCdrAttempt(source: CdrSource, time: string, sip: string, msgId = newMsgId()): string {
  return `${msgId}|cdr:attempt|${source}|${time}${CRLF}${sip}`;
}

/** `cdr:start|<source>|<time>|<role>` CRLF 200 OK. */
export function buildCdrStart(source: CdrSource, time: string, role: string, sip: string, msgId = newMsgId()): string {
  return `${msgId}|cdr:start|${source}|${time}|${role}${CRLF}${sip}`;
}

/** `cdr:stop|<source>|<time>|<reason>` CRLF SIP. */
export function buildCdrStop(source: CdrSource, time: string, reason: string, sip: string, msgId = newMsgId()): string {
  return `${msgId}|cdr:stop|${source}|${time}|${reason}${CRLF}${sip}`;
}

/** srf CDR events (`cdr:attempt|start|stop` with their arguments, the SIP message last) as comparable lines: times dropped. */
export function cdrSummary(cdrs: readonly { readonly event: string; readonly args: readonly unknown[] }[]): string[] {
  return cdrs.map((c) => {
    const msg = c.args[c.args.length - 1] as { method?: string; status?: number };
    return [c.event, ...c.args.slice(0, -1).filter((a) => !STACK_TIME_RE.test(String(a))), msg.method ?? msg.status].join(' ');
  });
}
