/**
 * The drachtio-srf internals rmdgate reaches (src/sip/drachtio/srf-internals.ts, and the SIP parser the built-in front
 * loads from drachtio-srf's lib) exist as read in the pinned version. Fails when drachtio-srf is upgraded, so each
 * reach is checked again before the pin moves.
 */
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import Srf from 'drachtio-srf';
import { describe, expect, it } from 'vitest';
import { PINNED_SRF_VERSION, installedSrfVersion, isSendableStatus, outboundServer, srfSockets, stopReconnecting } from '../../../src/sip/drachtio/srf-internals.js';
import pkg from '../../../package.json' with { type: 'json' };

const require = createRequire(import.meta.url);

describe('drachtio-srf internals', () => {
  it('runs against the version every reach was checked in, pinned exactly in package.json', () => {
    expect(installedSrfVersion()).toBe(PINNED_SRF_VERSION);
    expect(pkg.dependencies['drachtio-srf']).toBe(PINNED_SRF_VERSION);
  });

  it('finds the agent state stop() needs once srf listens (outbound) or connects (inbound)', async () => {
    const outbound = new Srf();
    const server = outbound.listen({ host: '127.0.0.1', port: 0, secret: 's' }) as unknown as Server;
    await once(server, 'listening');
    try {
      expect(outboundServer(outbound)).toBe(server);
      expect(srfSockets(outbound)).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    const closed = createServer().listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const inbound = new Srf();
    inbound.on('error', () => undefined);
    inbound.connect({ host: '127.0.0.1', port, secret: 's' }); // refused at once, then srf schedules a retry
    const wp = (inbound as unknown as { _app: { client: { wp: { reconnectVars: { retryTimer?: unknown }; closing?: boolean; socket?: Socket } } } })._app.client.wp;
    expect(wp.reconnectVars).toBeTypeOf('object');
    stopReconnecting(inbound);
    expect(wp.closing).toBe(true);
    expect(wp.reconnectVars.retryTimer ?? null).toBeNull();
    wp.socket?.destroy();
  });

  it('keeps pending INVITEs per connection in the agent (lib/drachtio-agent.js)', () => {
    const source = require('node:fs').readFileSync(require.resolve('drachtio-srf/lib/drachtio-agent.js'), 'utf8') as string;

    expect(source).toContain('pendingNetworkInvites: new Map()');
    expect(source).toContain('obj.pendingNetworkInvites.delete(');
  });

  it('knows which statuses Response#send accepts (sip-status 0.1.0 lacks 607 and 608)', () => {
    expect([isSendableStatus(603), isSendableStatus(403), isSendableStatus(500), isSendableStatus(607), isSendableStatus(608)]).toEqual([true, true, true, false, false]);
    expect(typeof (new Srf() as unknown as { endSession?: unknown }).endSession).toBe('function');
  });

  it('ships the SIP parser the built-in front loads (lib/sip-parser/parser.js: parseSipMessage, parseUri)', () => {
    const parser = require('drachtio-srf/lib/sip-parser/parser.js') as { parseSipMessage?: unknown; parseUri?: unknown };

    expect(typeof parser.parseSipMessage).toBe('function');
    expect(typeof parser.parseUri).toBe('function');
  });
});
