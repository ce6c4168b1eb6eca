#!/usr/bin/env node
// Stryker writes the absolute project root into its incremental results file; the file is committed, so this drops
// that one machine-specific field after each run (Stryker matches incremental results by relative file names).
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../test/mutation/stryker-incremental.json', import.meta.url);
const report = JSON.parse(readFileSync(file, 'utf8'));
if ('projectRoot' in report) {
  delete report.projectRoot;
  writeFileSync(file, JSON.stringify(report, null, 2));
}
