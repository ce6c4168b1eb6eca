/**
 * drachtio front: rmdgate as a drachtio-srf application behind drachtio-server. Wires one Srf instance — the link,
 * the INVITE handler, OPTIONS and the CDR listeners; the only file of this front that main.ts imports.
 */
import Srf from 'drachtio-srf';
import type { ConfigFile } from '../../config/index.js';
import type { CdrSink, Decision, InviteFacts, Logger } from '../../screening/index.js';
import { answerStatus, type FrontMetrics, type ReplyOptions } from '../shared/index.js';
import { createDispositionRecorder, type CdrSipMessage, type DispositionRecorder } from './dispositions.js';
import { allowActionOf, createInviteHandler, type InviteSettings } from './invite.js';
import { createDrachtioLink } from './link.js';
import type { DrachtioMetrics } from './ports.js';
import { sendReply } from './respond.js';
import { endSession as srfEndSession } from './srf-internals.js';

/** The `sip.drachtio` config section. */
export type DrachtioConfig = ConfigFile['sip']['drachtio'];

/** Proxied calls remembered for their CDR outcome and release. */
const MAX_TRACKED_CALLS = 100_000;
/** Longest call whose release is attributed to caller or callee, ms (longer ones are recorded without it). */
const MAX_TRACKED_AGE_MS = 12 * 3600_000;

/** Everything the front needs; main.ts builds it from config and the running app. */
export interface DrachtioFrontOptions {
  readonly config: DrachtioConfig;
  /** From the env var named by `secretEnv` (config/load.ts). */
  readonly secret: string | undefined;
  /** The screening use case (synchronous, never throws). */
  readonly screen: (facts: InviteFacts) => Decision;
  readonly reply: ReplyOptions;
  /** Lower-case trunk-narrowing header names (`sip.trunkHeader`). */
  readonly selectorHeaderNames: readonly string[];
  /** Where disposition records go (the CDR sink). */
  readonly cdr: Pick<CdrSink, 'write'>;
  readonly node: string;
  readonly metrics: { readonly front: FrontMetrics; readonly drachtio: DrachtioMetrics };
  readonly log: Logger;
  /** Epoch ms. */
  readonly now: () => number;
}

/** One listener or link as reported in App.sip: `drachtio` (inbound: the server dialled) or `drachtio-listen`. */
export interface DrachtioEndpoint {
  readonly transport: 'drachtio' | 'drachtio-listen';
  readonly address: string;
  readonly port: number;
}

/** The running front. */
export interface DrachtioFront {
  /** Registers the routes and starts the link; rejects with `ERR_DRACHTIO_SECRET` when no secret is set. */
  start(): Promise<readonly DrachtioEndpoint[]>;
  /** Readiness: authenticated to drachtio-server (inbound) or listening for it (outbound). */
  isConnected(): boolean;
  /** Stops the link (no reconnects, sockets closed). In-flight proxies continue inside drachtio-server. Idempotent. */
  stop(): Promise<void>;
}

/** Creates the front; nothing connects until start(). */
export function createDrachtioFront(opts: DrachtioFrontOptions): DrachtioFront {
  const cfg = opts.config;
  const log = opts.log.child({ front: 'drachtio' });
  const srf = new Srf();
  const address = cfg.mode === 'inbound' ? cfg.host : cfg.listen.address;
  const port = cfg.mode === 'inbound' ? cfg.port : cfg.listen.port;
  const link = createDrachtioLink(srf, {
    mode: cfg.mode, address, port, secret: opts.secret ?? '', pingIntervalMs: cfg.pingIntervalMs,
    reconnectMaxDelayMs: cfg.reconnectMaxDelayMs, log, metrics: opts.metrics.drachtio,
  });
  const dispositions = createDispositionRecorder({
    node: opts.node, write: (r) => opts.cdr.write(r), now: opts.now, log,
    maxTracked: MAX_TRACKED_CALLS, maxTrackedAgeMs: MAX_TRACKED_AGE_MS, expectRelease: cfg.proxy.recordRoute,
  });
  const endSession = (req: Srf.SrfRequest): void => srfEndSession(srf, req);
  let started = false;
  return {
    async start() {
      if (!opts.secret) throw Object.assign(new Error(`sip.front is drachtio but the environment variable ${cfg.secretEnv} (sip.drachtio.secretEnv) is not set`), { code: 'ERR_DRACHTIO_SECRET' });
      if (!started) registerRoutes(srf, opts, dispositions, endSession, log);
      started = true;
      const bound = await link.start();
      log.info({ mode: cfg.mode, ...bound }, cfg.mode === 'inbound' ? 'connecting to drachtio-server' : 'listening for drachtio-server');
      return [{ transport: cfg.mode === 'inbound' ? 'drachtio' : 'drachtio-listen', ...bound }];
    },
    isConnected: () => link.isConnected(),
    stop: () => link.stop(),
  };
}

/** Routes are queued by drachtio-srf and sent (again) after every authentication. */
function registerRoutes(srf: Srf, opts: DrachtioFrontOptions, dispositions: DispositionRecorder, endSession: (req: Srf.SrfRequest) => void, log: Logger): void {
  const cfg = opts.config;
  const settings = inviteSettings(cfg, opts.selectorHeaderNames);
  srf.invite(createInviteHandler({
    srf, endSession, screen: opts.screen, settings, reply: opts.reply, dispositions, metrics: opts.metrics.front, log, now: opts.now,
  }));
  srf.use('options', (req, res) => {
    const transport = String(req.protocol ?? '');
    opts.metrics.front.message('OPTIONS', transport);
    if (sendReply(res, { status: 200, phrase: 'OK', headers: [] }, (err) => log.error({ err }, 'OPTIONS answer not sent')) === 'sent') opts.metrics.front.response(200, transport);
    endSession(req);
  });
  // drachtio sends cdr:* frames (a parsed SIP message each) for every INVITE to apps that route them; only proxied
  // calls need them, so a redirect-only front does not ask for them.
  if (cfg.allowAction !== 'proxy' && !Object.values(cfg.trunkAllowAction).includes('proxy')) return;
  const guard = (what: string, fn: () => void): void => {
    try {
      fn();
    } catch (err) {
      log.error({ err, event: what }, 'cdr event not recorded');
    }
  };
  srf.on('cdr:attempt', (source, time, msg) => guard('attempt', () => dispositions.onAttempt(source, time, msg as CdrSipMessage)));
  srf.on('cdr:start', (source, time, role, msg) => guard('start', () => dispositions.onStart(source, time, role, msg as CdrSipMessage)));
  srf.on('cdr:stop', (source, time, reason, msg) => guard('stop', () => dispositions.onStop(source, time, reason, msg as CdrSipMessage)));
}

function inviteSettings(cfg: DrachtioConfig, selectorHeaderNames: readonly string[]): InviteSettings {
  return {
    allowAction: cfg.allowAction,
    trunkAllowAction: new Map(Object.entries(cfg.trunkAllowAction)),
    proxy: cfg.proxy,
    silentDropUnknown: cfg.silentDropUnknown,
    selectorHeaderNames,
  };
}

/**
 * The status the CDR of a screened call records with this front: the answer's status, except 100 for an allowed call
 * it proxies (the final status is in its disposition record).
 */
export function drachtioSipStatus(cfg: DrachtioConfig): (decision: Decision) => number {
  const settings = inviteSettings(cfg, []);
  return (decision) => (decision.kind === 'allow' && allowActionOf(settings, decision.evidence.trunkId) === 'proxy' ? 100 : answerStatus(decision));
}
