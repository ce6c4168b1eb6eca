/**
 * The admin listener (separate from /metrics): bearer-token protected JSON routes over HTTP or HTTPS. Routes are data
 * (method + path template + handler) so other components mount theirs; every request is authenticated before routing.
 */
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../screening/index.js';
import { WWW_AUTHENTICATE, createBearerCheck } from './bearer-auth.js';

/** A routed, authenticated request. `params` holds the `{name}` segments of the route's path template, decoded. */
export interface AdminRequest {
  readonly method: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** Parsed JSON body, or undefined when there was none. */
  readonly body: unknown;
}

/** A handler's answer, sent as JSON. */
export interface AdminReply {
  readonly status: number;
  readonly body: unknown;
  /** When set, `body` is a ready-made string sent with this Content-Type (e.g. CSV) instead of JSON. */
  readonly contentType?: string | undefined;
}

/** Handles one admin request; a throw becomes a 500 without details (logged). */
export type AdminHandler = (req: AdminRequest) => AdminReply | Promise<AdminReply>;

/** One admin route, e.g. `{ method: 'POST', path: '/admin/feeds/{name}/refresh', handler }`. */
export interface AdminRoute {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  readonly handler: AdminHandler;
}

/** Options of {@link createAdminServer}. */
export interface AdminServerOptions {
  readonly address: string;
  readonly port: number;
  /** The bearer token; must be non-empty. */
  readonly token: string;
  /** PEM files; when given the listener speaks HTTPS only. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string } | undefined;
  readonly log: Logger;
  readonly routes?: readonly AdminRoute[];
  /** Largest request body accepted, bytes; default 65536. */
  readonly maxBodyBytes?: number;
}

/** The admin server. */
export interface AdminServer {
  /** Adds a route (before or after start). A later route with the same method and path replaces the earlier one. */
  mount(route: AdminRoute): void;
  start(): Promise<{ address: string; port: number; tls: boolean }>;
  stop(): Promise<void>;
}

interface CompiledRoute extends AdminRoute {
  readonly pattern: RegExp;
  readonly names: readonly string[];
}

const JSON_HEADERS = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' } as const;

/** Creates the admin server; nothing is bound until start(). */
export function createAdminServer(opts: AdminServerOptions): AdminServer {
  const authorised = createBearerCheck(opts.token);
  const routes: CompiledRoute[] = [];
  const mount = (route: AdminRoute): void => {
    const i = routes.findIndex((r) => r.method === route.method && r.path === route.path);
    if (i >= 0) routes.splice(i, 1);
    routes.push(compile(route));
  };
  for (const r of opts.routes ?? []) mount(r);
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    if (!authorised(req.headers.authorization)) {
      opts.log.warn({ method: req.method, remote: req.socket.remoteAddress }, 'admin request unauthorized');
      res.writeHead(401, { ...JSON_HEADERS, 'WWW-Authenticate': WWW_AUTHENTICATE, Connection: 'close' }).end('{"error":"unauthorized"}');
      return;
    }
    void serve(req, res, routes, opts).catch((err: unknown) => {
      opts.log.error({ err, method: req.method }, 'admin request failed');
      if (!res.headersSent) res.writeHead(500, JSON_HEADERS).end('{"error":"internal"}');
    });
  };
  let server: Server | undefined;
  return {
    mount,
    async start() {
      server = await listen(opts, handle);
      const a = server.address() as AddressInfo;
      return { address: a.address, port: a.port, tls: opts.tls !== undefined };
    },
    stop: () =>
      new Promise((resolve) => {
        if (!server?.listening) return resolve();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Binds an HTTP server, or an HTTPS one when TLS files are configured (read at start, so a bad path fails start). */
async function listen(opts: AdminServerOptions, handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<Server> {
  const tls = opts.tls ? { cert: await readFile(opts.tls.certFile), key: await readFile(opts.tls.keyFile) } : undefined;
  const server = tls ? createHttpsServer(tls, handle) : createHttpServer(handle);
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.address, () => resolve());
  });
  return server;
}

function compile(route: AdminRoute): CompiledRoute {
  const names: string[] = [];
  const source = route.path
    .split('/')
    .map((seg) => {
      const m = /^\{([A-Za-z][A-Za-z0-9_]*)\}$/.exec(seg);
      if (!m?.[1]) return seg.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
      names.push(m[1]);
      return '([^/]+)';
    })
    .join('/');
  return { ...route, pattern: new RegExp(`^${source}$`), names };
}

async function serve(req: IncomingMessage, res: ServerResponse, routes: readonly CompiledRoute[], opts: AdminServerOptions): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://admin.invalid');
  const matches = routes.map((r) => ({ r, m: r.pattern.exec(url.pathname) })).filter((x) => x.m !== null);
  const hit = matches.find((x) => x.r.method === req.method);
  if (!hit?.m) {
    const allow = matches.map((x) => x.r.method).join(', ');
    res.writeHead(allow ? 405 : 404, { ...JSON_HEADERS, ...(allow ? { Allow: allow } : {}) }).end(JSON.stringify({ error: allow ? 'method-not-allowed' : 'not-found' }));
    return;
  }
  const body = await readJsonBody(req, opts.maxBodyBytes ?? 65536);
  if (body === INVALID) {
    res.writeHead(400, JSON_HEADERS).end('{"error":"invalid-json-body"}');
    return;
  }
  const params = Object.fromEntries(hit.r.names.map((n, i) => [n, safeDecode(hit.m?.[i + 1] ?? '')]));
  const reply = await hit.r.handler({ method: req.method ?? 'GET', path: url.pathname, params, query: url.searchParams, body });
  opts.log.info({ method: req.method, route: hit.r.path, params, status: reply.status }, 'admin request served');
  if (reply.contentType !== undefined && typeof reply.body === 'string') res.writeHead(reply.status, { 'Content-Type': reply.contentType }).end(reply.body);
  else res.writeHead(reply.status, JSON_HEADERS).end(JSON.stringify(reply.body));
}

const INVALID = Symbol('invalid');

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) return INVALID;
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return INVALID;
  }
}
