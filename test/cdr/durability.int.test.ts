import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listDayFiles, openDayFileForRead } from '../../src/cdr/sqlite/day-files.js';
import { createSqliteWriter } from '../../src/cdr/sqlite/writer.js';
import { TS_EXEC_ARGV } from '../support/ts-entry.js';
import { buildCdr } from '../support/builders.js';

const CHILD = fileURLToPath(new URL('./support/cdr-writer-child.ts', import.meta.url));
const RATE = 5000;
const FLUSH_MS = 200;
const BATCH = 1000;

/** The child and the last count it reported. */
function startChild(dir: string): { child: ChildProcess; last: () => number; line: (prefix: string, timeoutMs: number) => Promise<string> } {
  const child = spawn(process.execPath, [...TS_EXEC_ARGV, CHILD, dir, String(RATE), String(FLUSH_MS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let last = 0;
  const waiters: { prefix: string; resolve: (l: string) => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => {
    if (l.startsWith('w ')) last = Number(l.slice(2));
    for (const w of waiters.filter((x) => l.startsWith(x.prefix))) w.resolve(l);
  });
  const line = (prefix: string, timeoutMs: number): Promise<string> =>
    new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`child did not print "${prefix}" within ${timeoutMs} ms`)), timeoutMs);
      waiters.push({ prefix, resolve: (l) => (clearTimeout(t), resolve(l)) });
    });
  return { child, last: () => last, line };
}

function storedSeqs(dir: string): { count: number; integrity: string[] } {
  let count = 0;
  const integrity: string[] = [];
  for (const day of listDayFiles(dir)) {
    const db = openDayFileForRead(dir, day)!;
    integrity.push(String(db.pragma('integrity_check', { simple: true })));
    count += (db.prepare('SELECT count(*) AS n FROM cdr').get() as { n: number }).n;
    db.close();
  }
  return { count, integrity };
}

function exited(child: ChildProcess): Promise<number | string | null> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
}

describe('sqlite CDR store durability (child process writing 5,000 records/s)', () => {
  let dir: string;
  let running: ChildProcess | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rmdgate-durable-'));
  });
  afterEach(() => {
    if (running && running.exitCode === null && running.signalCode === null) running.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('loses nothing on SIGTERM: close() drains the queue and the worker', async () => {
    const c = startChild(dir);
    running = c.child;
    await c.line('ready', 15_000);
    await new Promise((r) => setTimeout(r, 1500));

    c.child.kill('SIGTERM');
    const closed = await c.line('closed', 15_000);
    expect(await exited(c.child)).toBe(0);

    const written = Number(closed.split(' ')[1]);
    expect(written).toBeGreaterThan(RATE);
    expect(storedSeqs(dir)).toEqual({ count: written, integrity: ['ok'] });
  }, 40_000);

  it('loses at most one flush window plus one batch on SIGKILL, and the store reopens cleanly', async () => {
    const c = startChild(dir);
    running = c.child;
    await c.line('ready', 15_000);
    await new Promise((r) => setTimeout(r, 2500));

    c.child.kill('SIGKILL');
    await exited(c.child);
    const written = c.last();
    const { count, integrity } = storedSeqs(dir);
    const writer = createSqliteWriter({ dir });
    const after = writer.write([{ r: buildCdr({ seq: 999_999_999, receivedAtMs: Date.now() }) }]);
    writer.close();

    const bound = (RATE * FLUSH_MS) / 1000 + BATCH + RATE / 100;
    console.info(`SIGKILL: written ${written}, stored ${count}, lost ${written - count} (bound ${bound})`);
    expect(written).toBeGreaterThan(RATE * 2);
    expect(integrity.every((i) => i === 'ok')).toBe(true);
    expect(written - count).toBeLessThanOrEqual(bound);
    expect(count).toBeGreaterThan(0);
    expect(after).toEqual({ written: 1, lost: 0 });
  }, 40_000);
});
