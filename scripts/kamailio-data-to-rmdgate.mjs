#!/usr/bin/env node
/**
 * Converts the Kamailio screening baseline's data sets (shared/bench/kamailio/data/{trunks,blocklist,rmd}.csv, written by
 * its gen_data.sh) into an rmdgate config that gives the same answers, so both servers can be driven with the same load
 * (scripts/bench-vs-kamailio.sh):
 *
 *   OUT/rmdgate.yaml   config: built-in front on UDP (+TCP) 127.0.0.1:5060, 302 Contact sip:<user>@127.0.0.1:5080;transport=udp,
 *                      603 for unknown sources, not-in-RMD and blocked providers; CDRs on (default store, as
 *                      config/example.yaml); ops/admin on the given loopback ports; log level info
 *   OUT/rmd.csv        the RMD filers (3,920) in the FCC export's column format (number, frn, business_name, ...)
 *   OUT/blocklist.csv  operator blocklist, one entry per blocked provider keyed by RMD number, kind by reason
 *                      (rmd_removed → rmd-removed, k4_designated → k4, operator → operator)
 *
 * Mapping: Kamailio's address table tags each of its 10,000 entries (9,500 /32 + 500 /24) with a provider id; rmdgate gets
 * one trunk per provider (5,000 trunks) carrying that provider's source CIDRs (10,000 sources in total). Every provider has
 * an RMD number (RMD<1000000+n>) and an FRN (0099<n, 6 digits>); only the filers appear in rmd.csv.
 *
 * Usage: node scripts/kamailio-data-to-rmdgate.mjs --out DIR [--data DIR] [--bench DIR] [--sip-address 127.0.0.1]
 *          [--sip-port 5060] [--no-tcp] [--ops-port 19464] [--admin-port 19465] [--log-level info] [--core 127.0.0.1:5080]
 *   --data   folder with trunks.csv, blocklist.csv, rmd.csv (default: <bench>/data)
 *   --bench  the Kamailio bench folder (default: ../shared/bench/kamailio next to this repo);
 *            when the data is missing its gen_data.sh is run there, or in a temporary copy when the folder is read-only
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    out: { type: 'string' },
    data: { type: 'string' },
    bench: { type: 'string' },
    'sip-address': { type: 'string', default: '127.0.0.1' },
    'sip-port': { type: 'string', default: '5060' },
    'no-tcp': { type: 'boolean', default: false },
    'ops-port': { type: 'string', default: '19464' },
    'admin-port': { type: 'string', default: '19465' },
    'log-level': { type: 'string', default: 'info' },
    core: { type: 'string', default: '127.0.0.1:5080' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help || !args.out) {
  console.error('usage: node scripts/kamailio-data-to-rmdgate.mjs --out DIR [--data DIR] [--bench DIR] [--sip-port 5060] [--ops-port N] [--admin-port N] [--log-level info] [--no-tcp]');
  process.exit(args.help ? 0 : 2);
}
const loopback = (a) => /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
if (!loopback(args['sip-address']) || !loopback(args.core.split(':')[0])) {
  console.error('sip-address and core must be loopback (127.0.0.0/8) addresses');
  process.exit(2);
}

/** Finds the bench folder and its data; runs gen_data.sh (in a temp copy when the folder is read-only) when missing. */
function locateData() {
  const candidates = [args.bench, resolve(here, '../../shared/bench/kamailio')].filter(Boolean);
  const bench = candidates.find((d) => existsSync(join(d, 'gen_data.sh')));
  const data = args.data ?? (bench ? join(bench, 'data') : undefined);
  const complete = (d) => d && ['trunks.csv', 'blocklist.csv', 'rmd.csv'].every((f) => existsSync(join(d, f)));
  if (complete(data)) return data;
  if (!bench) throw new Error(`no data in ${data ?? '(none)'} and no gen_data.sh found (tried ${candidates.join(', ')})`);
  // root ignores permission bits, so judge "read-only" by the mode (the shared folder is r-x for everyone)
  const readOnly = (statSync(bench).mode & 0o222) === 0;
  let dir = bench;
  if (readOnly) {
    dir = mkdtempSync(join(tmpdir(), 'kamailio-bench-'));
    cpSync(bench, dir, { recursive: true, filter: (src) => !src.includes('/results') });
    execFileSync('chmod', ['-R', 'u+w', dir]);
    console.error(`${bench} is read-only: generating the data in ${dir}`);
  }
  execFileSync(join(dir, 'gen_data.sh'), { stdio: ['ignore', 'inherit', 'inherit'] });
  return join(dir, 'data');
}

