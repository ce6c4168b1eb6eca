/**
 * Disk full, for real: the CDR directory (SQLite and JSON lines) is a 1 MB tmpfs the test mounts; the retry backlog
 * spools to another path. Every call is answered, nothing is lost, and once space returns every CDR is written back
 * to both stores (JSON lines all parse); the same for a disk remounted read-only. Needs root and `mount -t tmpfs`; skipped with a notice otherwise.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordReliability } from '../support/reliability.js';
import type { StoreSink } from '../../src/cdr/ports.js';
import { createCdrSinks } from '../../src/cdr/sinks.js';
import { listDayFiles, openDayFileForRead } from '../../src/cdr/sqlite/day-files.js';
import { createInviteScreener } from '../../src/screening/screen-invite.js';
import { answerStatus } from '../../src/sip/shared/sip-reply.js';
import { buildCdrs, buildFacts, buildWorld } from '../support/builders.js';
import { countingMetrics, silentLog } from '../support/fakes.js';
import { waitUntil } from '../support/wait.js';
import { cdrConfig } from './support/cdr-config.js';

const CALLS = 4000;
const isRoot = process.getuid?.() === 0;
if (!isRoot) console.warn('NOTICE: skipping the CDR disk-full test: it mounts a tmpfs, which needs root (uid 0) and `mount -t tmpfs`');

/** Mounts a tmpfs on `dir` with `options` (e.g. `size=1m`), or changes its options (`remount`). */
function mount(dir: string, options: string, remount = false): void {
  execFileSync('mount', remount ? ['-o', `remount,${options}`, dir] : ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'ignore' });
}

function unmount(dir: string): void {
  try {
    execFileSync('umount', [dir], { stdio: 'ignore' });
  } catch {
    execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
  }
}

function sqliteSeqs(dir: string): number[] {
  const seqs: number[] = [];
  for (const day of listDayFiles(dir)) {
    const db = openDayFileForRead(dir, day)!;
    for (const row of db.prepare('SELECT seq FROM cdr').all() as { seq: number }[]) seqs.push(row.seq);
    db.close();
  }
  return seqs;
}

