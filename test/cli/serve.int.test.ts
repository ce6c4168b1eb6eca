/**
 * `rmdgate serve` as a supervisor sees it: a listener that cannot bind exits 1 with one line (no stack) and leaves
 * no process behind (RMD parser child included); SIGTERM stops it with 0; an uncaught error while serving exits 1
 * after the bounded shutdown. Every process started here carries a marker in its environment, looked up in /proc.
 */
import { createSocket, type Socket } from 'node:dgram';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testConfigYaml } from '../support/app-harness.js';
import { recordReliability } from '../support/reliability.js';
import { CLI, markedPids, startServe, type ServeProcess } from '../support/serve-process.js';

describe.runIf(existsSync(CLI))('rmdgate serve: exits as a supervisor expects', () => {
  let dir: string;
  let held: Socket | undefined;
  const runs: ServeProcess[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rmdgate-serve-'));
  });
  afterEach(() => {
    for (const r of runs.splice(0)) r.killAll();
    held?.close();
    held = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  function serve(config: string, nodeArgs: string[] = []): ServeProcess {
    const run = startServe(dir, config, nodeArgs);
    runs.push(run);
    return run;
  }

  it('exits 1 with one line when the SIP port is taken, leaving no process', async () => {
    held = createSocket('udp4');
    await new Promise<void>((resolve) => held?.bind(0, '127.0.0.1', resolve));
    const port = held.address().port;
    const run = serve(testConfigYaml(join(dir, 'cdr'), { sipPort: port, extra: '' }));

    const t0 = Date.now();
    expect(await run.exited).toBe(1);
    expect(Date.now() - t0).toBeLessThan(15_000);
    const lines = run.stderr.join('').trim().split('\n');
    expect(lines).toEqual([`rmdgate: fatal: cannot listen for SIP on udp 127.0.0.1:${port}: address already in use (EADDRINUSE)`]);
    await run.noneLeft();
    recordReliability(import.meta.url, {
      attack: 'a second gate on a taken SIP port', tried: 1, unit: 'start', result: 'held',
      detail: `exit 1 after ${Date.now() - t0} ms with one line on stderr; no process left (gate, RMD parser child)`,
    });
  });

  it('stops with 0 on SIGTERM, leaving no process', async () => {
    const run = serve(testConfigYaml(join(dir, 'cdr'), { extra: '' }));
    await run.started();
    expect(markedPids(run.mark).length).toBeGreaterThanOrEqual(2); // the gate and its RMD parser child

    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.stdout.join('')).toContain('"rmdgate stopped"');
    await run.noneLeft();
  });

  it('exits 1 after an uncaught error while serving, having stopped the gate', async () => {
    // A module preloaded into the gate's process throws from a timer once told to (SIGUSR2, sent after the gate has
    // started, however long the start takes on a loaded machine): an uncaught exception.
    const bomb = join(dir, 'bomb.mjs');
    writeFileSync(bomb, "process.on('SIGUSR2', () => setTimeout(() => { throw new Error('boom from a timer'); }, 0));\n");
    const run = serve(testConfigYaml(join(dir, 'cdr'), { extra: '' }), ['--import', bomb]);
    await run.started();
    run.child.kill('SIGUSR2');

    expect(await run.exited).toBe(1);
    expect(run.stderr.join('')).toContain('rmdgate: fatal: uncaught exception: Error: boom from a timer');
    expect(run.stdout.join('')).toContain('"rmdgate stopped"');
    await run.noneLeft();
    recordReliability(import.meta.url, {
      attack: 'an uncaught exception while serving', tried: 1, unit: 'process', result: 'held',
      detail: 'gate stopped (CDRs flushed), exit 1, no process left',
    });
  });
});
