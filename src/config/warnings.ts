/**
 * What `rmdgate check` warns about in a valid config: settings that work but expose something. Pure.
 */
import { isIP } from 'node:net';
import type { ConfigFile } from './schema.js';
import type { ConfigProblem } from './parse.js';

/** True for `localhost`, 127.0.0.0/8, `::1` and IPv4-mapped loopback: addresses nothing off this host can reach. */
export function isLoopbackAddress(address: string): boolean {
  const a = address.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (a === 'localhost' || a === '::1') return true;
  const v4 = a.startsWith('::ffff:') ? a.slice(7) : a;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/**
 * Warnings of a valid config: the ops listener (plain HTTP: it has no TLS option) or the admin listener without
 * `admin.tls` bound to an address other hosts can reach.
 */
export function configWarnings(cfg: ConfigFile): ConfigProblem[] {
  const warnings: ConfigProblem[] = [];
  const ops = cfg.ops.listen;
  if (ops !== false && !isLoopbackAddress(ops.address)) {
    warnings.push({ path: 'ops.listen.address', message: `${ops.address} is off loopback and the ops listener is plain HTTP (it has no TLS option): /metrics, /healthz and /readyz are readable by anyone who can reach it` });
  }
  const admin = cfg.admin.listen;
  if (admin !== false && cfg.admin.tls === undefined && !isLoopbackAddress(admin.address)) {
    warnings.push({ path: 'admin.listen.address', message: `${admin.address} is off loopback without admin.tls: the bearer token and admin answers travel as plain HTTP` });
  }
  return warnings;
}
