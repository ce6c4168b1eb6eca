/**
 * The reloader with fakes: restart-only keys kept at running values, every problem reported, reloads serialised.
 */
import { describe, expect, it } from 'vitest';
import { createConfigReloader, problemsOf, withRunningValues, type ConfigReloaderDeps } from '../../src/config/reloader.js';
import { type ConfigFile } from '../../src/config/schema.js';
import { ConfigError, parseConfig } from '../../src/config/parse.js';
import { recordingLog } from '../support/fakes.js';

const base = {
  sip: { defaultRoute: ['sip:127.0.0.1:5070'], listen: [{ transport: 'udp', address: '127.0.0.1', port: 5060 }] },
  data: { rmd: { path: 'rmd.csv' } },
  providers: [{ id: 'p', name: 'P LLC', rmdNumber: 'RMD0000001' }],
  trunks: [{ id: 't', provider: 'p', sources: ['192.0.2.1/32'] }],
};
const cfg = (patch: (c: Record<string, any>) => void = () => undefined): ConfigFile => {
  const raw = structuredClone(base) as Record<string, any>;
  patch(raw);
  return parseConfig(raw);
};

describe('withRunningValues', () => {
  it('keeps listener, admin and state-dir values from the running config and names them; applies log.level', () => {
    const running = cfg();
    const next = cfg((c) => {
      c['sip'].listen = [{ transport: 'udp', address: '127.0.0.1', port: 5999 }];
      c['log'] = { level: 'debug' };
      c['feeds'] = { stateDir: 'elsewhere' };
      c['mode'] = 'monitor';
      c['admin'] = { listen: false };
    });

    const { effective, restartRequired } = withRunningValues(next, running);

    expect(restartRequired).toEqual(['admin', 'sip.listen', 'feeds.stateDir']);
    expect(effective.log.level).toBe('debug');
    expect(effective.admin).toEqual(running.admin);
    expect(effective.sip.listen).toEqual(running.sip.listen);
    expect(effective.feeds.stateDir).toBe(running.feeds.stateDir);
    expect(effective.mode).toBe('monitor');
  });
});

describe('problemsOf', () => {
  it('lists every ConfigError problem with its path', () => {
    expect(problemsOf(new ConfigError([{ path: 'trunks[0].sources[0]', message: 'bad' }, { path: 'mode', message: 'worse' }]))).toEqual(['trunks[0].sources[0]: bad', 'mode: worse']);
  });
});

describe('createConfigReloader', () => {
  function harness(load: ConfigReloaderDeps['load'], apply?: ConfigReloaderDeps['apply']) {
    const lines: { level: string; obj: object; msg: string | undefined }[] = [];
    const counts: string[] = [];
    const levels: string[] = [];
    let current = 'v0';
    const order: string[] = [];
    const reloader = createConfigReloader({
      load, running: cfg(), log: recordingLog(lines), setLogLevel: (level) => void levels.push(level),
      metrics: { reloaded: (r) => void counts.push(r), configInForce: (v) => void counts.push(`in force ${v}`) },
      currentVersion: () => current,
      apply: apply ?? (async (_config, version) => {
        order.push(`start ${version}`);
        await new Promise((r) => setImmediate(r));
        current = version;
        order.push(`end ${version}`);
      }),
    });
    return { reloader, lines, counts, order, levels };
  }

  it('applies a valid config, counts success and reports the config in force', async () => {
    const h = harness(async () => ({ config: cfg(), version: 'v1' }));

    expect(await h.reloader.reload()).toEqual({ ok: true, configVersion: 'v1', previousVersion: 'v0', restartRequired: [], problems: [] });
    expect(h.counts).toEqual(['success', 'in force v1']);
    expect(h.lines.find((l) => l.msg === 'config reloaded')?.obj).toMatchObject({ configVersion: 'v1', previousVersion: 'v0' });
  });

  it('keeps the running config, logs every problem and counts a failure when loading fails', async () => {
    const h = harness(async () => Promise.reject(new ConfigError([{ path: 'a', message: 'x' }, { path: 'b', message: 'y' }])));

    const result = await h.reloader.reload();

    expect(result).toMatchObject({ ok: false, configVersion: 'v0', problems: ['a: x', 'b: y'] });
    expect(h.counts).toEqual(['failure']);
    expect(h.lines.find((l) => l.msg === 'config reload failed')?.obj).toMatchObject({ problems: ['a: x', 'b: y'] });
  });

  it('logs a refused config as one error line with its problems and no stack', async () => {
    const h = harness(async () => Promise.reject(new ConfigError([{ path: 'a', message: 'x' }, { path: 'b', message: 'y' }])));

    await h.reloader.reload();

    expect(h.lines).toEqual([{ level: 'error', msg: 'config reload failed', obj: { problems: ['a: x', 'b: y'], previousVersion: 'v0' } }]);
  });

  it('logs an unexpected failure as one error line with the reason, and its stack only at debug level', async () => {
    const bug = new TypeError('cannot read properties of undefined');
    const h = harness(async () => ({ config: cfg(), version: 'v1' }), async () => Promise.reject(bug));

    const result = await h.reloader.reload();

    expect(result.problems).toEqual(['cannot read properties of undefined']);
    expect(h.lines.map((l) => l.level)).toEqual(['error', 'debug']);
    expect(h.lines[0]).toEqual({ level: 'error', msg: 'config reload failed', obj: { problems: ['cannot read properties of undefined'], previousVersion: 'v0' } });
    expect(h.lines[1]?.obj).toEqual({ err: bug });
  });

  it('sets the log level of a config it applied, and not of one it refused', async () => {
    let next: ConfigFile = cfg((c) => void (c['log'] = { level: 'debug' }));
    const h = harness(async () => ({ config: next, version: 'v1' }));

    expect(await h.reloader.reload()).toMatchObject({ ok: true, restartRequired: [] });
    next = cfg((c) => void (c['log'] = { level: 'warn' }));
    const h2 = harness(async () => ({ config: next, version: 'v2' }), async () => Promise.reject(new ConfigError([{ path: 'x', message: 'y' }])));
    await h2.reloader.reload();

    expect(h.levels).toEqual(['debug']);
    expect(h2.levels).toEqual([]);
  });

  it('runs concurrent reloads one after the other', async () => {
    let n = 0;
    const h = harness(async () => ({ config: cfg(), version: `v${++n}` }));

    await Promise.all([h.reloader.reload(), h.reloader.reload()]);

    expect(h.order).toEqual(['start v1', 'end v1', 'start v2', 'end v2']);
  });
});
