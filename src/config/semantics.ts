/**
 * Cross-reference checks of a shape-valid config: ids unique, references resolve, narrowing is usable,
 * no two trunks are indistinguishable, 603+ has a redress method. Pure; returns every problem.
 */
import { parseCidr, toAddressKey } from '../screening/index.js';
import type { ConfigFile } from './schema.js';
import type { ConfigProblem } from './parse.js';

/** Returns all semantic problems (empty when the config is consistent). */
export function checkSemantics(cfg: ConfigFile): ConfigProblem[] {
  return [...checkProviders(cfg), ...checkTrunks(cfg), ...checkPolicy(cfg), ...checkLists(cfg), ...checkTcpLimits(cfg)];
}

function checkTcpLimits(cfg: ConfigFile): ConfigProblem[] {
  const { maxTcpConnections, tcpTrunkReserve, tcpMaxBufferedBytes, maxMessageBytes } = cfg.sip;
  const problems: ConfigProblem[] = [];
  if (tcpTrunkReserve >= maxTcpConnections) {
    problems.push({ path: 'sip.tcpTrunkReserve', message: `must be less than sip.maxTcpConnections (${maxTcpConnections}), or no other source could connect` });
  }
  if (tcpMaxBufferedBytes < 2 * maxMessageBytes) {
    problems.push({ path: 'sip.tcpMaxBufferedBytes', message: `must be at least 2 × sip.maxMessageBytes (${2 * maxMessageBytes})` });
  }
  return problems;
}

function checkProviders(cfg: ConfigFile): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const seen = new Map<string, number>();
  cfg.providers.forEach((p, i) => {
    const first = seen.get(p.id);
    if (first !== undefined) problems.push({ path: `providers[${i}].id`, message: `duplicate provider id "${p.id}" (first at providers[${first}])` });
    else seen.set(p.id, i);
    if (p.rmdRequired && p.rmdNumber === undefined && p.frn === undefined) {
      problems.push({ path: `providers[${i}]`, message: 'needs rmdNumber or frn to be checked against the RMD (or rmdRequired: false)' });
    }
  });
  return problems;
}

function checkTrunks(cfg: ConfigFile): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const providers = new Set(cfg.providers.map((p) => p.id));
  const ids = new Map<string, number>();
  const selectors = new Map<string, string>();
  cfg.trunks.forEach((t, i) => {
    const at = `trunks[${i}]`;
    const first = ids.get(t.id);
    if (first !== undefined) problems.push({ path: `${at}.id`, message: `duplicate trunk id "${t.id}" (first at trunks[${first}])` });
    else ids.set(t.id, i);
    if (t.id === 'unknown') problems.push({ path: `${at}.id`, message: '"unknown" is reserved for unmatched sources' });
    if (!providers.has(t.provider)) problems.push({ path: `${at}.provider`, message: `no provider with id "${t.provider}"` });
    if (t.headerValue !== undefined && cfg.sip.trunkHeader === undefined) {
      problems.push({ path: `${at}.headerValue`, message: 'needs sip.trunkHeader to name the header it is compared with' });
    }
    const narrowing = JSON.stringify([toAddressKey(t.receivedOn?.address), t.receivedOn?.port, t.tgrp, t.trunkContext?.toLowerCase(), t.headerValue]);
    t.sources.forEach((source, j) => {
      const cidr = parseCidr(source);
      if (typeof cidr === 'string') return;
      const key = `${canonical(source)}|${narrowing}`;
      const other = selectors.get(key);
      if (other !== undefined) problems.push({ path: `${at}.sources[${j}]`, message: `same source and narrowing as ${other}: the trunks cannot be told apart` });
      else selectors.set(key, `${at}.sources[${j}]`);
    });
  });
  return problems;
}

function canonical(source: string): string {
  const cidr = parseCidr(source);
  if (typeof cidr === 'string') return source;
  const a = cidr.address;
  return `${a.family === 4 ? a.v4 : Array.from(a.words).join(':')}/${cidr.prefix}`;
}

function checkPolicy(cfg: ConfigFile): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const { redress, reasons } = cfg.policy;
  for (const [reason, setting] of Object.entries(reasons)) {
    if (setting?.style === '603plus') {
      if (redress.url === undefined && redress.tel === undefined && redress.email === undefined) {
        problems.push({ path: `policy.reasons.${reason}.style`, message: '603plus needs at least one redress method in policy.redress (url, tel or email)' });
      }
      if (setting.status !== undefined && setting.status !== 603) problems.push({ path: `policy.reasons.${reason}.status`, message: '603plus is always status 603' });
      if (setting.phrase !== undefined) problems.push({ path: `policy.reasons.${reason}.phrase`, message: '603plus always uses the phrase "Network Blocked"' });
    }
  }
  return problems;
}

function checkLists(cfg: ConfigFile): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const names = new Set<string>();
  cfg.data.blocklists.forEach((l, i) => {
    if (names.has(l.name)) problems.push({ path: `data.blocklists[${i}].name`, message: `duplicate list name "${l.name}"` });
    names.add(l.name);
  });
  cfg.data.dno.forEach((l, i) => {
    if (names.has(l.name)) problems.push({ path: `data.dno[${i}].name`, message: `duplicate feed name "${l.name}" (blocklists and DNO lists share one namespace)` });
    names.add(l.name);
  });
  return problems;
}
