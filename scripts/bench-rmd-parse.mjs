#!/usr/bin/env node
/**
 * Times the RMD export parse (decode, read, index: `parseRmdFeed`) of one or more builds on the same synthetic export,
 * rounds interleaved so every build sees the same machine load. Compares a reader change against the build before it.
 * Usage: npm run build && node scripts/bench-rmd-parse.mjs [--rows 100000] [--rounds 7] [--file export.csv]
 *          [--build dist] [--build /path/to/other/dist]
 * Prints the median and min ms per build and each build's median relative to the first.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '100000' }, rounds: { type: 'string', default: '7' }, file: { type: 'string' }, build: { type: 'string', multiple: true } } });
const builds = values.build?.length ? values.build : ['dist'];
const rounds = Number(values.rounds);
let file = values.file;
let tmp;
if (file === undefined) {
  tmp = mkdtempSync(join(tmpdir(), 'rmdgate-bench-parse-'));
  file = join(tmp, 'rmd.csv');
  execFileSync(process.execPath, [new URL('./gen-rmd.mjs', import.meta.url).pathname, '--rows', values.rows, '--out', file]);
}
const bytes = readFileSync(file);
const parsers = await Promise.all(builds.map(async (b) => (await import(pathToFileURL(resolve(b, 'feeds/parse.js')).href)).parseRmdFeed));
const times = builds.map(() => []);
const rowsOf = [];
for (let r = 0; r <= rounds; r++) {
  for (let i = 0; i < parsers.length; i++) {
    globalThis.gc?.();
    const t0 = performance.now();
    const { snapshot } = parsers[i](bytes, { source: 'bench', loadedAt: 0, maxBytes: 2 ** 31 });
    const ms = performance.now() - t0;
    rowsOf[i] = snapshot.rows;
    if (r > 0) times[i].push(ms); // round 0 warms up
  }
}
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const base = median(times[0]);
console.log(`export: ${(bytes.length / 1e6).toFixed(1)} MB; ${rounds} rounds after one warm-up, builds interleaved`);
builds.forEach((b, i) => {
  const m = median(times[i]);
  console.log(`${b}: rows ${rowsOf[i]}, median ${m.toFixed(0)} ms, min ${Math.min(...times[i]).toFixed(0)} ms, ratio to first ${(m / base).toFixed(3)}`);
});
if (tmp) rmSync(tmp, { recursive: true, force: true });
