/**
 * A real node:http feed server on 127.0.0.1 port 0 for feed tests: per path a scripted answer (body with ETag /
 * Last-Modified and 304 handling, gzip encoding, plain status, a body that stalls, a body cut short), and a record
 * of every request. Loopback only; close() ends every open connection.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gzipSync } from 'node:zlib';

/** One scripted answer. */
export type FeedAnswer =
  /** 200 (or `status`) with the body; answers 304 when If-None-Match / If-Modified-Since match. */
  | { readonly kind: 'body'; readonly body: string | Buffer; readonly status?: number; readonly etag?: string; readonly lastModified?: string; readonly contentType?: string; readonly gzip?: boolean }
  /** A bare status with an optional text body. */
  | { readonly kind: 'status'; readonly status: number; readonly body?: string }
  /** Headers and the first `bytes` of the body, then nothing until the client gives up. */
  | { readonly kind: 'stall'; readonly body: string; readonly bytes: number }
  /** Declares the whole body's Content-Length, sends `bytes` of it, then closes the connection. */
  | { readonly kind: 'cut'; readonly body: string; readonly bytes: number };

/** A request as the server saw it. */
export interface SeenRequest {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
}

/** The running server. */
export interface FeedServer {
  readonly port: number;
  url(path: string): string;
  /** Sets the answer for a path (query string ignored), or a function of the request. */
  answer(path: string, a: FeedAnswer | ((req: IncomingMessage) => FeedAnswer)): void;
  readonly requests: SeenRequest[];
  close(): Promise<void>;
}

function notModified(req: IncomingMessage, a: Extract<FeedAnswer, { kind: 'body' }>): boolean {
  if (a.etag !== undefined && req.headers['if-none-match'] === a.etag) return true;
  return a.etag === undefined && a.lastModified !== undefined && req.headers['if-modified-since'] === a.lastModified;
}

function send(req: IncomingMessage, res: ServerResponse, a: FeedAnswer): void {
  if (a.kind === 'status') {
    res.writeHead(a.status, { 'content-type': 'text/plain' }).end(a.body ?? '');
    return;
  }
  if (a.kind === 'stall' || a.kind === 'cut') {
    const body = Buffer.from(a.body);
    res.writeHead(200, { 'content-type': 'text/csv', 'content-length': String(body.length) });
    res.write(body.subarray(0, a.bytes));
    if (a.kind === 'cut') setImmediate(() => res.socket?.destroy());
    return;
  }
  if (notModified(req, a)) {
    res.writeHead(304, a.etag ? { etag: a.etag } : {}).end();
    return;
  }
  const raw = Buffer.from(a.body);
  const body = a.gzip ? gzipSync(raw) : raw;
  const headers: Record<string, string> = { 'content-type': a.contentType ?? 'text/csv; charset=utf-8', 'content-length': String(body.length) };
  if (a.gzip) headers['content-encoding'] = 'gzip';
  if (a.etag) headers['etag'] = a.etag;
  if (a.lastModified) headers['last-modified'] = a.lastModified;
  res.writeHead(a.status ?? 200, headers).end(body);
}

/** Starts a server on 127.0.0.1:0; unknown paths answer 404. */
export async function startFeedServer(): Promise<FeedServer> {
  const answers = new Map<string, FeedAnswer | ((req: IncomingMessage) => FeedAnswer)>();
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    requests.push({ path, headers: req.headers });
    const a = answers.get(path);
    send(req, res, a === undefined ? { kind: 'status', status: 404 } : typeof a === 'function' ? a(req) : a);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    answer: (path, a) => void answers.set(path, a),
    requests,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
