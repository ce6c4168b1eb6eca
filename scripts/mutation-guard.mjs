#!/usr/bin/env node
// The pinned-mutant guard of the mutation run (issue #15): the overall `break` threshold alone cannot notice one test
// going missing (a test that kills one mutant is ~0.1 % of the score), so the mutants that the listed gaps
// produced, and that a specific test now kills, are pinned in test/mutation/pinned-mutants.json and must stay Killed
// (or Timeout). A mutant is named by what it changes, not by where: file, mutator, the original source text it
// replaces and its replacement — so the pin survives code moving within the file. A pin that matches no mutant fails
// too (the code it guarded changed: re-pin it on purpose).
//
// Usage: node scripts/mutation-guard.mjs [reports/mutation/mutation.json] [test/mutation/pinned-mutants.json]
// Exit 0 all pinned mutants killed, 1 otherwise (one line per failing pin), 2 unreadable input.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DETECTED = new Set(['Killed', 'Timeout']);
/** Statuses of mutants that were tested; CompileError (the checker dropped it) and Ignored (a disable comment) were not. */
const TESTED = new Set(['Killed', 'Timeout', 'Survived', 'NoCoverage']);

/** The source text a mutant replaces (Stryker locations: 1-based lines, 1-based columns, end exclusive). */
export function originalText(source, location) {
  const lines = source.split('\n');
  const { start, end } = location;
  if (start.line === end.line) return lines[start.line - 1].slice(start.column - 1, end.column - 1);
  const first = lines[start.line - 1].slice(start.column - 1);
  const middle = lines.slice(start.line, end.line - 1);
  const last = lines[end.line - 1].slice(0, end.column - 1);
  return [first, ...middle, last].join('\n');
}

/**
 * Checks every pin against a Stryker JSON report. Returns one problem string per failing pin (empty: all held) and
 * the number of mutants the pins matched.
 */
export function checkPins(report, pins) {
  const problems = [];
  let matched = 0;
  for (const pin of pins) {
    const file = report.files[pin.file];
    if (file === undefined) {
      problems.push(`${pin.file}: not in the mutation report (pin: ${pin.why})`);
      continue;
    }
    const hits = file.mutants.filter((m) =>
      TESTED.has(m.status)
      && m.mutatorName === pin.mutator
      && (m.replacement ?? '') === pin.replacement
      && originalText(file.source, m.location) === pin.original);
    if (hits.length === 0) {
      problems.push(`${pin.file}: no ${pin.mutator} mutant replaces ${JSON.stringify(pin.original)} with ${JSON.stringify(pin.replacement)} any more (or none that was tested) — re-pin it (${pin.why})`);
      continue;
    }
    matched += hits.length;
    for (const m of hits) {
      if (!DETECTED.has(m.status)) {
        problems.push(`${pin.file}:${m.location.start.line}:${m.location.start.column}: ${pin.mutator} ${JSON.stringify(pin.original)} → ${JSON.stringify(pin.replacement)} ${m.status} — the test for "${pin.why}" is missing or no longer bites`);
      }
    }
  }
  return { problems, matched };
}

function main(argv) {
  const [reportFile = 'reports/mutation/mutation.json', pinsFile = 'test/mutation/pinned-mutants.json'] = argv;
  let report;
  let pins;
  try {
    report = JSON.parse(readFileSync(reportFile, 'utf8'));
    pins = JSON.parse(readFileSync(pinsFile, 'utf8')).pins;
  } catch (err) {
    process.stderr.write(`mutation guard: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  const { problems, matched } = checkPins(report, pins);
  for (const p of problems) process.stderr.write(`mutation guard: ${p}\n`);
  process.stdout.write(`mutation guard: ${pins.length} pins, ${matched} pinned mutants, ${problems.length} failing\n`);
  return problems.length === 0 ? 0 : 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
