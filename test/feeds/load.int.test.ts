/**
 * A data file that cannot be read is reported by the config key naming it, then the path as written in the config:
 * by `rmdgate check` (loadWorldOnce), at boot of the feed system, and by a config reload that adds it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { problemsOf } from '../../src/config/reloader.js';
import { DataFileError } from '../../src/feeds/errors.js';
import { loadWorldOnce } from '../../src/feeds/load.js';
import { toPreparedConfig } from '../../src/feeds/plan.js';
import { configYaml, rmdCsv, rows, startHarness, tempDir, type Harness } from './harness.js';

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
