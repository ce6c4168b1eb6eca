/**
 * The composition root and the only one: config → logger → metrics → feeds (and config reloads) → CDR sinks →
 * screening → SIP front → ops, health and admin listeners. Owns start/stop order; nothing else builds long-lived parts.
 */
import type { DestinationStream } from 'pino';
import {
  createCdrSinks, createSqliteCdrReader, createTracebackHandler, sqliteStoreDir, type CdrQueryStore, type StoreSink,
} from './cdr/index.js';
import { createConfigReloader, loadConfig, useEnvironmentCopy, type LoadedConfig, type ReloadResult } from './config/index.js';
import {
  createBodyHasher, createFeedFetcher, createFeedParser, createFeedStore, createProxyAwareFetch, createRmdJsonClient,
  createSecondOpinionCache, startFeedSystem, systemTimers, toPreparedConfig, type FeedRefreshReport, type FeedStatus,
  type FeedSystem, type FetchFn,
} from './feeds/index.js';
import { watchFile } from './lib/index.js';
import {
  createAdminServer, createCdrWritableCheck, createCoreAdminRoutes, createFrontCheck, createLogger, createMetrics,
  createOpsServer, createReadiness, toAdminStatus, toFeedRefreshReply, type AdminRoute, type Metrics, type Readiness,
} from './ops/index.js';
import { createInviteScreener, toFloodSummaryRecord, type Clock, type InviteScreener, type Logger, type ScreeningWorld } from './screening/index.js';
import { createBuiltinSipServer } from './sip/builtin/index.js';
import { createDrachtioFront, drachtioSipStatus } from './sip/drachtio/index.js';
import { answerStatus, toSipReply } from './sip/shared/index.js';
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
  /** Live feeds and config hot reload (docs/feeds.md). */
  readonly feeds: RunningFeeds;
  world(): ScreeningWorld;
  /** Stops taking SIP, flushes CDRs, closes the listeners. Idempotent. */
  stop(): Promise<void>;
}

/** Start options (tests inject a log destination and clock). */
export interface StartOptions {
  readonly logDestination?: DestinationStream;
  readonly clock?: Clock;
  readonly defaultMetrics?: boolean;
  /** Reload when the config file changes, and refresh a local feed when its file changes (default true). */
  readonly watchConfig?: boolean;
  /** Reload on SIGHUP (default true; tests running several apps turn it off). */
  readonly handleSignals?: boolean;
  /**
   * Called when a part the running gate cannot do without dies (a CDR store worker). `rmdgate serve` exits 1 so a
   * supervisor restarts it; without it the error is logged and the part reports unhealthy on /readyz.
   */
  readonly onFatal?: (what: string, err: Error) => void;
}

/** The feed system and the config reloader, as the app runs them. */
export interface RunningFeeds {
  /** Re-reads and applies the config file (SIGHUP, file watch and admin use this). */
  reload(): Promise<ReloadResult>;
  /** Refreshes one feed or every feed now. */
  refresh(feed?: string): Promise<readonly FeedRefreshReport[]>;
  status(): readonly FeedStatus[];
  readiness(): { ok: boolean; detail: string };
  world(): ScreeningWorld;
  stop(): Promise<void>;
}

/** A SIP front as the app runs it. */
interface SipFront {
  start(): Promise<readonly { transport: string; address: string; port: number }[]>;
  stop(): Promise<void>;
  isListening(): boolean;
}

const systemClock: Clock = { now: () => Date.now(), monotonicMs: () => performance.now() };
/** Debounce of config and local feed file change events before a reload or feed refresh, ms. */
const CONFIG_WATCH_DEBOUNCE_MS = 250;

