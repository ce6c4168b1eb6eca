/**
 * The command tree of the built CLI (src/cli/program.ts): --help on every command and subcommand, `rmdgate --help`
 * listing them all (the list comes from the program itself), one-line usage errors with exit 2 and no stack, the
 * --json alias on every command that prints, and the time inputs as the commands read them.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteWriter } from '../../src/cdr/sqlite/writer.js';
import { allCommands, buildProgram, commandPath } from '../../src/cli/program.js';
import { AT, buildCdr } from '../support/builders.js';
import { repoPath } from '../support/paths.js';
import { runCli, type CliRun } from '../support/run-cli.js';
import { CLI } from '../support/serve-process.js';

const RMD = repoPath('config/samples/rmd.csv');

type Run = CliRun;

/** Runs the built CLI (bounded by a 20 s timeout). */
const cli = (args: string[]): Promise<Run> => runCli(args);

/** Every command path below the program ("serve", "feed diff", …), from the program itself. */
const silent = { out: () => undefined, err: () => undefined };
const program = buildProgram({ io: silent, now: () => 0, setExitCode: () => undefined });
const PATHS = allCommands(program).filter((c) => c !== program).map((c) => commandPath(c).replace(/^rmdgate /, ''));

describe.runIf(existsSync(CLI))('rmdgate command tree', () => {
  it('has the commands the README documents', () => {
    expect(PATHS).toEqual(['serve', 'check', 'schema', 'traceback', 'whatif', 'feed', 'feed accept', 'feed diff', 'feed status', 'feed refresh', 'status', 'reload']);
  });

  it('lists every command and subcommand in rmdgate --help (exit 0, stdout)', async () => {
    const r = await cli(['--help']);

    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    for (const path of PATHS) expect(r.out).toMatch(new RegExp(`^ {2}${path} `, 'm'));
    expect(r.out).toContain('Exit codes: 0 ok; 1 runtime failure');
  });

  it.each(PATHS)('answers "%s --help" with its usage on stdout, exit 0', async (path) => {
    const r = await cli([...path.split(' '), '--help']);

    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toContain(`Usage: rmdgate ${path}`);
  });

  it.each(PATHS)('refuses an unknown option of "%s" with one line and exit 2', async (path) => {
    const r = await cli([...path.split(' '), '--no-such-option']);

    expect(r.code).toBe(2);
    // A command with a required option reports that one first (commander checks it before unknown options).
    const what = path === 'feed accept' ? "required option '--feed <name>' not specified" : "unknown option '--no-such-option'";
    expect(r.err.trimEnd().split('\n')).toEqual([`rmdgate ${path}: error: ${what} (see rmdgate ${path} --help)`]);
    expect(r.out).toBe('');
  });

  it.each([
    { name: 'a missing required option', args: ['feed', 'accept', '--config', 'x.yaml'], line: "rmdgate feed accept: error: required option '--feed <name>' not specified (see rmdgate feed accept --help)" },
    { name: 'an unknown format', args: ['check', '--format', 'xml'], line: "rmdgate check: error: option '--format <format>' argument 'xml' is invalid. Allowed choices are table, json. (see rmdgate check --help)" },
    { name: 'an unknown command', args: ['statsu'], line: "rmdgate: error: unknown command 'statsu' (Did you mean status?) (see rmdgate --help)" },
    { name: 'an unknown zone with a Z time', args: ['traceback', '--config', 'x.yaml', '--calling', '3035550100', '--called', '2025550123', '--at', '2026-11-20T19:03:00Z', '--tz', 'Mars/Olympus'], line: 'rmdgate traceback: error: --at: unknown time zone "Mars/Olympus": expected an IANA zone name such as America/New_York or UTC (see rmdgate traceback --help)' },
    { name: 'a missing snapshot file', args: ['feed', 'diff', 'no-such-old.csv', 'no-such-new.csv'], line: 'rmdgate feed diff: error: cannot read snapshot no-such-old.csv: no such file (see rmdgate feed diff --help)' },
    { name: 'a bad duration', args: ['whatif', '--config', 'x.yaml', '--since', '7 fortnights'], line: 'rmdgate whatif: error: --since: invalid time "7 fortnights": expected ISO 8601 (2026-11-20T14:03:00-05:00, or without zone in --tz, default UTC), now, today, yesterday, an offset such as -2h, +1d or "30m ago", or epoch seconds (10 digits) or ms (13 digits) (see rmdgate whatif --help)' },
  ])('exits 2 with one line and no stack for $name', async ({ args, line }) => {
    const r = await cli(args);

    expect(r.code).toBe(2);
    expect(r.err.trimEnd().split('\n')).toEqual([line]);
    expect(r.err).not.toContain('    at ');
  });

  it('prints the version', async () => {
    const r = await cli(['--version']);

    expect(r.code).toBe(0);
    expect(r.out.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('prints help for schema, and the schema without it', async () => {
    const help = await cli(['schema', '--help']);
    const schema = await cli(['schema']);

    expect(help.out).toContain('Usage: rmdgate schema');
    expect(help.out).not.toContain('"$schema"');
    expect(JSON.parse(schema.out)).toHaveProperty('$schema');
  });
});

describe.runIf(existsSync(CLI))('rmdgate output and time options on real files', () => {
  let dir: string;
  const f = (name: string): string => join(dir, name);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rmdgate-cli-program-'));
    writeFileSync(f('gate.yaml'), `node: { id: gate-t }
sip: { defaultRoute: ["sip:127.0.0.1:5070"] }
data: { rmd: { path: ${JSON.stringify(RMD)} } }
providers:
  - { id: harborline, name: Harborline Communications LLC, rmdNumber: RMD0990001, frn: "0099000001" }
trunks:
  - { id: harborline-1, provider: harborline, sources: [203.0.113.10/32] }
cdr: { dir: cdr }
feeds: { stateDir: state }
ops: { listen: false }
admin: { listen: false }
`);
    const writer = createSqliteWriter({ dir: f('cdr') });
    writer.write([buildCdr({ trunkId: 'harborline-1', providerId: 'harborline', seq: 1, receivedAtMs: AT })].map((r) => ({ r })));
    writer.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    { name: 'check', args: () => ['check', '--config', f('gate.yaml')] },
    { name: 'feed status', args: () => ['feed', 'status', '--config', f('gate.yaml')] },
    { name: 'feed diff', args: () => ['feed', 'diff', RMD, RMD, '--at', '2026-11-20'] },
    { name: 'whatif', args: () => ['whatif', '--config', f('gate.yaml'), '--since', '2026-11-01', '--until', '2026-12-01'] },
    { name: 'traceback', args: () => ['traceback', '--config', f('gate.yaml'), '--calling', '3035550100', '--called', '2025550123', '--at', '2026-11-20T19:03:00Z'] },
  ])('$name: --json prints what --format json prints', async ({ args }) => {
    const a = await cli([...args(), '--json']);
    const b = await cli([...args(), '--format', 'json']);

    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    expect(JSON.parse(a.out)).toEqual(JSON.parse(b.out));
  });

  // The since/until the replay used, as the JSON report states them (the store holds one call at AT).
  it.each([
    { since: '2026-11-20', until: '2026-11-21', tz: undefined, from: '2026-11-20T00:00:00.000Z', to: '2026-11-21T00:00:00.000Z', replayed: 1 },
    { since: '2026-11-20T14:00', until: '2026-11-20T14:05', tz: 'America/New_York', from: '2026-11-20T19:00:00.000Z', to: '2026-11-20T19:05:00.000Z', replayed: 1 },
    { since: '1795633200', until: '1795633500000', tz: undefined, from: '2026-11-25T19:00:00.000Z', to: '2026-11-25T19:05:00.000Z', replayed: 0 },
    { since: '2026-11-20T19:02:00+00:00', until: '2026-11-20T19:04:00Z', tz: 'Europe/Paris', from: '2026-11-20T19:02:00.000Z', to: '2026-11-20T19:04:00.000Z', replayed: 1 },
  ])('whatif --since $since --until $until (tz $tz) replays $from to $to', async ({ since, until, tz, from, to, replayed }) => {
    const r = await cli(['whatif', '--config', f('gate.yaml'), '--since', since, '--until', until, ...(tz ? ['--tz', tz] : []), '--json']);

    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ since: from, until: to, replayed });
  });

  it.each([
    { since: '7d', ago: 7 * 86_400_000 },
    { since: '-36h', ago: 36 * 3_600_000 },
    { since: '90m ago', ago: 90 * 60_000 },
  ])('whatif --since $since counts back from now', async ({ since, ago }) => {
    const before = Date.now();
    const r = await cli(['whatif', '--config', f('gate.yaml'), '--since', since, '--json']);
    const report = JSON.parse(r.out) as { since: string; until: string };

    expect(r.code).toBe(0);
    expect(Date.parse(report.until) - Date.parse(report.since)).toBe(ago);
    expect(Date.parse(report.until)).toBeGreaterThanOrEqual(before - 1);
  });

  it('writes CSV for whatif and feed status with --format csv', async () => {
    const w = await cli(['whatif', '--config', f('gate.yaml'), '--since', '2026-11-01', '--until', '2026-12-01', '--format', 'csv']);
    const s = await cli(['feed', 'status', '--config', f('gate.yaml'), '--format', 'csv']);

    expect(w.code).toBe(0);
    expect(w.out.trim()).toBe('change,trunk,provider,before,after,calls,examples'); // the same config decides alike
    expect(s.code).toBe(0);
    expect(s.out.trim().split('\n')).toEqual([
      'feed,source,rows,snapshot_id,verified_at,age_hours,error,pending_code,pending_reason,pending_rows,pending_accepted',
      `rmd,${RMD},,,,,,,,,`,
    ]);
  });

  it('reports an internal error in one line, with the stack only under --debug (exit 1 both ways)', async () => {
    const args = ['whatif', '--config', f('gate.yaml'), '--since', '1d', '--store-dir', f('gate.yaml')]; // a file, not a directory
    const plain = await cli(args);
    const debug = await cli([...args, '--debug']);

    expect(plain.code).toBe(1);
    expect(plain.err.trimEnd().split('\n')).toEqual([expect.stringMatching(/^rmdgate: fatal: ENOTDIR: not a directory/)]);
    expect(debug.code).toBe(1);
    expect(debug.err).toMatch(/^rmdgate: fatal: Error: ENOTDIR: not a directory/);
    expect(debug.err).toContain('    at ');
  });

  it('answers a traceback at an epoch time, and says no-match for "now"', async () => {
    const epoch = await cli(['traceback', '--config', f('gate.yaml'), '--calling', '3035550100', '--called', '2025550123', '--at', String(AT / 1000), '--json']);
    const now = await cli(['traceback', '--config', f('gate.yaml'), '--calling', '3035550100', '--called', '2025550123', '--at', 'now', '--json']);

    expect(JSON.parse(epoch.out)).toMatchObject({ status: 'match' });
    expect(JSON.parse(now.out)).toMatchObject({ status: 'no-match' });
  });
});
