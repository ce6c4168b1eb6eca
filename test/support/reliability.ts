/**
 * What the edge, fault and fuzz suites tried and how the gate held, as data: each test that attacks or breaks the
 * gate records one row after its assertions passed. Rows go to `$RELIABILITY_OUT/<suite>.jsonl` when that variable
 * is set (`npm run reliability` sets it and renders docs/reliability.md from the rows); otherwise nothing is written.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';

/** One attack or fault, as docs/reliability.md shows it. */
export interface ReliabilityRow {
  /** What was tried, in a few words ("fat INVITEs from one source", "slowloris TCP"). */
  readonly attack: string;
  /** How many times (messages, connections, calls, files ...). */
  readonly tried: number;
  readonly unit: string;
  /** `held`, `lost N` (calls, CDRs ...) or `crashed`. */
  readonly result: string;
  /** The measured numbers behind the result, one line. */
  readonly detail: string;
}

/** Records `row` for the test file `testFile` (pass `import.meta.url` or a path). */
export function recordReliability(testFile: string, row: ReliabilityRow): void {
  const out = process.env['RELIABILITY_OUT'];
  if (out === undefined || out === '') return;
  mkdirSync(out, { recursive: true });
  const suite = basename(testFile).replace(/\.ts$/, '');
  appendFileSync(join(out, `${suite}.jsonl`), JSON.stringify({ suite, ...row, at: new Date().toISOString(), node: process.version }) + '\n');
}