function readCsv(file) {
  const lines = readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines.shift().split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [header[i], v.trim()])));
}

const dataDir = locateData();
const trunkRows = readCsv(join(dataDir, 'trunks.csv')); // ip,mask,provider
const blockRows = readCsv(join(dataDir, 'blocklist.csv')); // provider,reason
const rmdRows = readCsv(join(dataDir, 'rmd.csv')); // provider,rmd_number

const KIND_BY_REASON = { rmd_removed: 'rmd-removed', k4_designated: 'k4', operator: 'operator' };
const numberOf = (provider) => {
  const m = /^prov(\d{1,6})$/.exec(provider);
  if (!m) throw new Error(`unexpected provider id ${provider}`);
  return Number(m[1]);
};
const rmdNumberOf = (provider) => `RMD${String(1_000_000 + numberOf(provider)).padStart(7, '0')}`;
const frnOf = (provider) => `0099${String(numberOf(provider)).padStart(6, '0')}`;
const nameOf = (provider) => `Bench Carrier ${provider.slice(4)} LLC`;

// ---------- providers and trunks (one trunk per provider, its sources in table order) ----------
const sourcesByProvider = new Map();
for (const { ip, mask, provider } of trunkRows) {
  const list = sourcesByProvider.get(provider) ?? [];
  list.push(`${ip}/${mask}`);
  sourcesByProvider.set(provider, list);
}
const providers = [...sourcesByProvider.keys()].sort((a, b) => numberOf(a) - numberOf(b));

// ---------- RMD CSV in the FCC export's format ----------
const RMD_HEADER = [
  'number', 'filing_url', 'frn', 'business_name', 'business_address', 'foreign_voice_provider', 'country', 'other_frns',
  'other_dba_names', 'previous_dba_names', 'robocall_mitigation_contact_name', 'contact_title', 'contact_department',
  'contact_business_address', 'contact_country', 'contact_telephone_number', 'contact_phone_extension', 'implementation',
  'voice_service_provider_choice', 'gateway_provider_choice', 'intermediate_provider_choice', 'last_updated', 'last_recertified',
];
const csvField = (v) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
const rmdLines = [RMD_HEADER.join(',')];
for (const { provider, rmd_number: rmdNumber } of rmdRows) {
  if (rmdNumber !== rmdNumberOf(provider)) throw new Error(`rmd.csv: ${provider} has ${rmdNumber}, expected ${rmdNumberOf(provider)}`);
  const n = numberOf(provider);
  const address = `${100 + (n % 900)} Bench Way, Testville, ST 00${String(n % 1000).padStart(3, '0')}`;
  rmdLines.push([
    rmdNumber,
    `https://fccprod.servicenowservices.com/rmd?id=rmd_form&table=x_g_fmc_rmd_robocall_mitigation_database&sys_id=bench${String(n).padStart(27, '0')}&view=sp`,
    frnOf(provider), nameOf(provider), address, 'No', 'United States', '', 'None', 'None',
    'Bench Contact', 'Compliance Manager', 'Regulatory', address, 'United States', `+1202555${String(n % 10000).padStart(4, '0')}`, '',
    'Complete STIR/SHAKEN Implementation', 'Yes', 'No', 'Yes', '2025-06-01', '2025-03-01',
  ].map(csvField).join(','));
}

// ---------- operator blocklist (kind by reason) ----------
const blockLines = ['id,kind,rmd_number,frn,name,source,effective,expires,note'];
const blocked = new Map();
for (const { provider, reason } of blockRows) {
  const kind = KIND_BY_REASON[reason];
  if (kind === undefined) throw new Error(`blocklist.csv: unknown reason ${reason} for ${provider}`);
  blocked.set(provider, kind);
  blockLines.push([provider, kind, rmdNumberOf(provider), '', '', `kamailio baseline blocklist.csv (${reason})`, '2024-01-01', '', 'bench data'].join(','));
}

