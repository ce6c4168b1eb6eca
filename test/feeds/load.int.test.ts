/**
 * loadWorldOnce, what `check` and `whatif` load, over real files: designation entries in force and the removal grace
 * persisted by a running gate are reported and decided exactly as the live gate does (providerStanding and decide()).
 * A data file that cannot be read is reported by the config key naming it, then the path as written in the config:
 * by `rmdgate check` (loadWorldOnce), at boot of the feed system, and by a config reload that adds it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { replayCalls } from '../../src/cdr/whatif/replay.js';
import { loadConfig } from '../../src/config/index.js';
import { parseConfigText } from '../../src/config/load.js';
import { problemsOf } from '../../src/config/reloader.js';
import { DataFileError } from '../../src/feeds/errors.js';
import { loadWorldOnce } from '../../src/feeds/load.js';
import { toPreparedConfig } from '../../src/feeds/plan.js';
import { decide, type Decision } from '../../src/screening/index.js';
import { buildCdr, buildFacts } from '../support/builders.js';
import { stored } from '../support/fakes.js';
import { configYaml, HOUR_MS, rmdCsv, rows, startHarness, tempDir, type Harness } from './harness.js';

const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
const DAY = 24 * HOUR_MS;
const ymd = (t: number): string => new Date(t).toISOString().slice(0, 10);
const outcome = (d: Decision): string => (d.kind === 'reject' ? `reject ${d.reason}` : d.wouldBlock ? `would-block ${d.reason ?? ''}` : 'allow');

describe('loadWorldOnce: what check and whatif report is what the live gate decides', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
    writeFileSync(join(tmp.dir, 'rmd.csv'), rmdCsv(rows(3).filter((r) => r.number !== 'RMD0990002')));
  });
  afterEach(() => tmp.cleanup());

  const writeConfig = (lists = '[]'): string => {
    const file = join(tmp.dir, 'gate.yaml');
    writeFileSync(file, configYaml({ rmd: 'rmd.csv', lists }));
    return file;
  };
  const writeGrace = (providers: Record<string, unknown>): void => {
    mkdirSync(join(tmp.dir, 'state'), { recursive: true });
    writeFileSync(join(tmp.dir, 'state', 'grace.json'), JSON.stringify({ providers }));
  };

  it.each([
    { name: 'expired yesterday', effective: NOW - 30 * DAY, expires: NOW - DAY + 1, designated: false },
    { name: 'expiring tomorrow', effective: NOW - 30 * DAY, expires: NOW + DAY, designated: true },
    { name: 'not yet effective', effective: NOW + DAY, expires: undefined, designated: false },
    { name: 'effective today, never expiring', effective: NOW - HOUR_MS, expires: undefined, designated: true },
  ])('lists an entry $name as a designation: $designated', async ({ effective, expires, designated }) => {
    writeFileSync(join(tmp.dir, 'op.csv'), `id,kind,rmd_number,frn,name,source,effective,expires,note\nhold,operator,RMD0990001,,,ticket 1,${ymd(effective)},${expires === undefined ? '' : ymd(expires)},\n`);
    const loaded = await loadConfig(writeConfig('[{ name: op, path: op.csv, kind: operator }]'));

    const { summary, world } = await loadWorldOnce(loaded, { now: NOW });

    expect(summary.providersDesignated).toEqual(designated ? [{ id: 'p-listed', entries: ['op:hold'] }] : []);
    expect(outcome(decide(buildFacts({ sourceAddress: '127.0.0.2', receivedAt: NOW }), world))).toBe(designated ? 'reject provider-designated' : 'allow');
  });

  it('reports a provider in removal grace with its grace end and last RMD number, as the live decision lets it through', async () => {
    writeGrace({ 'p-removed': { since: NOW - 2 * HOUR_MS, rmdNumber: 'RMD0990002' }, 'p-missing': NOW - 60 * HOUR_MS });
    const loaded = await loadConfig(writeConfig());

    const { summary, world } = await loadWorldOnce(loaded, { now: NOW });

    expect(summary.providersMissingFromRmd).toEqual([
      { id: 'p-removed', name: 'Removed Voice LLC', rmdNumber: 'RMD0990002', frn: '0099000002', graceEndsAt: new Date(NOW + 46 * HOUR_MS).toISOString() },
      { id: 'p-missing', name: 'Missing Voice LLC', rmdNumber: undefined, frn: '0099000099' },
    ]);
    expect(outcome(decide(buildFacts({ sourceAddress: '127.0.0.3', receivedAt: NOW }), world))).toBe('would-block provider-not-in-rmd');
    expect(outcome(decide(buildFacts({ sourceAddress: '127.0.0.4', receivedAt: NOW }), world))).toBe('reject provider-not-in-rmd');
  });

  it('names the state file when the grace state is not JSON', async () => {
    mkdirSync(join(tmp.dir, 'state'), { recursive: true });
    writeFileSync(join(tmp.dir, 'state', 'grace.json'), '{ nope');
    const loaded = await loadConfig(writeConfig());

    await expect(loadWorldOnce(loaded, { now: NOW })).rejects.toThrow(expect.objectContaining({
      name: 'DataFileError', message: `${join(tmp.dir, 'state', 'grace.json')}: cannot read the removal grace state: not JSON`,
    }));
  });

  it('whatif: replays calls of a provider in grace as the live gate decided them (would-block), not as now blocked', async () => {
    writeGrace({ 'p-removed': { since: NOW - 2 * HOUR_MS, rmdNumber: 'RMD0990002' } });
    const loaded = await loadConfig(writeConfig());
    const call = (seq: number, at: number) => stored(buildCdr({
      seq, callId: `c${seq}`, receivedAtMs: at, sourceAddress: '127.0.0.3', trunkId: 't-removed', providerId: 'p-removed',
      decision: 'allow', wouldBlock: true, reason: 'provider-not-in-rmd',
    }));

    const { world } = await loadWorldOnce(loaded, { now: NOW, grace: 'replay' });
    const report = replayCalls([call(1, NOW - HOUR_MS), call(2, NOW + 45 * HOUR_MS), call(3, NOW + 47 * HOUR_MS)], world, { narrowing: false });

    expect(report).toMatchObject({ replayed: 3, unchanged: 2, nowBlocked: 1 });
    expect(report.groups).toEqual([expect.objectContaining({ change: 'now-blocked', providerId: 'p-removed', examples: ['c3'] })]);
  });

  it('whatif with a candidate RMD that drops a listed provider: its calls pass under the grace the swap would start', async () => {
    writeFileSync(join(tmp.dir, 'candidate.csv'), rmdCsv(rows(3).filter((r) => r.number === 'RMD0990003')));
    const loaded = await loadConfig(writeConfig());
    const call = stored(buildCdr({ seq: 1, callId: 'c1', receivedAtMs: NOW - DAY, sourceAddress: '127.0.0.2', trunkId: 't-listed', providerId: 'p-listed' }));

    const graced = await loadWorldOnce(loaded, { now: NOW, rmdPath: join(tmp.dir, 'candidate.csv'), grace: 'replay' });
    const report = replayCalls([call], graced.world, { narrowing: false });

    expect(report).toMatchObject({ replayed: 1, nowBlocked: 0, changed: 1 });
    expect(report.groups[0]).toMatchObject({ change: 'changed', from: 'allow', to: 'would-block:provider-not-in-rmd' });
    expect(graced.world.rmdGrace?.get('p-listed')).toEqual({ endsAt: NOW + 48 * HOUR_MS, rmdNumber: 'RMD0990001' });
  });
});

const LIST = 'id,kind,name,source,effective\nk-1,k4,Fixture One LLC,DA 26-1,2026-01-01\n';
const LISTS = '[{ name: ok, path: lists/ok.csv, kind: k4 }, { name: gone, path: lists/gone.csv, kind: k4 }]';

describe('a missing data file is reported by its config key', () => {
  let tmp: ReturnType<typeof tempDir>;
  let h: Harness | undefined;

  beforeEach(() => {
    tmp = tempDir();
    writeFileSync(join(tmp.dir, 'rmd.csv'), rmdCsv(rows(3)));
  });
  afterEach(async () => {
    await h?.stop();
    h = undefined;
    tmp.cleanup();
  });

  const writeList = (): void => {
    mkdirSync(join(tmp.dir, 'lists'), { recursive: true });
    writeFileSync(join(tmp.dir, 'lists', 'ok.csv'), LIST);
  };

  it('by rmdgate check (loadWorldOnce): key, then the path as written, then why', async () => {
    writeList();
    const file = join(tmp.dir, 'gate.yaml');
    const loaded = parseConfigText(configYaml({ rmd: 'rmd.csv', lists: LISTS }), file);

    const err = await loadWorldOnce(loaded, { now: Date.UTC(2026, 3, 1) }).then(() => undefined, (e: unknown) => e);

    expect(err).toBeInstanceOf(DataFileError);
    expect((err as Error).message).toBe('data.blocklists[1].path (lists/gone.csv): file not found');
    expect(problemsOf(err)).toEqual(['data.blocklists[1].path (lists/gone.csv): file not found']);
  });

  it('names the RMD file by data.rmd.path', async () => {
    const loaded = parseConfigText(configYaml({ rmd: 'exports/rmd-today.csv' }), join(tmp.dir, 'gate.yaml'));

    await expect(loadWorldOnce(loaded, { now: 0 })).rejects.toThrow(/^data\.rmd\.path \(exports\/rmd-today\.csv\): file not found$/);
  });

  it('at boot of the feed system', async () => {
    writeList();

    const err = await startHarness(tmp.dir, configYaml({ rmd: 'rmd.csv', lists: LISTS })).then((started) => ((h = started), undefined), (e: unknown) => e);

    expect((err as Error).message).toBe('data.blocklists[1].path (lists/gone.csv): file not found');
  });

  it('by a config reload that adds the list (every problem line names the key)', async () => {
    writeList();
    h = await startHarness(tmp.dir, configYaml({ rmd: 'rmd.csv', lists: '[{ name: ok, path: lists/ok.csv, kind: k4 }]' }));
    const next = parseConfigText(configYaml({ rmd: 'rmd.csv', lists: LISTS }), h.configFile);

    const err = await h.system.apply(toPreparedConfig(next.config, next.version, next.resolvePath)).then(() => undefined, (e: unknown) => e);

    expect(problemsOf(err)).toEqual(['data.blocklists[1].path (lists/gone.csv): file not found']);
  });

  it('keeps the path-first form for a file given outside the config (the --rmd of whatif)', async () => {
    const loaded = parseConfigText(configYaml({ rmd: 'rmd.csv' }), join(tmp.dir, 'gate.yaml'));
    const other = join(tmp.dir, 'candidate.csv');

    await expect(loadWorldOnce(loaded, { now: 0, rmdPath: other })).rejects.toThrow(`${other}: cannot read data file: file not found`);
  });
});