/** Starts rmdgate for a loaded config; resolves when every listener is bound. On failure, what started is stopped. */
export async function start(loaded: LoadedConfig, opts: StartOptions = {}): Promise<App> {
  const { config } = loaded;
  useEnvironmentCopy(); // the SIP parser reads process.env per header line (config/process-env.ts)
  const clock = opts.clock ?? systemClock;
  const metrics = createMetrics(VERSION, { defaultMetrics: opts.defaultMetrics ?? true, now: clock.now });
  const log = createLogger({ level: config.log.level, version: VERSION, onDrop: metrics.logLineDropped, ...(opts.logDestination ? { destination: opts.logDestination } : {}) });
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.splice(0).reverse()) await stop();
  };
  try {
    const setLogLevel = (level: string): void => void (log.level = level);
    const feeds = await startFeeds(loaded, { clock, log, setLogLevel, metrics, watchConfig: opts.watchConfig !== false, signals: opts.handleSignals !== false });
    stops.push(() => feeds.stop());
    metrics.reloads.configInForce(loaded.version);
    metrics.watchWorld(feeds.world);
    const cdr = await createCdrSinks(config.cdr, { resolvePath: loaded.resolvePath, pgUrl: loaded.cdrPgUrl, log, metrics: metrics.cdr, monotonicMs: clock.monotonicMs });
    stops.push(() => cdr.close());
    metrics.watchCdrQueue(cdr.queued);
    const front = createSipFront(loaded, { world: feeds.world, cdr, metrics, log, clock });
    const sip = await front.start();
    stops.push(() => front.stop());
    const readiness = createReadiness({
      front: createFrontCheck({ [config.sip.front]: () => front.isListening() }),
      cdr: createCdrWritableCheck(loaded.resolvePath(config.cdr.dir)),
      'cdr-store': () => cdr.health(),
      feeds: () => feeds.readiness(),
    });
    const ops = await startOps(loaded, metrics, readiness, stops);
    const admin = await startAdmin(loaded, { feeds, metrics, clock, log }, stops);
    log.info({ sip, ops, admin, mode: config.mode, configVersion: loaded.version }, 'rmdgate started');
    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> =>
      (stopping ??= (async () => {
        await stopAll();
        log.info({}, 'rmdgate stopped');
        await flushLog(log);
      })());
    return { sip, ops, admin, readiness, metrics, feeds, world: feeds.world, stop };
  } catch (err) {
    await stopAll();
    await flushLog(log);
    throw err;
  }
}

/** Writes out what the (asynchronous) log destination holds: the CLI exits right after stop. Bounded: 1 s. */
function flushLog(log: ReturnType<typeof createLogger>): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 1000);
    log.flush(() => (clearTimeout(timer), resolve()));
  });
}

/** The feed system with its adapters, the config reloader, SIGHUP and the config file watch. */
async function startFeeds(
  loaded: LoadedConfig,
  deps: { clock: Clock; log: Logger; setLogLevel: (level: string) => void; metrics: Metrics; watchConfig: boolean; signals: boolean },
): Promise<RunningFeeds> {
  const { clock, log, metrics } = deps;
  const initial = toPreparedConfig(loaded.config, loaded.version, loaded.resolvePath);
  const { maxBytes, timeoutMs } = initial.plan.settings;
  const userAgent = `rmdgate/${VERSION}`;
  const proxied = createProxyAwareFetch(loaded.proxyEnv);
  const parser = createFeedParser({ maxBytes });
  const hasher = createBodyHasher();
  const closeAdapters = async (): Promise<void> => {
    await parser.close();
    await hasher.close();
    await proxied.close();
  };
  const secondOpinion = secondOpinionOf(initial.plan.secondOpinion, { fetch: proxied.fetch, userAgent, timeoutMs, clock, log });
  if (secondOpinion !== undefined) metrics.feeds.observeCache(() => secondOpinion.size());
  let system: FeedSystem;
  try {
    system = await startFeedSystem({
      fetcher: createFeedFetcher({ fetch: proxied.fetch, userAgent, maxBytes, hasher }), parser, store: createFeedStore(initial.plan.stateDir),
      clock, timers: systemTimers, random: Math.random, log, metrics: metrics.feeds, secondOpinion,
      watchFile: deps.watchConfig ? (file, onChange) => watchFile(file, CONFIG_WATCH_DEBOUNCE_MS, onChange, onFeedWatchError(log, file)) : undefined,
    }, initial);
  } catch (err) {
    await closeAdapters();
    throw err;
  }
  log.info({ stateDir: initial.plan.stateDir, ...summaryFields(system), parserPid: parser.parserPid }, 'feeds started');
  const reloader = createConfigReloader({
    load: () => loadConfig(loaded.file),
    apply: (config, version) => system.apply(toPreparedConfig(config, version, loaded.resolvePath)),
    currentVersion: () => system.config().version,
    running: loaded.config,
    log,
    setLogLevel: deps.setLogLevel,
    metrics: metrics.reloads,
  });
  const reload = (): Promise<ReloadResult> => reloader.reload();
  const onHup = (): void => void reload();
  if (deps.signals) process.on('SIGHUP', onHup);
  const onWatchError = (err: unknown, when: 'start' | 'watch'): void => log.warn({ file: loaded.file, err }, when === 'start' ? 'config watch not started' : 'config watch stopped');
  const watcher = deps.watchConfig ? watchFile(loaded.file, CONFIG_WATCH_DEBOUNCE_MS, () => void reload(), onWatchError) : undefined;
  return {
    reload,
    refresh: (feed) => system.refresh(feed),
    status: () => system.status(),
    readiness: () => system.readiness(),
    world: () => system.holder.current(),
    async stop() {
      process.off('SIGHUP', onHup);
      watcher?.close();
      await system.stop();
      await closeAdapters();
    },
  };
}

