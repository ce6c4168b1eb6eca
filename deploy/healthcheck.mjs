/* global AbortSignal */
// Container health check (Dockerfile HEALTHCHECK): GET /healthz on the ops listener the config in force names, so
// the check follows `ops.listen` instead of a port written into the image. Reads the config file named by
// CONFIG_FILE (as `rmdgate serve` does); missing `ops.listen` means the default 127.0.0.1:9464, a wildcard address
// is checked on loopback, and `ops.listen: false` (no listener to ask) counts as healthy. Exit 0 healthy, 1 not;
// one line on stderr says why. Plain ESM with the `yaml` package the image already ships: no build step.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const DEFAULT = { address: '127.0.0.1', port: 9464 };
const file = process.env.CONFIG_FILE;

function opsListen() {
  if (!file) throw new Error('CONFIG_FILE is not set');
  const doc = parse(readFileSync(file, 'utf8')) ?? {};
  const listen = doc.ops?.listen;
  if (listen === false) return false;
  return { address: listen?.address ?? DEFAULT.address, port: listen?.port ?? DEFAULT.port };
}

function urlOf({ address, port }) {
  const host = address === '0.0.0.0' ? '127.0.0.1' : address === '::' ? '::1' : address;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}/healthz`;
}

try {
  const listen = opsListen();
  if (listen === false) {
    console.error('healthcheck: ops.listen is false; nothing to check');
    process.exit(0);
  }
  const url = urlOf(listen);
  const res = await fetch(url, { signal: AbortSignal.timeout(2500) });
  if (!res.ok) {
    console.error(`healthcheck: ${url} answered ${res.status}`);
    process.exit(1);
  }
} catch (err) {
  console.error(`healthcheck: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
