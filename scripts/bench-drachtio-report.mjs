#!/usr/bin/env node
// Results of scripts/bench-drachtio.sh: `summarise NAME STATS.csv CPU_SECONDS` turns a sipp -trace_stat file into a
// result JSON; `compare BARE.json RMDGATE.json` prints both and the ratios against the targets (clean call rate
// >= 95 % of the bare app, app CPU per call <= 1.1x) and exits 0 when both are met, 1 otherwise.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** Targets of issue #3. */
export const TARGETS = { rateRatioMin: 0.95, cpuRatioMax: 1.1 };

/** CPU time (user + system, all threads) of a live process, seconds; from /proc (Linux). */
export function readCpuSeconds(pid, clkTck = 100) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clkTck;
}

/** One run from sipp's -trace_stat CSV (last row, cumulative columns) and the app's CPU seconds over the run. */
export function summariseSipp(name, csvText, cpuSeconds) {
  const rows = csvText.trim().split('\n');
  const header = (rows[0] ?? '').split(';');
  const last = (rows[rows.length - 1] ?? '').split(';');
  const col = (n) => last[header.indexOf(n)] ?? '';
  const epoch = (v) => Number(v.split('\t')[2]);
  const successful = Number(col('SuccessfulCall(C)'));
  const elapsedS = epoch(col('CurrentTime')) - epoch(col('StartTime'));
  return result(name, { successful, failed: Number(col('FailedCall(C)')), retransmissions: Number(col('Retransmissions(C)')), elapsedS, cpuSeconds });
}

/** A result: clean (successful) calls per second and app CPU milliseconds per clean call. */
export function result(name, { successful, failed, retransmissions = 0, elapsedS, cpuSeconds }) {
  return {
    name, successful, failed, retransmissions, elapsedS: round(elapsedS), cpuSeconds: round(cpuSeconds),
    cleanCallRate: round(elapsedS > 0 ? successful / elapsedS : 0),
    cpuMsPerCall: round(successful > 0 ? (cpuSeconds * 1000) / successful : Infinity, 4),
  };
}

/** Prints the comparison; returns true when both targets are met. */
export function compare(bare, gate, out = console.log) {
  const rateRatio = bare.cleanCallRate > 0 ? gate.cleanCallRate / bare.cleanCallRate : 0;
  const cpuRatio = bare.cpuMsPerCall > 0 ? gate.cpuMsPerCall / bare.cpuMsPerCall : Infinity;
  out('app       clean/s   ok       failed  retrans  cpu s    cpu ms/call');
  for (const r of [bare, gate]) {
    out(`${r.name.padEnd(9)} ${String(r.cleanCallRate).padEnd(9)} ${String(r.successful).padEnd(8)} ${String(r.failed).padEnd(7)} ${String(r.retransmissions).padEnd(8)} ${String(r.cpuSeconds).padEnd(8)} ${r.cpuMsPerCall}`);
  }
  const rateOk = rateRatio >= TARGETS.rateRatioMin && gate.failed === 0;
  const cpuOk = cpuRatio <= TARGETS.cpuRatioMax;
  out(`clean call rate ratio  ${round(rateRatio, 3)} (target >= ${TARGETS.rateRatioMin}, no failed calls) ${rateOk ? 'PASS' : 'FAIL'}`);
  out(`CPU per call ratio     ${round(cpuRatio, 3)} (target <= ${TARGETS.cpuRatioMax}) ${cpuOk ? 'PASS' : 'FAIL'}`);
  return rateOk && cpuOk;
}

function round(v, digits = 2) {
  return Number.isFinite(v) ? Number(v.toFixed(digits)) : v;
}

async function main([command, ...args]) {
  if (command === 'summarise' && args.length === 3) {
    const [name, csv, cpu] = args;
    console.log(JSON.stringify(summariseSipp(name, readFileSync(csv, 'utf8'), Number(cpu))));
    return 0;
  }
  if (command === 'compare' && args.length === 2) {
    const [bare, gate] = args.map((f) => JSON.parse(readFileSync(f, 'utf8')));
    return compare(bare, gate) ? 0 : 1;
  }
  console.error('usage: bench-drachtio-report.mjs summarise NAME STATS.csv CPU_SECONDS | compare BARE.json RMDGATE.json');
  return 2;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = await main(process.argv.slice(2));
