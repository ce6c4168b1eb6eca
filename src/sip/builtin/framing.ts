/**
 * Built-in SIP front: splits a TCP byte stream into SIP messages (RFC 3261 18.3: Content-Length is mandatory on
 * streams) and recognises RFC 5626 CRLFCRLF keepalive pings. Knows bytes only, not SIP semantics.
 */

/** What one push of bytes produced, in stream order. */
export type FrameEvent =
  | { readonly kind: 'message'; readonly bytes: Buffer }
  /** A CRLFCRLF ping: answer with a single CRLF pong (RFC 5626 4.4.1). */
  | { readonly kind: 'keepalive' }
  /**
   * The stream cannot be framed any further; the connection must be closed. `head` holds the header section read
   * so far (complete lines only), enough to route a best-effort error response.
   */
  | { readonly kind: 'error'; readonly reason: FramingError; readonly head: Buffer };

/** Why framing stopped. */
export type FramingError = 'oversize' | 'no-content-length' | 'bad-content-length';

/** Stateful framer for one TCP connection. */
export interface SipStreamFramer {
  /** Adds received bytes; returns the complete events they finish. After an `error` event it returns []. */
  push(chunk: Buffer): FrameEvent[];
  /** Bytes held waiting for the rest of a message. */
  readonly bufferedBytes: number;
}

const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');
const CONTENT_LENGTH = /\r\n(?:content-length|l)[ \t]*:([^\r\n]*)/gi;
const LENGTH_VALUE = /^[ \t]*(\d{1,10})[ \t]*$/;
const CR = 0x0d;
const LF = 0x0a;

/**
 * Finds the body length in a header section (start line included, final CRLFCRLF excluded). 'missing' when no
 * Content-Length/`l` header exists; 'bad' when a value is not a number or two values disagree.
 */
export function findContentLength(head: Buffer): number | 'missing' | 'bad' {
  const text = head.toString('latin1');
  let found: number | undefined;
  CONTENT_LENGTH.lastIndex = 0;
  for (let m = CONTENT_LENGTH.exec(text); m !== null; m = CONTENT_LENGTH.exec(text)) {
    const digits = LENGTH_VALUE.exec(m[1] ?? '');
    if (digits === null) return 'bad';
    const value = Number(digits[1]);
    if (found !== undefined && found !== value) return 'bad';
    found = value;
  }
  return found ?? 'missing';
}

function completeLines(buffer: Buffer): Buffer {
  const lastLf = buffer.lastIndexOf(LF);
  return lastLf < 0 ? buffer.subarray(0, 0) : buffer.subarray(0, lastLf + 1);
}

/** How many leading bytes are keepalive/CRLF padding: [bytes to skip, is ping], or undefined to wait for more. */
function leadingCrlf(buffer: Buffer): readonly [number, boolean] | undefined {
  if (buffer[0] !== CR) return [0, false];
  if (buffer.length < 4) return buffer.length >= 2 && buffer[1] !== LF ? [0, false] : undefined;
  if (buffer[1] !== LF) return [0, false];
  return buffer[2] === CR && buffer[3] === LF ? [4, true] : [2, false];
}

/**
 * Creates a framer that emits whole messages (header section plus exactly Content-Length body bytes), never
 * holding more than `maxMessageBytes` per message: a longer header section or declared length is an `oversize`
 * error. Emitted buffers are views of the received chunks, not copies, where a message sits in one chunk.
 */
export function createSipStreamFramer(maxMessageBytes: number): SipStreamFramer {
  let buffer: Buffer = Buffer.alloc(0);
  let needed: number | undefined;
  let scanFrom = 0;
  let failed = false;

  function fail(events: FrameEvent[], reason: FramingError, head: Buffer): FrameEvent[] {
    failed = true;
    buffer = Buffer.alloc(0);
    events.push({ kind: 'error', reason, head });
    return events;
  }

  /** Reads one header section; returns false when more bytes are needed or framing failed. */
  function readHead(events: FrameEvent[]): boolean {
    const skip = leadingCrlf(buffer);
    if (skip === undefined) return false;
    if (skip[0] > 0) {
      if (skip[1]) events.push({ kind: 'keepalive' });
      buffer = buffer.subarray(skip[0]);
      scanFrom = 0;
      return buffer.length > 0;
    }
    const end = buffer.indexOf(CRLFCRLF, scanFrom);
    if (end < 0) {
      if (buffer.length > maxMessageBytes) fail(events, 'oversize', completeLines(buffer.subarray(0, maxMessageBytes)));
      else scanFrom = Math.max(0, buffer.length - 3);
      return false;
    }
    const head = buffer.subarray(0, end + 2);
    const length = findContentLength(buffer.subarray(0, end));
    if (length === 'missing') fail(events, 'no-content-length', head);
    else if (length === 'bad') fail(events, 'bad-content-length', head);
    else if (end + 4 + length > maxMessageBytes) fail(events, 'oversize', head);
    else needed = end + 4 + length;
    return !failed;
  }

  function push(chunk: Buffer): FrameEvent[] {
    const events: FrameEvent[] = [];
    if (failed) return events;
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
    for (;;) {
      if (needed === undefined && !readHead(events)) return events;
      if (needed === undefined) continue;
      if (buffer.length < needed) return events;
      events.push({ kind: 'message', bytes: buffer.subarray(0, needed) });
      buffer = buffer.subarray(needed);
      needed = undefined;
      scanFrom = 0;
    }
  }

  return {
    push,
    get bufferedBytes() {
      return buffer.length;
    },
  };
}
