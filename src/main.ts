/**
 * The composition root: config → logger → metrics → data/world → CDR sink → screener → SIP front → ops server.
 * The only file that wires adapters to the use case and owns start/stop order.
 */
import type { DestinationStream } from 'pino';
import { createBuiltinSipServer } from './sip/builtin/server.js';
import { createDrachtioFront, type DrachtioEndpoint } from './sip/drachtio/front.js';
import { createCdrSinks, sqliteStoreDir } from './cdr/sinks.js';
import { createSqliteCdrReader } from './cdr/sqlite/query.js';
import { createTracebackHandler } from './cdr/traceback/http.js';
import type { CdrQueryStore } from './cdr/ports.js';
import type { WorldSummary } from './feeds/load.js';
import { startFeeds, type RunningFeeds } from './feeds/compose.js';
import { createAdminServer, type AdminRoute } from './ops/admin-server.js';
import { createCoreAdminRoutes, toAdminStatus } from './ops/admin-routes.js';
import { createOpsServer } from './ops/ops-server.js';
import { createCdrWritableCheck, createFeedFreshnessCheck, createFrontCheck, createReadiness, type Readiness } from './ops/readiness.js';
import { createMetrics, type Metrics } from './ops/metrics.js';
import type { CdrSink, Clock, Logger } from './screening/ports.js';
import { createInviteScreener, screeningErrorDecision, type Screening } from './screening/screen-invite.js';
import type { LoadedConfig } from './config/load.js';
import type { Decision, InviteFacts } from './screening/model.js';
import type { ScreeningWorld } from './screening/policy.js';
import { createLogger } from './ops/logger.js';
import { useEnvironmentCopy } from './config/process-env.js';
import { VERSION } from './version.js';

/** A running rmdgate. */
export interface App {
  /** Built-in listeners (udp/tcp), or the drachtio link: `drachtio` (server dialled) or `drachtio-listen` (outbound). */
  readonly sip: readonly { transport: string; address: string; port: number }[];
  readonly ops: { address: string; port: number } | undefined;
  /** The admin listener, undefined when disabled or when no bearer token is set. */
  readonly admin: { address: string; port: number; tls: boolean } | undefined;
  /** The /readyz check registry: fronts and sinks register their checks here. */
  readonly readiness: Readiness;
  readonly metrics: Metrics;
  readonly summary: WorldSummary;
  /** Live feeds and config hot reload: reload(), refresh(feed), status() (docs/feeds.md). */
  readonly feeds: RunningFeeds;
  world(): ScreeningWorld;
  /** Stops taking SIP, flushes CDRs, closes the ops listener. Idempotent. */
  stop(): Promise<void>;
}

/** Start options (tests inject a log destination and clock). */
export interface StartOptions {
  readonly logDestination?: DestinationStream;
  readonly clock?: Clock;
  readonly defaultMetrics?: boolean;
  /** Reload when the config file changes (default true). */
  readonly watchConfig?: boolean;
  /** Reload on SIGHUP (default true; tests running several apps turn it off). */
  readonly handleSignals?: boolean;
}

const systemClock: Clock = { now: () => Date.now(), monotonicMs: () => performance.now() };

