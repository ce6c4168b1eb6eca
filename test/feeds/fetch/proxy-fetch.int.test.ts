/**
 * The proxy-aware fetch against a real CONNECT proxy and a real HTTP server on loopback: proxied when
 * HTTP_PROXY is set, direct when NO_PROXY exempts the host or no variable is set.
 */
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProxyAwareFetch } from '../../../src/feeds/fetch/proxy-fetch.js';

let origin: Server;
let proxy: Server;
const tunnels: string[] = [];

const listen = (s: Server): Promise<number> => new Promise((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)));

beforeAll(async () => {
  origin = createServer((_req, res) => res.end('number,frn,business_name\n'));
  proxy = createServer((_req, res) => res.writeHead(405).end());
  proxy.on('connect', (req, client, head) => {
    tunnels.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await listen(origin);
  await listen(proxy);
});

afterAll(async () => {
  proxy.closeAllConnections();
  origin.closeAllConnections();
  await new Promise((r) => proxy.close(r));
  await new Promise((r) => origin.close(r));
});

describe('createProxyAwareFetch', () => {
  it('tunnels an http feed URL through HTTP_PROXY', async () => {
    const url = `http://127.0.0.1:${(origin.address() as AddressInfo).port}/rmd.csv`;
    const f = createProxyAwareFetch({ HTTP_PROXY: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` });
    tunnels.length = 0;

    const body = await (await f.fetch(url, {})).text();
    await f.close();

    expect(body).toBe('number,frn,business_name\n');
    expect(tunnels).toEqual([`127.0.0.1:${(origin.address() as AddressInfo).port}`]);
  });

  it('goes direct when NO_PROXY names the host', async () => {
    const url = `http://127.0.0.1:${(origin.address() as AddressInfo).port}/rmd.csv`;
    const f = createProxyAwareFetch({ HTTP_PROXY: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, NO_PROXY: '127.0.0.1' });
    tunnels.length = 0;

    const res = await f.fetch(url, {});
    await res.text();
    await f.close();

    expect(res.status).toBe(200);
    expect(tunnels).toEqual([]);
  });
});
