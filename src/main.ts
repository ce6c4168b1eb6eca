/**
 * The composition root: config → logger → metrics → data/world → CDR sink → screener → SIP front → ops server.
 * The only file that wires adapters to the use case and owns start/stop order.
 */
import type { DestinationStream } from 'pino';
import { createBuiltinSipServer } from './adapters/sip/builtin-server.js';
import { createJsonlCdrSink } from './adapters/cdr/jsonl-cdr-sink.js';
import { loadWorld, type WorldSummary } from './adapters/data/load-world.js';
import { createOpsServer } from './adapters/http/ops-server.js';
import { createMetrics, type Metrics } from './adapters/metrics/screening-metrics.js';
import type { Clock } from './app/ports.js';
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
  const metrics = createMetrics(VERSION, { defaultMetrics: opts.defaultMetrics ?? true });
  const { world: initialWorld, summary } = await loadWorld(loaded, clock.now());
  const holder = createWorldHolder(initialWorld);
  const world = (): ScreeningWorld => holder.current();
  metrics.setData({ rmdRows: summary.rmdRows, rmdLoadedAt: initialWorld.rmd?.loadedAt ?? 0, listEntries: summary.listEntries });
  const cdr = createJsonlCdrSink({ dir: loaded.resolvePath(config.cdr.dir), flushIntervalMs: config.cdr.flushIntervalMs, maxQueue: config.cdr.maxQueue, log, metrics: metrics.cdr, monotonicMs: clock.monotonicMs });
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
  const opsListen = config.ops.listen;
  const opsServer = opsListen === false ? undefined : createOpsServer({
    address: opsListen.address,
    port: opsListen.port,
    registry: metrics.registry,
    checks: {
      sip: () => ({ ok: sipServer.isListening() }),
      rmd: () => {
        const rmd = world().rmd;
        return { ok: rmd !== undefined, detail: rmd ? `snapshot ${rmd.id}, ${rmd.rows} rows` : 'no RMD snapshot' };
      },
    },
  });
  const ops = opsServer ? await opsServer.start() : undefined;
  log.info({ sip, ops, ...summaryFields(summary), mode: config.mode, configVersion: loaded.version }, 'rmdgate started');

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await sipServer.stop();
      await cdr.close();
      await opsServer?.stop();
      log.info({}, 'rmdgate stopped');
      log.flush();
    })());
  return { sip, ops, metrics, summary, world, stop };
}

function summaryFields(s: WorldSummary): Record<string, unknown> {
  return { trunks: s.trunks, providers: s.providers, rmdRows: s.rmdRows, rmdSnapshotId: s.rmdSnapshotId, listEntries: s.listEntries, providersMissingFromRmd: s.providersMissingFromRmd.map((p) => p.id) };
}
