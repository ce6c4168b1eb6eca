/**
 * The drachtio front's link to drachtio-server: authentication (right and wrong secret), readiness and the
 * connected gauge, reconnect after the server drops, an unreachable server, outbound mode, and a clean stop.
 */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { LINK_LOG_EVERY } from '../../../src/sip/drachtio/link.js';
import { FRONT_ROUTES, SECRET, drachtioConfigYaml, inviteText, startDrachtioApp, waitUntil, type DrachtioApp } from './harness.js';
import { closeAndCheckTcpAfterEach } from '../../support/wait.js';

const cleanups = closeAndCheckTcpAfterEach(3000);

async function rigWith(opts: Parameters<typeof startDrachtioApp>[0] = {}): Promise<DrachtioApp> {
  const r = await startDrachtioApp(opts);
  cleanups.push(() => r.close());
  return r;
}

const frontReady = (r: DrachtioApp): boolean => r.app.readiness.run().checks['front']?.ok === true;
const messages = (r: DrachtioApp, msg: string): Record<string, unknown>[] => r.logs.filter((l) => l['msg'] === msg);

/** A loopback TCP port with nothing listening (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('drachtio front: link to drachtio-server', () => {
  it('with the wrong secret stays not ready, logs the auth failure once per attempts batch and keeps retrying', async () => {
    const r = await rigWith({ secret: 'not-the-secret' });
    await waitUntil(() => r.standin.connections.length >= 4, 3000, 'four attempts');

    expect(frontReady(r)).toBe(false);
    expect(r.app.readiness.run().checks['front']?.detail).toBe('no SIP front up (drachtio)');
    expect(r.standin.connections.every((c) => !c.authenticated)).toBe(true);
    const failures = messages(r, 'drachtio authentication failed: wrong secret');
    expect(failures.length).toBe(1);
    expect(failures[0]).toMatchObject({ level: 50, attempts: 1, server: `127.0.0.1:${r.port}` });
    expect(await r.metricsText()).toContain(`rmdgate_drachtio_connected{server="127.0.0.1:${r.port}"} 0`);
    expect(LINK_LOG_EVERY).toBeGreaterThan(4);
  });

  it('goes not ready when the server drops the connection and ready again after srf reconnects', async () => {
    const r = await rigWith();
    const first = await r.standin.waitForApp({ routes: [...FRONT_ROUTES] });
    await waitUntil(() => frontReady(r), 2000, 'ready');

    r.standin.dropConnections();
    await waitUntil(() => !frontReady(r), 2000, 'not ready after the drop');
    expect(await r.metricsText()).toContain(`rmdgate_drachtio_connected{server="127.0.0.1:${r.port}"} 0`);
    const second = await waitUntil(() => r.standin.connections.find((c) => c.id !== first.id && c.authenticated && c.routes.has('invite')), 3000, 'a new connection');
    await waitUntil(() => frontReady(r), 2000, 'ready again');

    expect(messages(r, 'drachtio connection lost; reconnecting')).toHaveLength(1);
    expect(await r.metricsText()).toContain(`rmdgate_drachtio_connected{server="127.0.0.1:${r.port}"} 1`);
    expect(await r.metricsText()).toMatch(/rmdgate_drachtio_reconnects_total\{server="127\.0\.0\.1:\d+"\} [1-9]/);
    const sent = second.sendRequest(inviteText({ source: '127.0.0.4' }).text, { sourceAddress: '127.0.0.4' });
    expect(await second.nextResponse(sent.transactionId)).toMatchObject({ status: 403 });
  });

  it('survives an unreachable server (ECONNREFUSED, handled) and stops cleanly between reconnect attempts', async () => {
    const port = await closedPort();
    const r = await rigWith({ yaml: (dir) => drachtioConfigYaml(dir, port) });
    await waitUntil(() => messages(r, 'drachtio connection failed; retrying').length >= 1, 3000, 'the refused log');

    expect(frontReady(r)).toBe(false);
    expect(messages(r, 'drachtio connection failed; retrying')[0]).toMatchObject({ code: 'ECONNREFUSED', attempts: 1 });
  });

  it('refuses to start without the secret in the environment', async () => {
    await expect(startDrachtioApp({ secret: '' })).rejects.toMatchObject({ code: 'ERR_DRACHTIO_SECRET', message: expect.stringContaining('DRACHTIO_SECRET') });
  });
});

describe('drachtio front: outbound mode', () => {
  it('listens, authenticates the connection drachtio-server opens and screens INVITEs on it', async () => {
    const r = await rigWith({ drachtio: '    mode: outbound\n    listen: { address: 127.0.0.1, port: 0 }\n    allowAction: redirect\n' });
    const listen = r.app.sip[0];
    expect(listen).toMatchObject({ transport: 'drachtio-listen', address: '127.0.0.1' });
    expect(frontReady(r)).toBe(true);

    const conn = await r.standin.connectToApp(listen?.port ?? 0);
    const appFrames = r.standin.frames.filter((f) => f.conn === conn.id && f.dir === 'app->server').map((f) => f.payload.split('|').slice(1).join('|'));
    expect(appFrames).toEqual([`authenticate|${SECRET}|`]);
    const allowed = conn.sendRequest(inviteText({ source: '127.0.0.1' }).text, { sourceAddress: '127.0.0.1' });
    expect(await conn.nextResponse(allowed.transactionId)).toMatchObject({ status: 302 });
    await waitUntil(() => conn.closed, 2000, 'srf.endSession to close the per-call connection');
  });
});
