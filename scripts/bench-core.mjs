#!/usr/bin/env node
// Micro-benchmark of the pure screening core (decide()): 10,000 trunk entries (9,500 /32 + 500 /24 CIDRs),
// 5,000 providers, 1,000 blocklist entries, a 4,000-filing RMD snapshot. Run: npm run bench:core
// Reports decisions/s on one core, and the ratio to a same-run peer (a bare Map.get keyed by source IP, the
// cheapest conceivable "lookup"), so results from a noisy shared machine stay comparable. Bounded: fixed iterations.
import { compileWorld, decide } from '../dist/screening/policy.js';
import { toRejectAnswer, DEFAULT_REASON_SETTINGS } from '../dist/screening/reject-reasons.js';
import { POLICY_REASONS, LIST_KINDS } from '../dist/screening/model.js';

const ITER = Number(process.env.ITER ?? 3_000_000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);

let seed = 42;
const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const pad = (n, w) => String(n).padStart(w, '0');

const providers = Array.from({ length: 5000 }, (_, i) => ({
  id: `p${i}`, name: `Provider ${i} Telecom LLC`, rmdNumber: `RMD${pad(i + 1, 7)}`, frn: pad(9000000000 + i, 10), rmdRequired: true,
}));
const trunks = [];
for (let i = 0; i < 9500; i++) {
  trunks.push({ id: `t${i}`, providerId: `p${i % 5000}`, sources: [`10.${(i >> 8) & 255}.${i & 255}.${(i % 200) + 1}/32`] });
}
for (let i = 0; i < 500; i++) trunks.push({ id: `c${i}`, providerId: `p${(i * 7) % 5000}`, sources: [`172.${16 + (i >> 8)}.${i & 255}.0/24`] });

const byRmdNumber = new Map(); const byFrn = new Map();
for (let i = 0; i < 5000; i++) {
  if (i % 5 === 4) continue; // 20% of providers absent from the RMD
  const f = { rmdNumber: `RMD${pad(i + 1, 7)}`, frn: pad(9000000000 + i, 10), otherFrns: [], businessName: `Provider ${i} Telecom LLC`, otherNames: [],
    implementation: 'complete', implementationText: 'Complete STIR/SHAKEN Implementation', roles: { voiceServiceProvider: true, gateway: false, intermediate: true },
    foreign: false, lastRecertified: '2026-02-01', lastUpdated: '2026-02-01', contactName: 'x', contactPhone: 'x', filingUrl: '' };
  byRmdNumber.set(f.rmdNumber, f); byFrn.set(f.frn, f);
}
const rmd = { id: 'bench', source: 'bench', loadedAt: 1, rows: byRmdNumber.size, byRmdNumber, byFrn };
const entries = Array.from({ length: 1000 }, (_, i) => ({
  id: `l:${i}`, list: 'l', kind: LIST_KINDS[i % LIST_KINDS.length], rmdNumber: i % 2 ? `RMD${pad(i * 3 + 1, 7)}` : undefined,
  frn: i % 2 ? undefined : pad(9000000000 + i * 3, 10), source: 'DA 00-000', effectiveAt: 0, expiresAt: i % 10 === 0 ? 1 : undefined,
}));
const reasons = Object.fromEntries(POLICY_REASONS.map((r) => [r, { action: DEFAULT_REASON_SETTINGS[r].action, answer: toRejectAnswer(r, DEFAULT_REASON_SETTINGS[r], {}) }]));
const policy = { mode: 'enforce', reasons, designated: Object.fromEntries(LIST_KINDS.map((k) => [k, 'block'])), defaultRoute: ['sip:core:5060'] };
const world = compileWorld({ trunks, providers, rmd, blocklists: entries, policy, configVersion: 'bench' });

// 90% of traffic from /32 trunks, 8% from CIDR trunks, 2% unknown sources.
const facts = Array.from({ length: 65536 }, () => {
  const r = rnd(); let ip;
  if (r < 0.9) { const i = Math.floor(rnd() * 9500); ip = `10.${(i >> 8) & 255}.${i & 255}.${(i % 200) + 1}`; }
  else if (r < 0.98) { const i = Math.floor(rnd() * 500); ip = `172.${16 + (i >> 8)}.${i & 255}.${Math.floor(rnd() * 254) + 1}`; }
  else ip = `192.0.2.${Math.floor(rnd() * 254) + 1}`;
  return { callId: 'x', receivedAt: 1_800_000_000_000, transport: 'udp', sourceAddress: ip, sourcePort: 5060, requestUri: 'sip:+12025550123@gw' };
});
const peerMap = new Map(trunks.map((t) => [t.sources[0].split('/')[0], t]));

function run(fn) {
  const mask = facts.length - 1; let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < ITER; i++) sink += fn(facts[i & mask]) ? 1 : 0;
  const ns = Number(process.hrtime.bigint() - t0);
  return { perSec: ITER / (ns / 1e9), sink };
}
const outcome = { allow: 0, reject: 0 };
for (const f of facts) outcome[decide(f, world).kind]++;
const results = [];
for (let r = 0; r < ROUNDS; r++) {
  const core = run((f) => decide(f, world).kind === 'allow');
  const peer = run((f) => peerMap.get(f.sourceAddress) !== undefined);
  results.push({ core: core.perSec, peer: peer.perSec });
}
const best = (k) => Math.max(...results.map((x) => x[k]));
const median = (k) => results.map((x) => x[k]).sort((a, b) => a - b)[Math.floor(results.length / 2)];
console.log(JSON.stringify({
  node: process.version, iterations: ITER, rounds: ROUNDS,
  table: { trunkEntries: trunks.length, providers: providers.length, listEntries: entries.length, rmdFilings: rmd.rows },
  mix: outcome,
  decisionsPerSec: { median: Math.round(median('core')), best: Math.round(best('core')) },
  peerMapGetPerSec: { median: Math.round(median('peer')), best: Math.round(best('peer')) },
  ratioCoreToPeer: +(median('core') / median('peer')).toFixed(3),
  target: 1_000_000, meetsTarget: median('core') >= 1_000_000,
}, null, 2));
