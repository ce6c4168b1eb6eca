/**
 * Worker for scripts/bench-store.mjs: generates synthetic CDRs with realistic number distributions straight into
 * the SQLite day files (big transactions, no JSON hop) and returns a sample of stored calls to query later.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CDR_COLUMNS, toCdrRow } from '../dist/cdr/columns.js';
import { openDayFileForWrite } from '../dist/cdr/sqlite/day-files.js';

const { dir, days, rowsPerDay, seed, sampleEvery, firstSeq, node } = workerData;
const DAY_MS = 86_400_000;
let state = seed >>> 0 || 1;
/** xorshift32: deterministic, fast. */
function rand() {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 4294967296;
}
const NPAS = [201, 202, 212, 213, 214, 305, 310, 312, 315, 404, 415, 469, 512, 602, 617, 646, 702, 713, 718, 786, 803, 817, 832, 904, 917, 954, 972];
/** A NANP number for an index (stable: the same index is the same subscriber). */
function nanp(idx) {
  const npa = NPAS[idx % NPAS.length];
  const nxx = 200 + (Math.floor(idx / NPAS.length) % 800);
  const line = Math.floor(idx / (NPAS.length * 800)) % 10000;
  return `+1${npa}${nxx}${String(line).padStart(4, '0')}`;
}
const SUBSCRIBERS = 2_000_000;
const LEGIT_CALLERS = 3_000_000;
const ROBOCALLERS = 5_000;
/** Called: skewed toward busy numbers (u²); calling: 70 % ordinary callers, 30 % a small robocaller pool. */
function called() {
  const u = rand();
  return nanp(Math.floor(SUBSCRIBERS * u * u));
}
function calling() {
  return rand() < 0.3 ? nanp(SUBSCRIBERS + Math.floor(ROBOCALLERS * rand())) : nanp(SUBSCRIBERS + ROBOCALLERS + Math.floor(LEGIT_CALLERS * rand()));
}
const TRUNKS = Array.from({ length: 20 }, (_, i) => ({ trunkId: `trunk-${i}`, providerId: `prov-${i}`, providerName: `Provider ${i} LLC`, providerRmdNumber: `RMD09900${String(i + 10).padStart(2, '0')}`, providerFrn: `00990000${String(i + 10).padStart(2, '0')}`, sourceAddress: `203.0.113.${i + 10}` }));

function record(seq, ms) {
  const t = TRUNKS[Math.floor(rand() * TRUNKS.length)];
  const to = called();
  const from = calling();
  const reject = rand() < 0.03;
  return {
    schemaVersion: 1, type: 'screening', node, seq, receivedAt: '', receivedAtMs: ms, decidedAtMs: ms + 1, callId: `${seq.toString(36)}-${Math.floor(rand() * 1e9).toString(36)}@bench`,
    sourceAddress: t.sourceAddress, sourcePort: 5060, transport: 'udp', localAddress: '198.51.100.1', localPort: 5060,
    trunkId: t.trunkId, providerId: t.providerId, providerName: t.providerName, providerRmdNumber: t.providerRmdNumber, providerFrn: t.providerFrn,
    fromUser: from, fromE164: from, paiUser: '', paiE164: null, callingE164: from, ruriUser: to, calledE164: to,
    identityStatus: rand() < 0.6 ? 'ok' : 'absent', attest: rand() < 0.6 ? 'A' : null, origid: null, identityOrigTn: null, identityDestTn: null, identityIat: null,
    identityVerified: false, decision: reject ? 'reject' : 'allow', wouldBlock: false, reason: reject ? 'provider-not-in-rmd' : null,
    listEntryId: null, listKind: null, listSource: null, rmdSnapshotId: 'benchsnapshot001', rmdSnapshotLoadedAt: '2026-11-01T00:00:00.000Z', rmdMatch: 'rmd-number',
    sipStatus: reject ? 603 : 302, mode: 'enforce', configVersion: 'bench0000001',
  };
}

const sample = [];
let seq = firstSeq;
const started = performance.now();
for (const day of days) {
  const db = openDayFileForWrite(dir, day);
  db.pragma('synchronous = OFF');
  const stmt = db.prepare(`INSERT INTO cdr (${CDR_COLUMNS.join(', ')}) VALUES (${CDR_COLUMNS.map(() => '?').join(', ')})`);
  const dayStart = Date.parse(`${day}T00:00:00Z`);
  const insert = db.transaction((n, from) => {
    for (let i = 0; i < n; i++) {
      const ms = dayStart + Math.floor(((from + i) * DAY_MS) / rowsPerDay);
      const r = record(seq++, ms);
      stmt.run(toCdrRow(r));
      if (seq % sampleEvery === 0) sample.push({ calling: r.callingE164, called: r.calledE164, atMs: ms });
    }
  });
  for (let done = 0; done < rowsPerDay; done += 50_000) insert(Math.min(50_000, rowsPerDay - done), done);
  db.pragma('optimize');
  db.close();
  parentPort.postMessage({ t: 'day', day, rows: rowsPerDay });
}
parentPort.postMessage({ t: 'done', sample, seconds: (performance.now() - started) / 1000 });
