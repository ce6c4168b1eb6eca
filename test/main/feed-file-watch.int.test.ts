/**
 * Local feed files are watched like the config file: an edited list or RMD file is in force within about a second (no
 * interval wait), a broken edit is refused and the last good data stays, and a reload that moves a list to another
 * file watches the new one.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { start, type App } from '../../src/main.js';
import { configYaml, logSink, rmdCsv, rows, tempDir } from '../feeds/harness.js';

const entry = (id: string, rmd: string): string => `  - { id: ${id}, rmdNumber: ${rmd}, effective: "2020-01-01" }\n`;
const list = (...entries: string[]): string => `kind: operator\nsource: test\nentries:\n${entries.join('')}`;
/** Refresh interval far beyond the test: only the watch can bring an edit in. */
const FEEDS = { refreshMinutes: 600 };

describe('local feed file watch', () => {
  let app: App | undefined;
  let tmp: ReturnType<typeof tempDir>;
  let logs: ReturnType<typeof logSink>;

  afterEach(async () => {
    await app?.stop();
    app = undefined;
    tmp.cleanup();
  });

  async function boot(lists = '[{ name: operator, path: operator.yaml }]', extra = ''): Promise<App> {
    tmp = tempDir();
    logs = logSink();
    const file = join(tmp.dir, 'gate.yaml');
    writeFileSync(join(tmp.dir, 'rmd.csv'), rmdCsv(rows(10)));
    writeFileSync(join(tmp.dir, 'operator.yaml'), list(entry('e1', 'RMD0990001')));
    const text = configYaml({ rmd: 'rmd.csv', lists, feeds: FEEDS, extra });
    writeFileSync(file, text);
    app = await start(parseConfigText(text, file), { logDestination: logs.stream, defaultMetrics: false, watchConfig: true, handleSignals: false });
    return app;
  }
  const entriesOf = (a: App, provider: string): string[] => a.world().providers.get(provider)?.entries.map((e) => e.id) ?? [];

  it('puts an edited list in force within 2 s, and keeps the last good list when an edit is broken', async () => {
    const a = await boot();
    expect(entriesOf(a, 'p-removed')).toEqual([]);

    const edited = performance.now();
    writeFileSync(join(tmp.dir, 'operator.yaml'), list(entry('e1', 'RMD0990001'), entry('e2', 'RMD0990002')));
    await vi.waitFor(() => expect(entriesOf(a, 'p-removed')).toEqual(['operator:e2']), { timeout: 2000, interval: 20 });
    const tookMs = performance.now() - edited;

    writeFileSync(join(tmp.dir, 'operator.yaml'), `${list(entry('e1', 'RMD0990001'))}  - { id: "broken\n`);
    await vi.waitFor(() => expect(logs.find('feed candidate refused', { feed: 'operator' })).toBeDefined(), { timeout: 5000, interval: 20 });

    expect(tookMs).toBeLessThan(2000);
    expect(entriesOf(a, 'p-listed')).toEqual(['operator:e1']);
    expect(entriesOf(a, 'p-removed')).toEqual(['operator:e2']);
    expect(a.feeds.status().find((s) => s.feed === 'operator')).toMatchObject({ rows: 2, lastOutcome: 'refused' });
  });

  it('puts an edited RMD file in force without waiting for the interval', async () => {
    const a = await boot('[]');

    writeFileSync(join(tmp.dir, 'rmd.csv'), rmdCsv(rows(11)));

    await vi.waitFor(() => expect(a.feeds.status().find((s) => s.feed === 'rmd')?.rows).toBe(11), { timeout: 2000, interval: 20 });
    expect(logs.find('feed updated', { feed: 'rmd', rows: 11 })).toBeDefined();
  });

  it('watches the new file after a reload moves a list, and no longer the old one', async () => {
    const a = await boot(undefined, 'log: { level: debug }');
    writeFileSync(join(tmp.dir, 'other.yaml'), list(entry('o1', 'RMD0990001')));
    const next = configYaml({ rmd: 'rmd.csv', lists: '[{ name: operator, path: other.yaml }]', feeds: FEEDS, extra: 'log: { level: debug }' });
    writeFileSync(join(tmp.dir, 'gate.yaml'), next);
    await vi.waitFor(() => expect(entriesOf(a, 'p-listed')).toEqual(['operator:o1']), { timeout: 5000, interval: 20 });

    writeFileSync(join(tmp.dir, 'operator.yaml'), list(entry('e9', 'RMD0990002')));
    writeFileSync(join(tmp.dir, 'other.yaml'), list(entry('o1', 'RMD0990001'), entry('o2', 'RMD0990002')));

    await vi.waitFor(() => expect(entriesOf(a, 'p-removed')).toEqual(['operator:o2']), { timeout: 5000, interval: 20 });
    await new Promise((r) => setTimeout(r, 400));
    const changed = logs.lines.filter((l) => l.msg === 'feed file changed').map((l) => l['file']);
    expect(changed).toContain(join(tmp.dir, 'other.yaml'));
    expect(changed).not.toContain(join(tmp.dir, 'operator.yaml'));
  });

  it('does not watch with watchConfig off (tests and tools that drive refreshes themselves)', async () => {
    tmp = tempDir();
    logs = logSink();
    const file = join(tmp.dir, 'gate.yaml');
    writeFileSync(join(tmp.dir, 'rmd.csv'), rmdCsv(rows(10)));
    const text = configYaml({ rmd: 'rmd.csv', feeds: FEEDS });
    writeFileSync(file, text);
    app = await start(parseConfigText(text, file), { logDestination: logs.stream, defaultMetrics: false, watchConfig: false, handleSignals: false });

    writeFileSync(join(tmp.dir, 'rmd.csv'), rmdCsv(rows(11)));
    await new Promise((r) => setTimeout(r, 800));

    expect(app.feeds.status().find((s) => s.feed === 'rmd')?.rows).toBe(10);
  });
});
