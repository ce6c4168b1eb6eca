#!/usr/bin/env node
// The baseline for scripts/bench-drachtio.sh: a bare drachtio-srf app that answers every INVITE with the same 302 rmdgate
// sends for an allowed call (Contact with the called user + X-RMDGate-Verdict), or proxies it — and does nothing else.
// Env: DRACHTIO_ADDRESS host:port, DRACHTIO_SECRET, BENCH_MODE redirect|proxy, BENCH_ROUTE (sip URI without user).
// Prints "ready" once authenticated; exits 0 on SIGTERM/SIGINT. Reconnects are drachtio-srf's own.
import Srf from 'drachtio-srf';

const [host = '127.0.0.1', port = '9022'] = (process.env.DRACHTIO_ADDRESS ?? '').split(':');
const secret = process.env.DRACHTIO_SECRET ?? '';
const mode = process.env.BENCH_MODE === 'proxy' ? 'proxy' : 'redirect';
const route = process.env.BENCH_ROUTE ?? 'sip:127.0.0.1:5070;transport=udp';
if (!secret) {
  console.error('bench-drachtio-bare: DRACHTIO_SECRET is not set');
  process.exit(2);
}

const srf = new Srf();
srf.on('error', (err) => console.error(`bench-drachtio-bare: ${err?.code ?? err}`));
srf.on('connect', (err) => (err ? console.error(`bench-drachtio-bare: ${err.message}`) : console.log('ready')));

/** `sip:core:5060` + user of the Request-URI → `sip:+1202...@core:5060`, as rmdgate's Contact. */
function contactFor(uri) {
  const user = /^sips?:([^@;]+)@/i.exec(uri ?? '')?.[1];
  return user === undefined || route.includes('@') ? route : route.replace(/^(sips?:)/i, `$1${user}@`);
}

srf.invite((req, res) => {
  if (mode === 'proxy') {
    srf.proxyRequest(req, [route], { recordRoute: true, headers: { 'X-RMDGate-Verdict': 'allow' } }, () => undefined);
    return;
  }
  res.send(302, 'Moved Temporarily', { headers: { Contact: `<${contactFor(req.uri)}>`, 'X-RMDGate-Verdict': 'allow' } });
});
srf.use('options', (_req, res) => res.send(200));
srf.connect({ host, port: Number(port), secret });

function stop() {
  try {
    srf.disconnect();
  } catch {
    // between reconnect attempts drachtio-srf has no socket to disconnect; exiting is enough for a bench process
  }
  setTimeout(() => process.exit(0), 100).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
