/**
 * The log destination is bounded: while stdout does not keep up (nobody reads the pipe), lines beyond the buffer are
 * dropped and counted instead of queued without bound.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoPath } from '../support/paths.js';
import { TS_EXEC_ARGV } from '../support/ts-entry.js';
import { waitUntil } from '../support/wait.js';

describe('log destination', () => {
  it('drops and counts lines beyond its buffer while stdout is blocked, and keeps memory flat', async () => {
    const lines = 50_000; // ~50 MB of log with a 1 MiB buffer and a reader that does not read
    const child = spawn(process.execPath, [...TS_EXEC_ARGV, repoPath('test/ops/support/log-flood-child.ts'), String(lines), String(1 << 20)], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pause();
    let report = '';
    child.stderr.on('data', (b: Buffer) => (report += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      const line = await waitUntil(() => report.includes('\n') && report, 20_000, 'the child to report');
      const { dropped, rss } = JSON.parse(line) as { dropped: number; rss: number };
      expect(dropped).toBeGreaterThan(lines * 0.9);
      expect(rss).toBeLessThan(200 * 1024 * 1024);
      child.stdout.resume();
      child.stdout.on('data', () => undefined);
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  }, 30_000);
});
