/**
 * Disk full, for real: the SQLite store lives on a 2 MB tmpfs (needs root and mount; skipped with a notice
 * otherwise — the unit test sqlite-writer.test.ts covers SQLITE_FULL everywhere via max_page_count).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCdrSinks } from '../../../src/cdr/sinks.js';
import type { StoreSink } from '../../../src/cdr/ports.js';
import { answerStatus } from '../../../src/sip/shared/sip-reply.js';
import { createInviteScreener } from '../../../src/screening/screen-invite.js';
import { buildFacts, buildWorld } from '../../support/builders.js';
import { cdrConfig } from '../support/cdr-config.js';
import { countingMetrics, recordingLog, silentLog } from '../../support/fakes.js';

function mountTmpfs(dir: string, size: string, remount = false): boolean {
  try {
    execFileSync('mount', remount ? ['-o', `remount,size=${size}`, dir] : ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const mnt = mkdtempSync(join(tmpdir(), 'rmdgate-full-'));
const mounted = process.getuid?.() === 0 && mountTmpfs(mnt, '2m');
if (!mounted) rmSync(mnt, { recursive: true, force: true });
if (!mounted) console.warn('NOTICE: skipping the tmpfs disk-full test: needs root and `mount -t tmpfs` (unit test covers SQLITE_FULL)');

describe.skipIf(!mounted)('sqlite CDR store on a full disk (2 MB tmpfs)', () => {
  let sink: StoreSink | undefined;
  afterAll(async () => {
    await sink?.close();
    try {
      execFileSync('umount', [mnt], { stdio: 'ignore' });
    } catch {
      execFileSync('umount', ['-l', mnt], { stdio: 'ignore' });
    }
    rmSync(mnt, { recursive: true, force: true });
  });

  it('keeps deciding calls, counts and alarms the loss as write-error, and resumes writing when space returns', async () => {
    const metrics = countingMetrics();
    const logs: { level: string; msg: string | undefined; obj: object }[] = [];
    sink = await createCdrSinks(cdrConfig(mnt, { flushIntervalMs: 20 }), { resolvePath: (p) => p, log: recordingLog(logs), metrics, monotonicMs: () => performance.now(), unhealthyForMs: 300 });
    const world = buildWorld();
    const screen = createInviteScreener({
      world: () => world, cdr: sink!, metrics: { screened: () => undefined, screeningError: () => undefined }, log: silentLog,
      clock: { now: () => Date.now(), monotonicMs: () => performance.now() }, node: 'gate-1', firstSeq: 1, sipStatus: answerStatus,
    });
    const decideCalls = (n: number): number[] => Array.from({ length: n }, (_, i) => answerStatus(screen(buildFacts({ callId: `full-${i}`, receivedAt: Date.now() }))));

    const statuses: number[] = [];
    let unhealthy = false;
    for (let round = 0; round < 200 && (metrics.lostBy['write-error'] ?? 0) === 0; round++) {
      statuses.push(...decideCalls(500));
      await sink.flush();
      unhealthy ||= !sink.health().ok;
    }
    const lostWhileFull = metrics.lostBy['write-error'] ?? 0;
    expect(lostWhileFull).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 302)).toBe(true);
    expect(unhealthy).toBe(true);
    expect(logs.some((l) => l.level === 'error' && l.msg === 'cdr store write failed; records lost')).toBe(true);

    expect(mountTmpfs(mnt, '64m', true)).toBe(true);
    const writtenBefore = metrics.counts.written;
    decideCalls(1000);
    await sink.flush();
    for (let i = 0; i < 50 && !sink.health().ok; i++) await new Promise((r) => setTimeout(r, 100));
    const healthAfter = sink.health();
    await sink.close();
    sink = undefined;

    expect(metrics.counts.written - writtenBefore).toBe(1000);
    expect(metrics.lostBy['write-error']).toBe(lostWhileFull);
    expect(healthAfter.ok).toBe(true);
  }, 60_000);
});
