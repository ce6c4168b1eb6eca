/**
 * The ops HTTP listener: GET /metrics (Prometheus text), /healthz (liveness), /readyz (readiness with the failing checks).
 * Unauthenticated and read-only; bind it to loopback or a management network. Admin actions live on admin-server.ts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { createReadiness, type Readiness, type ReadinessCheck } from './readiness.js';


/** Options of {@link createOpsServer}. */
export interface OpsServerOptions {
  readonly address: string;
  /** TCP port; 0 = ephemeral. */
  readonly port: number;
  readonly registry: Registry;
  /** The check registry behind /readyz; a new one when omitted. */
  readonly readiness?: Readiness;
  /** Checks added to the registry at creation. */
  readonly checks?: Readonly<Record<string, ReadinessCheck>>;
}

/** The ops server. */
export interface OpsServer {
  /** The registry behind /readyz: others register their checks here. */
  readonly readiness: Readiness;
  start(): Promise<{ address: string; port: number }>;
  stop(): Promise<void>;
}

/**
 * The registry's text exposition, built one metric per event-loop turn: the same text as `registry.metrics()`, which
 * serialises every metric in one go (milliseconds with the default process metrics) on the loop that answers SIP.
 * Here SIP traffic is served between metrics, so a scrape never holds the loop for more than one metric.
 */
export async function exposeMetrics(registry: Registry): Promise<string> {
  if (registry.contentType !== Registry.PROMETHEUS_CONTENT_TYPE) return registry.metrics();
  const parts: string[] = [];
  for (const metric of registry.getMetricsAsArray()) {
    await nextTurn();
    parts.push(await registry.getSingleMetricAsString(metric.name));
  }
  return `${parts.join('\n\n')}\n`;
}

const JSON_HEADERS = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' } as const;

/** Creates the ops server bound to address:port (0 = ephemeral). */
export function createOpsServer(opts: OpsServerOptions): OpsServer {
  const readiness = opts.readiness ?? createReadiness();
  for (const [name, check] of Object.entries(opts.checks ?? {})) readiness.register(name, check);
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    } else if (path === '/metrics') {
      exposeMetrics(opts.registry).then(
        (text) => res.writeHead(200, { 'Content-Type': opts.registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    } else if (path === '/healthz') {
      res.writeHead(200, JSON_HEADERS).end('{"status":"ok"}');
    } else if (path === '/readyz') {
      const report = readiness.run();
      res.writeHead(report.ready ? 200 : 503, JSON_HEADERS).end(JSON.stringify({ status: report.ready ? 'ready' : 'not-ready', failing: report.failing, checks: report.checks }));
    } else {
      res.writeHead(404).end();
    }
  });
  server.keepAliveTimeout = 5000;
  return {
    readiness,
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
