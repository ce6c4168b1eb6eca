/**
 * The one place the drachtio front reaches into drachtio-srf beyond its typed public API. Each reach was read in the
 * pinned version's JavaScript; test/sip/drachtio/srf-internals.test.ts fails when the installed version is not
 * {@link PINNED_SRF_VERSION} or a reach no longer finds what it expects.
 * - the link's stop: `lib/wire-protocol.js` keeps its reconnect timer in `reconnectVars` (`disconnect()` throws while
 *   reconnecting), and `lib/drachtio-agent.js` holds its sockets in `mapServer`;
 * - a silently dropped INVITE stays in the agent's `pendingNetworkInvites` map until a CANCEL, so it is removed there;
 * - `Response#send` throws for statuses missing from its own `sip-status` map (607, 608 in 0.1.0);
 * - `Srf#endSession` is public (documented in lib/srf.js) but missing from the shipped types.
 */
import { createRequire } from 'node:module';
import type { Server, Socket } from 'node:net';
import type Srf from 'drachtio-srf';

/** The drachtio-srf version every reach below was checked against (package.json pins it exactly). */
export const PINNED_SRF_VERSION = '5.0.29';

const require = createRequire(import.meta.url);

/** The installed drachtio-srf version. */
export function installedSrfVersion(): string {
  return (require('drachtio-srf/package.json') as { version: string }).version;
}

/** lib/srf.js → lib/drachtio-agent.js → lib/wire-protocol.js, as far as stop() needs them. */
interface SrfShape {
  readonly _app?: {
    readonly client?: {
      readonly mapServer?: Map<Socket, unknown>;
      readonly wp?: { closing?: boolean; reconnectVars?: { retryTimer?: NodeJS.Timeout | null }; server?: Server; socket?: Socket };
    };
  };
}

function clientOf(srf: Srf): NonNullable<SrfShape['_app']>['client'] {
  return (srf as unknown as SrfShape)._app?.client;
}

/** Stops srf's reconnect loop (there is no API for it): no new attempt starts, and one still connecting is destroyed. */
export function stopReconnecting(srf: Srf): void {
  const client = clientOf(srf);
  const wp = client?.wp;
  if (wp === undefined) return;
  wp.closing = true;
  if (wp.reconnectVars?.retryTimer) clearTimeout(wp.reconnectVars.retryTimer);
  if (wp.reconnectVars) wp.reconnectVars.retryTimer = null;
  // a reconnect attempt still connecting is not in mapServer yet
  if (wp.socket && !client?.mapServer?.has(wp.socket)) wp.socket.destroy();
}

/** Every socket srf holds to drachtio-server(s). */
export function srfSockets(srf: Srf): Socket[] {
  return [...(clientOf(srf)?.mapServer?.keys() ?? [])];
}

/** The listening server of an outbound (`srf.listen`) app, if any. */
export function outboundServer(srf: Srf): Server | undefined {
  return clientOf(srf)?.wp?.server;
}

/** lib/request.js: a request knows its agent and the socket it came on. */
interface RequestShape {
  readonly agent?: { readonly mapServer?: Map<unknown, { readonly pendingNetworkInvites?: Map<string, unknown> }> };
  readonly socket?: unknown;
}

/** Forgets an INVITE srf keeps awaiting a final response (one the front dropped on purpose). */
export function forgetPendingInvite(req: Srf.SrfRequest, callId: string): void {
  const r = req as unknown as RequestShape;
  r.agent?.mapServer?.get(r.socket)?.pendingNetworkInvites?.delete(String(req.get('call-id') ?? callId));
}

/** The very map lib/response.js checks (`status in status_codes`), resolved from drachtio-srf's own location. */
const SRF_STATUS_CODES = createRequire(require.resolve('drachtio-srf'))('sip-status') as Readonly<Record<string, string>>;

/**
 * Whether drachtio-srf's `Response#send` accepts `status`. It throws for codes missing from `sip-status` 0.1.0
 * (607, 608, ...) before it looks at the reason phrase, so an explicit phrase does not help.
 */
export function isSendableStatus(status: number): boolean {
  return Number.isInteger(status) && status in SRF_STATUS_CODES;
}

/** `srf.endSession(req)`: releases the per-call connection of an outbound app; a no-op inbound. */
export function endSession(srf: Srf, req: Srf.SrfRequest): void {
  (srf as unknown as { endSession(r: Srf.SrfRequest): void }).endSession(req);
}