/** Starts rmdgate for a loaded config; resolves when every listener is bound. */
export async function start(loaded: LoadedConfig, opts: StartOptions = {}): Promise<App> {
  const { config } = loaded;
  useEnvironmentCopy(); // the SIP parser reads process.env per header line (see process-env.ts)
  const clock = opts.clock ?? systemClock;
  const log = createLogger({ level: config.log.level, version: VERSION, ...(opts.logDestination ? { destination: opts.logDestination } : {}) });
  const metrics = createMetrics(VERSION, { defaultMetrics: opts.defaultMetrics ?? true, now: clock.now, feedMaxAgeSeconds: config.feeds.maxAgeHours * 3600 });
  const feeds = await startFeeds({
    loaded, clock, log, metrics: metrics.feedSystem, watchConfig: opts.watchConfig, signals: opts.handleSignals === false ? undefined : process,
    proxyEnv: loaded.proxyEnv,
    onReloaded: (r) => r.ok && metrics.reloads.configInForce(r.configVersion),
  });
  const { holder, summary } = feeds;
  const world = (): ScreeningWorld => holder.current();
  metrics.reloads.configInForce(loaded.version);
  metrics.watchWorld(world);
  const cdr = await createCdrSinks(config.cdr, { resolvePath: loaded.resolvePath, pgUrl: loaded.cdrPgUrl, log, metrics: metrics.cdr, monotonicMs: clock.monotonicMs });
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
    allowedCdrStatus: config.sip.front === 'drachtio' ? (trunkId) => (allowActionOf(config.sip.drachtio, trunkId) === 'proxy' ? 100 : undefined) : undefined,
  });
  const sipServer = config.sip.front === 'drachtio' ? createDrachtioSipFront(loaded, { screen, world, metrics, log, clock, cdr }) : createBuiltinSipServer({
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
    front: createFrontCheck({ [config.sip.front]: () => sipServer.isListening() }),
    rmd: createFeedFreshnessCheck('rmd', metrics.feedStatus, clock.now),
    cdr: createCdrWritableCheck(loaded.resolvePath(config.cdr.dir)),
    'cdr-store': () => cdr.health(),
    feeds: () => feeds.readiness(),
  });
  const opsListen = config.ops.listen;
  const opsServer = opsListen === false ? undefined : createOpsServer({ address: opsListen.address, port: opsListen.port, registry: metrics.registry, readiness });
  const ops = opsServer ? await opsServer.start() : undefined;
  const tracebackStore = config.cdr.sinks.sqlite.enabled ? createSqliteCdrReader(sqliteStoreDir(config.cdr, loaded.resolvePath)) : undefined;
  const adminServer = createAdmin(loaded, log, [
    ...createCoreAdminRoutes({
      reload: () => feeds.adminReload(),
      refreshFeed: (name) => feeds.adminRefresh(name),
      status: () => toAdminStatus({ world: world(), feeds: metrics.feedStatus(), now: clock.now(), version: VERSION, node: config.node.id }),
    }),
    ...(tracebackStore ? [tracebackRoute(tracebackStore, world, log)] : []),
  ]);
  const admin = await adminServer?.start();
  log.info({ sip, ops, admin, ...summaryFields(summary), mode: config.mode, configVersion: loaded.version }, 'rmdgate started');

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await sipServer.stop();
      await feeds.stop();
      await cdr.close();
      await adminServer?.stop();
      await tracebackStore?.close();
      await opsServer?.stop();
      log.info({}, 'rmdgate stopped');
      log.flush();
    })());
  return { sip, ops, admin, readiness, metrics, summary, feeds, world, stop };
}

/**
 * The drachtio front (`sip.front: drachtio`) in the built-in server's start/stop/isListening shape: screening through
 * the same screener, readiness = linked to drachtio-server, the fail mode from `policy.reasons.screening-error`.
 */
function createDrachtioSipFront(
  loaded: LoadedConfig,
  deps: { screen: (facts: InviteFacts) => Screening; world: () => ScreeningWorld; metrics: Metrics; log: Logger; clock: Clock; cdr: CdrSink },
): { start(): Promise<readonly DrachtioEndpoint[]>; stop(): Promise<void>; isListening(): boolean } {
  const { config } = loaded;
  const front = createDrachtioFront({
    config: config.sip.drachtio,
    secret: loaded.drachtioSecret,
    screen: deps.screen,
    failure: (mode): Decision => (mode === 'open' ? screeningErrorDecision(deps.world()) : { kind: 'reject', reason: 'screening-error', evidence: {}, answer: deps.world().policy.reasons['screening-error'].answer }),
    reply: { verdictHeader: config.sip.verdictHeader },
    selectorHeaderNames: config.sip.trunkHeader ? [config.sip.trunkHeader.toLowerCase()] : [],
    cdr: deps.cdr,
    node: config.node.id,
    metrics: { front: deps.metrics.front, drachtio: deps.metrics.drachtio, screeningError: () => deps.metrics.screening.screeningError() },
    log: deps.log,
    now: deps.clock.now,
  });
  return { start: () => front.start(), stop: () => front.stop(), isListening: () => front.isConnected() };
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

/** `GET /admin/traceback?calling=&called=&at=[&tz=&window=&format=json|csv]` over the local SQLite store. */
function tracebackRoute(store: CdrQueryStore, world: () => ScreeningWorld, log: Logger): AdminRoute {
  const handle = createTracebackHandler({ store, rmd: () => world().rmd, onError: (err) => log.error({ err }, 'traceback query failed') });
  return {
    method: 'GET',
    path: '/admin/traceback',
    handler: async (req) => {
      const r = await handle(new URL(`http://admin${req.path}?${req.query.toString()}`));
      return { status: r.status, body: r.body, contentType: r.contentType };
    },
  };
}

/** The drachtio front's action for an allowed call on a trunk: the per-trunk setting, else the global one. */
function allowActionOf(cfg: LoadedConfig['config']['sip']['drachtio'], trunkId: string | undefined): 'proxy' | 'redirect' {
  return (trunkId === undefined ? undefined : cfg.trunkAllowAction[trunkId]) ?? cfg.allowAction;
}

function summaryFields(s: WorldSummary): Record<string, unknown> {
  return { trunks: s.trunks, providers: s.providers, rmdRows: s.rmdRows, rmdSnapshotId: s.rmdSnapshotId, listEntries: s.listEntries, providersMissingFromRmd: s.providersMissingFromRmd.map((p) => p.id) };
}