// ---------- config ----------
const sip = { address: args['sip-address'], port: Number(args['sip-port']) };
const y = [];
y.push('# Generated by scripts/kamailio-data-to-rmdgate.mjs from the Kamailio baseline data; same answers as kamailio.cfg:');
y.push('# 302 (Contact to the core) for allowed calls, 603 for unknown sources, providers not in the RMD and blocked providers.');
y.push(`# source data: ${dataDir}`);
y.push('mode: enforce');
y.push('node: { id: bench-gate-1 }');
y.push('sip:');
y.push('  front: builtin');
y.push('  listen:');
y.push(`    - { transport: udp, address: ${sip.address}, port: ${sip.port} }`);
if (!args['no-tcp']) y.push(`    - { transport: tcp, address: ${sip.address}, port: ${sip.port} }`);
y.push('  defaultRoute:');
y.push(`    - "sip:${args.core};transport=udp"`);
y.push('  verdictHeader: X-RMDGate-Verdict');
y.push('data:');
y.push('  rmd: { path: rmd.csv }');
y.push('  blocklists:');
y.push('    - { name: operator, path: blocklist.csv }   # kind per entry (rmd-removed, k4, operator)');
y.push('feeds: { stateDir: var/state/feeds }');
y.push('providers:');
for (const p of providers) {
  y.push(`  - { id: ${p}, name: "${nameOf(p)}", rmdNumber: ${rmdNumberOf(p)}, frn: "${frnOf(p)}" }`);
}
y.push('trunks:');
for (const p of providers) y.push(`  - { id: t-${p}, provider: ${p}, sources: [${sourcesByProvider.get(p).join(', ')}] }`);
y.push('policy:');
y.push('  reasons:');
y.push('    unknown-trunk: { action: block, status: 603 }');
y.push('    provider-not-in-rmd: { action: block, status: 603 }');
y.push('    provider-designated: { action: block, status: 603 }');
y.push('cdr:');
y.push('  dir: var/cdr            # default store (SQLite day files, worker thread), as config/example.yaml');
y.push('  flushIntervalMs: 200');
y.push('log:');
y.push(`  level: ${args['log-level']}`);
y.push('ops:');
y.push(`  listen: { address: 127.0.0.1, port: ${Number(args['ops-port'])} }`);
y.push('admin:');
y.push(`  listen: { address: 127.0.0.1, port: ${Number(args['admin-port'])} }   # starts only with RMDGATE_ADMIN_TOKEN set`);

const out = resolve(args.out);
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'rmdgate.yaml'), `${y.join('\n')}\n`);
writeFileSync(join(out, 'rmd.csv'), `${rmdLines.join('\n')}\n`);
writeFileSync(join(out, 'blocklist.csv'), `${blockLines.join('\n')}\n`);

// ---------- self-check: the answers rmdgate must give for the benchmark sources (as kamailio.cfg decides) ----------
const filers = new Set(rmdRows.map((r) => r.provider));
const exact = new Map();
const subnets = [];
for (const { ip, mask, provider } of trunkRows) {
  if (mask === '32') exact.set(ip, provider);
  else subnets.push({ net: ip.split('.').slice(0, Number(mask) / 8).join('.'), provider });
}
const expected = (ip) => {
  const provider = exact.get(ip) ?? subnets.find((s) => ip.startsWith(`${s.net}.`))?.provider;
  if (provider === undefined) return 603;
  if (blocked.has(provider) || !filers.has(provider)) return 603;
  return 302;
};
const sourcesFile = join(dataDir, 'sources.txt');
let mismatches = 0;
if (existsSync(sourcesFile)) {
  for (const line of readFileSync(sourcesFile, 'utf8').split('\n')) {
    const [ip, code] = line.trim().split(/\s+/);
    if (!ip || ip.startsWith('#')) continue;
    if (expected(ip) !== Number(code)) {
      console.error(`MISMATCH: ${ip} expects ${code}, data gives ${expected(ip)}`);
      mismatches++;
    }
  }
}
const notInRmd = providers.filter((p) => !filers.has(p) && !blocked.has(p)).length;
console.error(
  `wrote ${out}/{rmdgate.yaml,rmd.csv,blocklist.csv}: ${providers.length} providers, ${providers.length} trunks with ` +
    `${trunkRows.length} sources, ${rmdRows.length} RMD filings, ${blocked.size} blocked ` +
    `(${Object.entries(KIND_BY_REASON).map(([r, k]) => `${k} ${blockRows.filter((b) => b.reason === r).length}`).join(', ')}), ` +
    `${notInRmd} not in the RMD; SIP ${sip.address}:${sip.port}, ops 127.0.0.1:${args['ops-port']}`,
);
process.exit(mismatches > 0 ? 1 : 0);