/** A feed file watch that cannot start or stops: the feed keeps refreshing at its interval. */
function onFeedWatchError(log: Logger, file: string): (err: unknown, when: 'start' | 'watch') => void {
  return (err, when) => log.warn({ file, reason: err instanceof Error ? err.message : String(err) }, when === 'start' ? 'feed file watch not started' : 'feed file watch stopped');
}

/** The RMD JSON second opinion behind its cache, or undefined when disabled. */
function secondOpinionOf(
  so: ReturnType<typeof toPreparedConfig>['plan']['secondOpinion'],
  deps: { fetch: FetchFn; userAgent: string; timeoutMs: number; clock: Clock; log: Logger },
): ReturnType<typeof createSecondOpinionCache> | undefined {
  if (!so.enabled) return undefined;
  return createSecondOpinionCache({
    lookup: createRmdJsonClient({ url: so.url, fetch: deps.fetch, userAgent: deps.userAgent, timeoutMs: deps.timeoutMs }),
    deadlineMs: so.deadlineMs, ttlMs: so.ttlMs, negativeTtlMs: so.negativeTtlMs, max: so.maxEntries, now: deps.clock.monotonicMs, log: deps.log,
  });
}

function summaryFields(system: FeedSystem): Record<string, unknown> {
  const s = system.summary();
  return {
    trunks: s.trunks, providers: s.providers, rmdRows: s.rmdRows, rmdSnapshotId: s.rmdSnapshotId, listEntries: s.listEntries,
    providersMissingFromRmd: s.providersMissingFromRmd.map((p) => p.id),
  };
}

