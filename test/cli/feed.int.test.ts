/**
 * `rmdgate feed`: diff of two snapshot files (all filings or configured providers; md or json), accept with nothing
 * pending, status of the state dir, and the command wired into the built CLI.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { feedCommand } from '../../src/cli/feed.js';
import { configYaml, rmdCsv, rows, tempDir } from '../feeds/harness.js';
import { repoPath } from '../support/paths.js';

const CLI = repoPath('dist/cli.js');
const AT = ['--at', '2026-04-01'];

describe('rmdgate feed', () => {
  let tmp: ReturnType<typeof tempDir>;
  let out: string[];
  let err: string[];
  const io = { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) };
  const file = (name: string): string => join(tmp.dir, name);

  beforeEach(() => {
    tmp = tempDir();
    out = [];
    err = [];
    writeFileSync(file('old.csv'), rmdCsv(rows(5)));
    const next = rows(6).filter((r) => r.number !== 'RMD0990002').map((r) => (r.number === 'RMD0990001' ? { ...r, implementation: 'No STIR/SHAKEN Implementation - Performing Robocall Mitigation' } : r));
    writeFileSync(file('new.csv.gz'), gzipSync(rmdCsv(next, { bom: true })));
    writeFileSync(file('gate.yaml'), configYaml({ rmd: 'old.csv' }));
  });
  afterEach(() => tmp.cleanup());

  it('diffs every filing of two snapshots as Markdown (gzip and BOM accepted)', async () => {
    const code = await feedCommand(['diff', file('old.csv'), file('new.csv.gz'), ...AT], io);

    expect(code).toBe(0);
    const md = out.join('\n');
    expect(md).toContain('- scope: all filings');
    expect(md).toContain('- Removed from the RMD (`removed`): 1');
    expect(md).toContain('- Newly listed (`listed`): 1');
    expect(md).toContain('| RMD0990001 | 0099000001 | Provider RMD0990001 LLC | implementation | complete | none |');
  });

  it('diffs only configured providers as JSON with --config', async () => {
    const code = await feedCommand(['diff', file('old.csv'), file('new.csv.gz'), '--config', file('gate.yaml'), '--format', 'json', ...AT], io);
    const report = JSON.parse(out.join('\n')) as { scope: string; changes: { kind: string; providerId: string }[] };

    expect(code).toBe(0);
    expect(report.scope).toBe('configured');
    expect(report.changes.map((c) => `${c.kind}:${c.providerId}`)).toEqual(['implementation-changed:p-listed', 'removed:p-removed']);
  });

  it.each([
    { name: 'a bad --format', args: ['diff', 'a', 'b', '--format', 'xml'], message: "rmdgate feed diff: error: option '--format <format>' argument 'xml' is invalid. Allowed choices are md, json." },
    { name: 'one file only', args: ['diff', 'a'], message: "rmdgate feed diff: error: missing required argument 'new'" },
    { name: 'an unknown subcommand', args: ['frobnicate'], message: "rmdgate feed: error: unknown command 'frobnicate'" },
    { name: 'accept without --feed', args: ['accept', '--config', 'x.yaml'], message: "rmdgate feed accept: error: required option '--feed <name>' not specified" },
    { name: 'a missing snapshot file', args: ['diff', 'missing-old.csv', 'b'], message: 'rmdgate feed diff: error: cannot read snapshot missing-old.csv: no such file' },
  ])('exits 2 with one line on $name', async ({ args, message }) => {
    expect(await feedCommand(args, io)).toBe(2);
    expect(err).toHaveLength(1);
    expect(err[0]).toContain(message);
  });

  it('exits 1 when there is no candidate to accept', async () => {
    expect(await feedCommand(['accept', '--config', file('gate.yaml'), '--feed', 'rmd'], io)).toBe(1);
    expect(err.join('\n')).toContain('rmd: no refused candidate is pending');
  });

  it('says so in JSON with --json', async () => {
    expect(await feedCommand(['accept', '--config', file('gate.yaml'), '--feed', 'rmd', '--json'], io)).toBe(1);
    expect(JSON.parse(out.join('\n'))).toEqual({ feed: 'rmd', accepted: false, stateDir: file('state') });
  });

  it('shows the state dir', async () => {
    expect(await feedCommand(['status', '--config', file('gate.yaml'), '--json'], io)).toBe(0);
    expect(JSON.parse(out.join('\n'))).toMatchObject({ stateDir: file('state'), feeds: [{ feed: 'rmd', rows: null, pending: null }] });
  });

  it.runIf(existsSync(CLI))('is wired into the built CLI', () => {
    const run = spawnSync(process.execPath, [CLI, 'feed', 'diff', file('old.csv'), file('new.csv.gz'), ...AT], { encoding: 'utf8', timeout: 20_000 });

    expect(run.status).toBe(0);
    expect(run.stdout).toContain('# RMD diff');
  });
});
