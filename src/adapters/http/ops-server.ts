/**
 * The ops HTTP listener: GET /metrics (Prometheus text), /healthz (liveness), /readyz (readiness with the failing checks).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** A readiness check: name → ok plus an optional detail. */
export type ReadinessCheck = () => { readonly ok: boolean; readonly detail?: string };

/** The ops server. */
export interface OpsServer {
  start(): Promise<{ address: string; port: number }>;
  stop(): Promise<void>;
}

/** Creates the ops server bound to address:port (0 = ephemeral). */
export function createOpsServer(opts: { address: string; port: number; registry: Registry; checks: Readonly<Record<string, ReadinessCheck>> }): OpsServer {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      opts.registry.metrics().then(
        (text) => res.writeHead(200, { 'Content-Type': opts.registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    } else if (path === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"ok"}');
    } else if (path === '/readyz') {
      const results = Object.fromEntries(Object.entries(opts.checks).map(([name, check]) => [name, check()]));
      const ready = Object.values(results).every((r) => r.ok);
      res.writeHead(ready ? 200 : 503, { 'Content-Type': 'application/json' }).end(JSON.stringify({ status: ready ? 'ready' : 'not-ready', checks: results }));
    } else {
      res.writeHead(404).end();
    }
  });
  server.keepAliveTimeout = 5000;
  return {
    start: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(opts.port, opts.address, () => {
          const a = server.address() as AddressInfo;
          resolve({ address: a.address, port: a.port });
        });
      }),
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
