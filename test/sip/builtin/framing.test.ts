import { describe, expect, it } from 'vitest';
import { type FrameEvent, createSipStreamFramer, findContentLength } from '../../../src/sip/builtin/framing.js';
import { sipMessage } from '../../support/sip-text.js';

function push(framer: ReturnType<typeof createSipStreamFramer>, ...chunks: string[]): FrameEvent[] {
  return chunks.flatMap((chunk) => framer.push(Buffer.from(chunk, 'utf8')));
}

function texts(events: readonly FrameEvent[]): string[] {
  return events.map((e) => (e.kind === 'message' ? e.bytes.toString('utf8') : e.kind === 'error' ? `error:${e.reason}` : 'ping'));
}

describe('createSipStreamFramer', () => {
  it('joins a message split across chunks, body included', () => {
    const text = sipMessage('v=0\r\n');
    const framer = createSipStreamFramer(65535);

    const events = push(framer, text.slice(0, 10), text.slice(10, text.length - 3), text.slice(text.length - 3));

    expect(texts(events)).toEqual([text]);
    expect(framer.bufferedBytes).toBe(0);
  });

  it('splits two messages that arrive in one chunk', () => {
    const framer = createSipStreamFramer(65535);

    expect(texts(push(framer, sipMessage('ab') + sipMessage()))).toEqual([sipMessage('ab'), sipMessage()]);
  });

  it('recognises CRLFCRLF keepalive pings, also split, and skips a lone CRLF before a message', () => {
    const framer = createSipStreamFramer(65535);

    expect(texts(push(framer, '\r\n\r\n'))).toEqual(['ping']);
    expect(texts(push(framer, '\r\n', '\r\n'))).toEqual(['ping']);
    expect(texts(push(framer, `\r\n${sipMessage()}`))).toEqual([sipMessage()]);
  });

  it('accepts the compact l: form', () => {
    const text = sipMessage('xyz').replace('Content-Length:', 'l:');

    expect(texts(push(createSipStreamFramer(65535), text))).toEqual([text]);
  });

  it('fails on a missing or unreadable Content-Length and then stays silent', () => {
    const noLength = sipMessage().replace(/Content-Length: 0\r\n/, '');
    const framer = createSipStreamFramer(65535);

    expect(texts(push(framer, noLength))).toEqual(['error:no-content-length']);
    expect(push(framer, sipMessage())).toEqual([]);
    expect(texts(push(createSipStreamFramer(65535), sipMessage().replace('Length: 0', 'Length: x')))).toEqual([
      'error:bad-content-length',
    ]);
  });

  it('fails with oversize on a declared length or an unframed header block past the limit, keeping the head', () => {
    const declared = push(createSipStreamFramer(1024), sipMessage().replace('Content-Length: 0', 'Content-Length: 5000'));
    const unframed = push(createSipStreamFramer(1024), `${sipMessage().slice(0, 200)}X-Pad: ${'p'.repeat(2000)}`);

    expect(texts(declared)).toEqual(['error:oversize']);
    expect(texts(unframed)).toEqual(['error:oversize']);
    const head = unframed[0]?.kind === 'error' ? unframed[0].head.toString('utf8') : '';
    expect(head.startsWith('INVITE ')).toBe(true);
    expect(head.endsWith('\r\n')).toBe(true);
  });

  it('reads Content-Length values', () => {
    const head = (lines: string): Buffer => Buffer.from(`INVITE sip:a@b SIP/2.0\r\n${lines}`, 'latin1');

    expect(findContentLength(head('content-length :  12 '))).toBe(12);
    expect(findContentLength(head('Content-Length: 3\r\nl: 3'))).toBe(3);
    expect(findContentLength(head('Content-Length: 3\r\nl: 4'))).toBe('bad');
    expect(findContentLength(head('X-Content-Length: 3'))).toBe('missing');
  });
});