/** The configured SIP front over one screener: the built-in redirect/reject server or the drachtio-srf application. */
function createSipFront(
  loaded: LoadedConfig,
  deps: { world: () => ScreeningWorld; cdr: StoreSink; metrics: Metrics; log: Logger; clock: Clock },
): SipFront {
  const { config } = loaded;
  const drachtio = config.sip.front === 'drachtio';
  const screen: InviteScreener = createInviteScreener({
    world: deps.world, cdr: deps.cdr, metrics: deps.metrics.screening, log: deps.log, clock: deps.clock, node: config.node.id,
    firstSeq: deps.clock.now() * 1000, sipStatus: drachtio ? drachtioSipStatus(config.sip.drachtio) : answerStatus,
  });
  const reply = { verdictHeader: config.sip.verdictHeader };
  const selectorHeaderNames = config.sip.trunkHeader ? [config.sip.trunkHeader.toLowerCase()] : [];
  if (drachtio) {
    const front = createDrachtioFront({
      config: config.sip.drachtio, secret: loaded.drachtioSecret, screen, reply, selectorHeaderNames, cdr: deps.cdr, node: config.node.id,
      metrics: { front: deps.metrics.front, drachtio: deps.metrics.drachtio }, log: deps.log, now: deps.clock.now,
    });
    return { start: () => front.start(), stop: () => front.stop(), isListening: () => front.isConnected() };
  }
  return createBuiltinSipServer({
    listen: config.sip.listen,
    onInvite: (facts) => toSipReply(screen(facts), reply, facts.requestUri),
    metrics: deps.metrics.front,
    log: deps.log,
    now: deps.clock.now,
    maxMessageBytes: config.sip.maxMessageBytes,
    maxTcpConnections: config.sip.maxTcpConnections,
    tcpTrunkReserve: config.sip.tcpTrunkReserve,
    maxTcpConnectionsPerSource: config.sip.maxTcpConnectionsPerSource,
    maxTcpConnectionsPerTrunkSource: config.sip.maxTcpConnectionsPerTrunkSource,
    tcpIdleTimeoutMs: config.sip.tcpIdleTimeoutMs,
    tcpMessageTimeoutMs: config.sip.tcpMessageTimeoutMs,
    tcpMaxBufferedBytes: config.sip.tcpMaxBufferedBytes,
    isTrunkSource: (address) => deps.world().trunks.hasSource(address),
    tcpMetrics: deps.metrics.builtinTcp,
    selectorHeaderNames,
    ...(config.sip.serverHeader !== false ? { serverHeader: config.sip.serverHeader } : {}),
    transactionTtlMs: config.sip.transactionTtlMs,
    maxTransactions: config.sip.maxTransactions,
    maxTransactionBytes: config.sip.maxTransactionBytes,
    builtinMetrics: deps.metrics.builtin,
    flood: config.sip.flood,
    monotonicMs: deps.clock.monotonicMs,
    // The front stops before the sinks close (stops run in reverse start order), so its last summaries are kept.
    onFloodSummary: (summary) => deps.cdr.write(toFloodSummaryRecord(summary, config.node.id)),
  });
}

/** The ops listener (/metrics, /healthz, /readyz), unless disabled. */
async function startOps(loaded: LoadedConfig, metrics: Metrics, readiness: Readiness, stops: (() => Promise<void>)[]): Promise<{ address: string; port: number } | undefined> {
  const listen = loaded.config.ops.listen;
  if (listen === false) return undefined;
  const server = createOpsServer({ address: listen.address, port: listen.port, registry: metrics.registry, readiness });
  const bound = await server.start();
  stops.push(() => server.stop());
  return bound;
}

/** The admin listener with its routes, unless disabled or no bearer token is set (then a warning). */
async function startAdmin(
  loaded: LoadedConfig,
  deps: { feeds: RunningFeeds; metrics: Metrics; clock: Clock; log: Logger },
  stops: (() => Promise<void>)[],
): Promise<{ address: string; port: number; tls: boolean } | undefined> {
  const { config } = loaded;
  const { listen, tokenEnv, tls } = config.admin;
  if (listen === false) return undefined;
  if (loaded.adminToken === undefined) {
    deps.log.warn({ tokenEnv }, 'admin listener not started: no bearer token set in the env var named by admin.tokenEnv');
    return undefined;
  }
  const { feeds } = deps;
  const tracebackStore = config.cdr.sinks.sqlite.enabled ? createSqliteCdrReader(sqliteStoreDir(config.cdr, loaded.resolvePath)) : undefined;
  if (tracebackStore !== undefined) stops.push(() => tracebackStore.close());
  const routes: AdminRoute[] = [
    ...createCoreAdminRoutes({
      async reload() {
        const result = await feeds.reload();
        return { status: result.ok ? 200 : 422, body: result };
      },
      async refreshFeed(name) {
        const known = feeds.status().some((s) => s.feed === name);
        return toFeedRefreshReply(name, known, known ? (await feeds.refresh(name))[0] : undefined);
      },
      status: () => toAdminStatus({ world: feeds.world(), feeds: feeds.status(), now: deps.clock.now(), version: VERSION, node: config.node.id }),
    }),
    ...(tracebackStore ? [tracebackRoute(tracebackStore, feeds.world, deps.log)] : []),
  ];
  const server = createAdminServer({
    address: listen.address, port: listen.port, token: loaded.adminToken, log: deps.log, routes,
    tls: tls ? { certFile: loaded.resolvePath(tls.cert), keyFile: loaded.resolvePath(tls.key) } : undefined,
  });
  const bound = await server.start();
  stops.push(() => server.stop());
  return bound;
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
