/**
 * drachtio front: hands an allowed INVITE to drachtio-server's stateful proxy and reads back how it ended. Failover
 * is drachtio-server's serial forking (docs/drachtio.md): rmdgate chooses the order, drachtio walks it.
 */
import type Srf from 'drachtio-srf';

/** Where and how to proxy one call. */
export interface ProxyPlan {
  /** Tried in this order (serial forking). */
  readonly destinations: readonly string[];
  /** Record-Route (drachtio `remainInDialog`): BYEs then pass drachtio-server, which reports the release. */
  readonly recordRoute: boolean;
  /** Next destination when one sends no provisional response within this, ms; 0 = not sent (SIP timer B only). */
  readonly provisionalTimeoutMs: number;
  /** Added to each forwarded INVITE (the verdict header). */
  readonly headers: Readonly<Record<string, string>>;
}

/** How a proxy operation ended, as drachtio-srf reports it. */
export interface ProxyOutcome {
  /** A destination answered 2xx. */
  readonly connected: boolean;
  /** Final status forwarded to the caller; undefined when drachtio sent its own (e.g. 408 after timer B) or failed. */
  readonly finalStatus: number | undefined;
  /** Final statuses of the destination attempts, in order (provisionals are not reported). */
  readonly attempts: readonly number[];
  /** drachtio-server refused the command (`NOK|...`: unknown transaction after a CANCEL, Max-Forwards 0, bad URI). */
  readonly error?: string;
}

/** The part of Srf used here. */
export type SrfProxier = Pick<Srf, 'proxyRequest'>;

/**
 * Sends the proxy command; `done` runs once with the outcome. Throws only when drachtio-srf throws synchronously
 * (e.g. the connection is gone), in which case nothing was handed over.
 */
export function startProxy(srf: SrfProxier, req: Srf.SrfRequest, plan: ProxyPlan, done: (outcome: ProxyOutcome) => void): void {
  const opts: Srf.ProxyRequestOptions = {
    forking: 'sequential',
    recordRoute: plan.recordRoute,
    headers: { ...plan.headers },
    ...(plan.provisionalTimeoutMs > 0 ? { provisionalTimeout: `${plan.provisionalTimeoutMs}ms` } : {}),
  };
  srf.proxyRequest(req, [...plan.destinations], opts, (err: unknown, results: unknown) => {
    if (err !== null && err !== undefined) return done({ connected: false, finalStatus: undefined, attempts: [], error: String(err) });
    done(toOutcome(results as Srf.ProxyResults | undefined));
  });
}

/** Reads drachtio-srf's proxy results, flattening its mis-grouped `responses` (see ProxyResults). */
export function toOutcome(results: Srf.ProxyResults | undefined): ProxyOutcome {
  const attempts = (results?.responses ?? []).flatMap((r) => r.msgs.map((m) => m.status)).filter((s) => typeof s === 'number');
  return { connected: results?.connected === true, finalStatus: typeof results?.finalStatus === 'number' ? results.finalStatus : undefined, attempts };
}
