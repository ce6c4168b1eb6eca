/**
 * The composition root: config → logger → metrics → data/world → CDR sink → screener → SIP front → ops server.
 * The only file that wires adapters to the use case and owns start/stop order.
 */
import type { DestinationStream } from 'pino';
import { createBuiltinSipServer } from './adapters/sip/builtin-server.js';
import { createCdrSinks } from './adapters/store/cdr-sinks.js';
import { loadWorld, type WorldSummary } from './adapters/data/load-world.js';
import { createAdminServer, type AdminRoute } from './adapters/http/admin-server.js';
import { createCoreAdminRoutes, notImplemented, toAdminStatus } from './adapters/http/admin-routes.js';
import { createOpsServer } from './adapters/http/ops-server.js';
import { createFeedFreshnessCheck, createFrontCheck, createReadiness, trackCdrWrites, type Readiness } from './adapters/http/readiness.js';
import { createMetrics, type Metrics } from './adapters/metrics/screening-metrics.js';
import type { Clock, Logger } from './app/ports.js';
import { createInviteScreener } from './app/screen-invite.js';
import { createWorldHolder } from './app/world-holder.js';
import type { LoadedConfig } from './config/load.js';
import type { ScreeningWorld } from './core/policy.js';
import { createLogger } from './log/create-logger.js';
import { VERSION } from './version.js';

/** A running rmdgate. */
export interface App {
  readonly sip: readonly { transport: string; address: string; port: number }[];
  readonly ops: { address: string; port: number } | undefined;
  /** The admin listener, undefined when disabled or when no bearer token is set. */
  readonly admin: { address: string; port: number; tls: boolean } | undefined;
  /** The /readyz check registry: fronts and sinks register their checks here. */
  readonly readiness: Readiness;
  readonly metrics: Metrics;
  readonly summary: WorldSummary;
  world(): ScreeningWorld;
  /** Stops taking SIP, flushes CDRs, closes the ops listener. Idempotent. */
  stop(): Promise<void>;
}

/** Start options (tests inject a log destination and clock). */
export interface StartOptions {
  readonly logDestination?: DestinationStream;
  readonly clock?: Clock;
  readonly defaultMetrics?: boolean;
}

const systemClock: Clock = { now: () => Date.now(), monotonicMs: () => performance.now() };

