#!/usr/bin/env node
/**
 * Times the RMD export parse (decode, read, index: `parseRmdFeed`) of one or more builds on the same synthetic export.
 * Each measurement runs in a fresh child process (one warm-up parse, then `--parses` timed ones) so builds never share
 * a heap or JIT state; builds alternate round by round so every build sees the same machine load.
 * Usage: npm run build && node scripts/bench-rmd-parse.mjs [--rows 100000] [--rounds 5] [--parses 3] [--file export.csv]
 *          [--build dist] [--build /path/to/other/dist]
 * Prints the median and min ms per parse for each build and the median relative to the first build.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000' }, rounds: { type: 'string', default: '5' }, parses: { type: 'string', default: '3' },
    file: { type: 'string' }, build: { type: 'string', multiple: true }, child: { type: 'boolean' },
  },
});

if (values.child) {
  // One measurement: warm up once, then time each parse; print the times as JSON.
  const { parseRmdFeed } = await import(pathToFileURL(resolve(values.build[0], 'feeds/parse.js')).href);
  const bytes = readFileSync(values.file);
  const job = { source: 'bench', loadedAt: 0, maxBytes: 2 ** 31 };
  const rows = parseRmdFeed(bytes, job).snapshot.rows;
  const ms = [];
  for (let i = 0; i < Number(values.parses); i++) {
    globalThis.gc?.();
    const t0 = performance.now();
    parseRmdFeed(bytes, job);
    ms.push(performance.now() - t0);
  }
  process.stdout.write(JSON.stringify({ rows, ms }));
  process.exit(0);
}

const builds = values.build?.length ? values.build : ['dist'];
let file = values.file;
let tmp;
if (file === undefined) {
  tmp = mkdtempSync(join(tmpdir(), 'rmdgate-bench-parse-'));
  file = join(tmp, 'rmd.csv');
  execFileSync(process.execPath, [fileURLToPath(new URL('./gen-rmd.mjs', import.meta.url)), '--rows', values.rows, '--out', file]);
}
const self = fileURLToPath(import.meta.url);
const times = builds.map(() => []);
const rowsOf = [];
for (let r = 0; r < Number(values.rounds); r++) {
  const order = builds.map((_, i) => i);
  if (r % 2 === 1) order.reverse();
  for (const i of order) {
    const out = execFileSync(process.execPath, ['--expose-gc', self, '--child', '--build', builds[i], '--file', file, '--parses', values.parses], { encoding: 'utf8' });
    const { rows, ms } = JSON.parse(out);
    rowsOf[i] = rows;
    times[i].push(...ms);
  }
}
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const base = median(times[0]);
console.log(`export: ${(readFileSync(file).length / 1e6).toFixed(1)} MB; ${values.rounds} rounds × ${values.parses} parses per build, each round in a fresh process per build, order alternating`);
builds.forEach((b, i) => {
  const m = median(times[i]);
  console.log(`${b}: rows ${rowsOf[i]}, median ${m.toFixed(0)} ms, min ${Math.min(...times[i]).toFixed(0)} ms, ratio to first ${(m / base).toFixed(3)}`);
});
if (tmp) rmSync(tmp, { recursive: true, force: true });
