/**
 * Config hot reload on the real app: invalid configs keep the running one (every problem logged and counted),
 * restart-only keys are reported and not applied, new blocklists load before the swap, and the three triggers —
 * file change, SIGHUP and the admin endpoint — each reload.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { start, type App, type StartOptions } from '../../src/main.js';
import { createUdpSipClient, sipRequest } from '../support/sip-client.js';
import { configYaml, logSink, metric, rmdCsv, rows, tempDir } from '../feeds/harness.js';

const LIST = `kind: operator
source: test
entries:
  - { id: e1, rmdNumber: RMD0990001, effective: "2020-01-01" }
`;

describe('config hot reload', () => {
  let app: App | undefined;
  let tmp: ReturnType<typeof tempDir>;
  let logs: ReturnType<typeof logSink>;
  let file: string;

  afterEach(async () => {
    await app?.stop();
    app = undefined;
    tmp.cleanup();
  });

  async function boot(text: string, opts: Partial<StartOptions> = {}, env: Record<string, string> = {}): Promise<App> {
    tmp = tempDir();
    logs = logSink();
    file = join(tmp.dir, 'gate.yaml');
    writeFileSync(join(tmp.dir, 'rmd.csv'), rmdCsv(rows(10)));
    writeFileSync(join(tmp.dir, 'operator.yaml'), LIST);
    writeFileSync(file, text);
    app = await start(parseConfigText(text, file, env), { logDestination: logs.stream, defaultMetrics: false, watchConfig: false, handleSignals: false, ...opts });
    return app;
  }
  const rewrite = (text: string): string => {
    writeFileSync(file, text);
    return parseConfigText(text, file).version;
  };

  it('keeps the running config and reports every problem when the new config is invalid', async () => {
    const a = await boot(configYaml({ rmd: 'rmd.csv' }));
    const running = a.world().configVersion;
    writeFileSync(file, configYaml({ rmd: 'rmd.csv' }).replace('sources: [127.0.0.4/32]', 'sources: [127.0.0.999/32]').replace('rmdNumber: RMD0990001', 'rmdNumber: RMD1'));

    const result = await a.feeds.reload();

    expect(result).toMatchObject({ ok: false, configVersion: running });
    expect(result.problems).toEqual(expect.arrayContaining([expect.stringMatching(/^trunks\[2\]\.sources\[0\]: /), expect.stringMatching(/^providers\[0\]\.rmdNumber: /)]));
    expect(a.world().configVersion).toBe(running);
    expect(logs.find('config reload failed')).toMatchObject({ problems: result.problems, previousVersion: running });
    expect(metric(await a.metrics.registry.metrics(), 'rmdgate_config_reloads_total', { result: 'failure' })).toBe(1);
  });

  it('applies trunk changes but not listener changes, which need a restart', async () => {
    const a = await boot(configYaml({ rmd: 'rmd.csv' }));
    const port = a.sip[0]?.port ?? 0;
    const next = rewrite(configYaml({ rmd: 'rmd.csv' }).replace('port: 0 }]', 'port: 5999 }]').replace('{ id: t-listed, provider: p-listed,', '{ id: t-listed, provider: p-missing,'));

    const result = await a.feeds.reload();
    const client = await createUdpSipClient('127.0.0.2', port);
    await client.send(sipRequest({ uri: `sip:+12025550123@127.0.0.1:${port}` }));
    const response = await client.response();
    await client.close();

    expect(result).toMatchObject({ ok: true, configVersion: next, restartRequired: ['sip.listen'] });
    expect(logs.find('config change needs a restart (not applied)')).toMatchObject({ keys: ['sip.listen'] });
    expect(response.status).toBe(603);
    expect(response.get('X-Reason')).toBe('provider-not-in-rmd');
  });

  it('loads a blocklist the new config adds, and refuses a config whose new blocklist cannot be read', async () => {
    const a = await boot(configYaml({ rmd: 'rmd.csv' }));
    const withList = rewrite(configYaml({ rmd: 'rmd.csv', lists: '[{ name: operator, path: operator.yaml }]' }));

    expect(await a.feeds.reload()).toMatchObject({ ok: true, configVersion: withList });
    expect(a.world().providers.get('p-listed')?.entries.map((e) => e.id)).toEqual(['operator:e1']);

    rewrite(configYaml({ rmd: 'rmd.csv', lists: '[{ name: operator, path: operator.yaml }, { name: extra, path: missing.yaml }]' }));
    const refused = await a.feeds.reload();

    expect(refused.ok).toBe(false);
    expect(refused.problems).toEqual(['data.blocklists[1].path (missing.yaml): file not found']);
    expect(a.world().configVersion).toBe(withList);
    expect(logs.find('config reload failed')).toMatchObject({ level: 50, problems: refused.problems });
    expect(logs.lines.filter((l) => JSON.stringify(l).includes('"stack"'))).toEqual([]);
  });

  it('applies a log.level change at once: debug lines appear after a reload to debug and stop after one back to info', async () => {
    const a = await boot(configYaml({ rmd: 'rmd.csv' }));
    const debugLines = (): number => logs.lines.filter((l) => l.level === 20).length;
    await a.feeds.refresh('rmd');
    expect(debugLines()).toBe(0);

    rewrite(configYaml({ rmd: 'rmd.csv', extra: 'log: { level: debug }' }));
    expect(await a.feeds.reload()).toMatchObject({ ok: true, restartRequired: [] });
    const afterDebugReload = debugLines();
    await a.feeds.refresh('rmd');
    const whileDebug = debugLines();

    rewrite(configYaml({ rmd: 'rmd.csv', extra: 'log: { level: info }' }));
    expect(await a.feeds.reload()).toMatchObject({ ok: true, restartRequired: [] });
    const afterInfoReload = debugLines();
    await a.feeds.refresh('rmd');

    expect(whileDebug).toBeGreaterThan(afterDebugReload);
    expect(logs.find('feed not modified', { level: 20, feed: 'rmd' })).toBeDefined();
    expect(debugLines()).toBe(afterInfoReload);
  });

  it('reloads when the config file changes', async () => {
    const a = await boot(configYaml({ rmd: 'rmd.csv' }), { watchConfig: true });

    const next = rewrite(configYaml({ rmd: 'rmd.csv', mode: 'monitor' }));

    await vi.waitFor(() => expect(a.world().configVersion).toBe(next), { timeout: 5000 });
    expect(a.world().policy.mode).toBe('monitor');
  });

  it('reloads on SIGHUP', async () => {
    const a = await boot(configYaml({ rmd: 'rmd.csv' }), { handleSignals: true });
    const next = rewrite(configYaml({ rmd: 'rmd.csv', mode: 'monitor' }));

    process.emit('SIGHUP', 'SIGHUP');

    await vi.waitFor(() => expect(a.world().configVersion).toBe(next));
  });

  it('serves POST /admin/reload and POST /admin/feeds/{name}/refresh', async () => {
    const token = 'test-token-0123456789-0123456789-0123';
    const text = configYaml({ rmd: 'rmd.csv' }).replace('admin: { listen: false }', 'admin: { listen: { address: 127.0.0.1, port: 0 } }');
    const a = await boot(text, {}, { RMDGATE_ADMIN_TOKEN: token });
    const base = `http://127.0.0.1:${a.admin?.port ?? 0}`;
    const post = (path: string): Promise<Response> => fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    const next = rewrite(text.replace('mode: enforce', 'mode: monitor'));

    const reload = await post('/admin/reload');
    const refresh = await post('/admin/feeds/rmd/refresh');
    const unknown = await post('/admin/feeds/nope/refresh');

    expect(reload.status).toBe(200);
    expect(await reload.json()).toMatchObject({ ok: true, configVersion: next });
    expect(refresh.status).toBe(200);
    expect(await refresh.json()).toMatchObject({ feed: 'rmd', outcome: 'not-modified', rows: 10 });
    expect(unknown.status).toBe(404);
  });
});