/** Starts rmdgate for a loaded config; resolves when every listener is bound. */
export async function start(loaded: LoadedConfig, opts: StartOptions = {}): Promise<App> {
  const { config } = loaded;
  const clock = opts.clock ?? systemClock;
  const log = createLogger({ level: config.log.level, version: VERSION, ...(opts.logDestination ? { destination: opts.logDestination } : {}) });
  const metrics = createMetrics(VERSION, { defaultMetrics: opts.defaultMetrics ?? true, now: clock.now, feedMaxAgeSeconds: config.feeds.maxAgeHours * 3600 });
  const loadStarted = clock.monotonicMs();
  const { world: initialWorld, summary } = await loadWorld(loaded, clock.now());
  const holder = createWorldHolder(initialWorld);
  const world = (): ScreeningWorld => holder.current();
  reportInitialData(metrics, loaded, summary, initialWorld, (clock.monotonicMs() - loadStarted) / 1000);
  metrics.watchWorld(world);
  const cdrWrites = trackCdrWrites(metrics.cdr);
  const cdr = await createCdrSinks(config.cdr, { resolvePath: loaded.resolvePath, pgUrl: loaded.cdrPgUrl, log, metrics: cdrWrites.metrics, monotonicMs: clock.monotonicMs });
  metrics.watchCdrQueue(cdr.queued);
  const screen = createInviteScreener({
    world,
    cdr,
    metrics: metrics.screening,
    log,
    clock,
    node: config.node.id,
    reply: { verdictHeader: config.sip.verdictHeader },
    firstSeq: clock.now() * 1000,
  });
  const sipServer = createBuiltinSipServer({
    listen: config.sip.listen,
    onInvite: (facts) => screen(facts).reply,
    metrics: metrics.front,
    log,
    now: clock.now,
    maxMessageBytes: config.sip.maxMessageBytes,
    maxTcpConnections: config.sip.maxTcpConnections,
    tcpIdleTimeoutMs: config.sip.tcpIdleTimeoutMs,
    selectorHeaderNames: config.sip.trunkHeader ? [config.sip.trunkHeader.toLowerCase()] : [],
    ...(config.sip.serverHeader !== false ? { serverHeader: config.sip.serverHeader } : {}),
    transactionTtlMs: config.sip.transactionTtlMs,
    maxTransactions: config.sip.maxTransactions,
  });
  const sip = await sipServer.start();
  const readiness = createReadiness({
    front: createFrontCheck({ builtin: () => sipServer.isListening() }),
    rmd: createFeedFreshnessCheck('rmd', metrics.feedStatus, clock.now),
    cdr: () => cdr.health(),
  });
  const opsListen = config.ops.listen;
  const opsServer = opsListen === false ? undefined : createOpsServer({ address: opsListen.address, port: opsListen.port, registry: metrics.registry, readiness });
  const ops = opsServer ? await opsServer.start() : undefined;
  const adminServer = createAdmin(loaded, log, createCoreAdminRoutes({
    reload: () => Promise.resolve(notImplemented('reload', 'config reload is not wired yet: the feeds/reload work provides reload(); nothing was changed')),
    refreshFeed: (name) => Promise.resolve(notImplemented('refresh', `feed refresh is not wired yet (feed "${name}"); nothing was changed`)),
    status: () => toAdminStatus({ world: world(), feeds: metrics.feedStatus(), now: clock.now(), version: VERSION, node: config.node.id }),
  }));
  const admin = await adminServer?.start();
  log.info({ sip, ops, admin, ...summaryFields(summary), mode: config.mode, configVersion: loaded.version }, 'rmdgate started');

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await sipServer.stop();
      await cdr.close();
      await adminServer?.stop();
      await opsServer?.stop();
      log.info({}, 'rmdgate stopped');
      log.flush();
    })());
  return { sip, ops, admin, readiness, metrics, summary, world, stop };
}

/** Reports the data loaded at start to the feed and config metrics (lists load with the config, so carry its version). */
function reportInitialData(metrics: Metrics, loaded: LoadedConfig, summary: WorldSummary, world: ScreeningWorld, loadSeconds: number): void {
  metrics.setData({ rmdRows: summary.rmdRows, rmdLoadedAt: world.rmd?.loadedAt ?? 0, listEntries: summary.listEntries, rmdVersion: summary.rmdSnapshotId, listVersion: loaded.version });
  for (const feed of ['rmd', ...Object.keys(summary.listEntries)]) metrics.feeds.refreshed(feed, 'updated', loadSeconds);
  metrics.reloads.configInForce(loaded.version);
}

/** The admin listener with its routes, or undefined (with a warning) when disabled or no bearer token is set. */
function createAdmin(loaded: LoadedConfig, log: Logger, routes: readonly AdminRoute[]): ReturnType<typeof createAdminServer> | undefined {
  const { listen, tokenEnv, tls } = loaded.config.admin;
  if (listen === false) return undefined;
  if (loaded.adminToken === undefined) {
    log.warn({ tokenEnv }, 'admin listener not started: no bearer token set in the env var named by admin.tokenEnv');
    return undefined;
  }
  return createAdminServer({
    address: listen.address,
    port: listen.port,
    token: loaded.adminToken,
    tls: tls ? { certFile: loaded.resolvePath(tls.cert), keyFile: loaded.resolvePath(tls.key) } : undefined,
    log,
    routes,
  });
}

function summaryFields(s: WorldSummary): Record<string, unknown> {
  return { trunks: s.trunks, providers: s.providers, rmdRows: s.rmdRows, rmdSnapshotId: s.rmdSnapshotId, listEntries: s.listEntries, providersMissingFromRmd: s.providersMissingFromRmd.map((p) => p.id) };
}