function jsonlSeqs(dir: string): number[] {
  const seqs: number[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.jsonl'))) {
    const text = readFileSync(join(dir, name), 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    for (const line of text.slice(0, -1).split('\n')) seqs.push((JSON.parse(line) as { seq: number }).seq);
  }
  return seqs;
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

describe.skipIf(!isRoot)('CDR sinks on a full disk (1 MB tmpfs): held, then written back', () => {
  let mnt: string;
  let other: string;
  let mounted = false;
  let sink: StoreSink | undefined;
  beforeEach(() => {
    mnt = mkdtempSync(join(tmpdir(), 'rmdgate-full-'));
    other = mkdtempSync(join(tmpdir(), 'rmdgate-backlog-'));
    mount(mnt, 'size=1m');
    mounted = true;
  });
  afterEach(async () => {
    await sink?.close();
    sink = undefined;
    if (mounted) unmount(mnt);
    mounted = false;
    rmSync(mnt, { recursive: true, force: true });
    rmSync(other, { recursive: true, force: true });
  });

  it(`answers all ${CALLS} calls, loses none, and has every CDR in SQLite and JSON lines after space returns`, async () => {
    const metrics = countingMetrics();
    const cfg = cdrConfig(mnt, { flushIntervalMs: 20, jsonl: { enabled: true }, backlog: { spoolDir: other, memoryRecords: 500, retryIntervalMs: 200 } });
    sink = await createCdrSinks(cfg, { resolvePath: (p) => p, log: silentLog, metrics, monotonicMs: () => performance.now() });
    const world = buildWorld();
    const screen = createInviteScreener({
      world: () => world, cdr: sink, metrics: { screened: () => undefined, screeningError: () => undefined }, log: silentLog,
      clock: { now: () => Date.now(), monotonicMs: () => performance.now() }, node: 'gate-1', firstSeq: 1, sipStatus: answerStatus,
    });

    const statuses: number[] = [];
    let unhealthy = false;
    for (let i = 0; i < CALLS; i++) {
      statuses.push(answerStatus(screen(buildFacts({ callId: `full-${i}`, receivedAt: Date.now() }))));
      if (i % 200 === 199) {
        await sink.flush();
        unhealthy ||= !sink.health().ok;
      }
    }
    await sink.flush();
    const heldWhileFull = { sqlite: metrics.held['sqlite']?.records ?? 0, jsonl: metrics.held['jsonl']?.records ?? 0 };
    const spooled = readdirSync(join(other, 'sqlite')).length + readdirSync(join(other, 'jsonl')).length;
    console.info(`1 MB tmpfs, ${CALLS} calls: written ${metrics.counts.written} while full; held sqlite ${heldWhileFull.sqlite}, jsonl ${heldWhileFull.jsonl}`);

    expect(statuses.filter((s) => s !== 302)).toEqual([]);
    expect(heldWhileFull.sqlite).toBeGreaterThan(0);
    expect(heldWhileFull.jsonl).toBeGreaterThan(0);
    expect(spooled).toBeGreaterThan(0);
    expect(unhealthy).toBe(true);
    expect(metrics.counts.lost).toBe(0);

    mount(mnt, 'size=64m', true);
    await waitUntil(() => metrics.counts.written === CALLS, 20_000, 'every CDR written back once space returned');
    await waitUntil(() => sink!.health().ok, 5000, 'the sinks to report healthy');
    await sink.close();
    sink = undefined;

    expect(metrics.counts).toEqual({ written: CALLS, lost: 0 });
    expect(metrics.bySink.written).toEqual({ sqlite: CALLS, jsonl: CALLS });
    expect(metrics.held).toEqual({ sqlite: { records: 0, bytes: 0 }, jsonl: { records: 0, bytes: 0 } });
    expect(sqliteSeqs(mnt).sort((a, b) => a - b)).toEqual(range(CALLS));
    expect(jsonlSeqs(mnt)).toEqual(range(CALLS));
    recordReliability(import.meta.url, {
      attack: 'CDR directory on a full 1 MB filesystem, then space freed', tried: CALLS, unit: 'calls', result: 'held',
      detail: `every call answered; held while full: sqlite ${heldWhileFull.sqlite}, jsonl ${heldWhileFull.jsonl}; all ${CALLS} in both stores after, 0 lost, every JSON line parses`,
    });
  }, 60_000);

  it('holds the CDRs written while the disk is read-only and writes them all back once it is writable again', async () => {
    // Linux refuses to remount read-only while files are open for writing, so the disk is read-only from the start.
    mount(mnt, 'size=64m,ro', true);
    const metrics = countingMetrics();
    const cfg = cdrConfig(mnt, { flushIntervalMs: 20, jsonl: { enabled: true }, backlog: { spoolDir: other, memoryRecords: 500, retryIntervalMs: 200 } });
    sink = await createCdrSinks(cfg, { resolvePath: (p) => p, log: silentLog, metrics, monotonicMs: () => performance.now() });
    const records = buildCdrs(2000, { startMs: Date.now() - 60_000, stepMs: 10 });
    for (const r of records) sink.write(r);
    await sink.flush();
    const held = { sqlite: metrics.held['sqlite']?.records ?? 0, jsonl: metrics.held['jsonl']?.records ?? 0 };
    const healthWhileReadOnly = sink.health();

    mount(mnt, 'rw', true);
    await waitUntil(() => metrics.counts.written === records.length, 20_000, 'every CDR written back once the disk was writable');
    await sink.close();
    sink = undefined;

    expect(held).toEqual({ sqlite: records.length, jsonl: records.length });
    expect(healthWhileReadOnly.ok).toBe(false);
    expect(healthWhileReadOnly.detail).toMatch(/sqlite: 2000 records \(\d+ bytes\) held for retry: .*jsonl: 2000 records/);
    expect(metrics.counts).toEqual({ written: records.length, lost: 0 });
    expect(sqliteSeqs(mnt).sort((a, b) => a - b)).toEqual(range(records.length));
    expect(jsonlSeqs(mnt)).toEqual(range(records.length));
    recordReliability(import.meta.url, {
      attack: 'CDR directory read-only, then writable', tried: records.length, unit: 'CDRs', result: 'held',
      detail: `${held.sqlite} held by sqlite and ${held.jsonl} by jsonl; all written back, 0 lost`,
    });
  }, 60_000);
});
