/**
 * The diff report over a fixture pair with every kind of change (test/fixtures/rmd/diff-old.csv → diff-new.csv), read
 * through the RMD parser: every changed field is reported with its before and after, a formatting-only phone change is
 * none, and — generically — each summary count equals the rows of its section, in Markdown and JSON.
 */
import { describe, expect, it } from 'vitest';
import { loadRmdFile } from '../../../src/feeds/load.js';
import { RMD_CHANGE_KINDS, diffRmd, type RmdDiff } from '../../../src/feeds/rmd/diff.js';
import { toDiffJson, toDiffMarkdown } from '../../../src/feeds/rmd/diff-report.js';
import { repoPath } from '../../support/paths.js';

const APRIL_2026 = Date.UTC(2026, 3, 1);

async function fixtureDiff(): Promise<RmdDiff> {
  const [old, next] = await Promise.all([loadRmdFile(repoPath('test/fixtures/rmd/diff-old.csv'), APRIL_2026), loadRmdFile(repoPath('test/fixtures/rmd/diff-new.csv'), APRIL_2026)]);
  return diffRmd(old, next, { oldAt: APRIL_2026, newAt: APRIL_2026 });
}

/** The Markdown report's summary counts and its sections' headings and table rows, by section title. */
function sectionsOf(md: string): { summary: Map<string, number>; sections: Map<string, { heading: number; rows: number }> } {
  const summary = new Map<string, number>();
  for (const m of md.matchAll(/^- (.+?)(?: \(.*\))?: (\d+)$/gm)) summary.set(m[1] ?? '', Number(m[2]));
  const sections = new Map<string, { heading: number; rows: number }>();
  for (const block of md.split(/^## /m).slice(1)) {
    const [, title = '', n = ''] = /^(.+) \((\d+)\)\n/.exec(block) ?? [];
    const rows = block.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| provider |') && !l.startsWith('| RMD number |'));
    sections.set(title, { heading: Number(n), rows: rows.length });
  }
  return { summary, sections };
}

describe('RMD diff report over a fixture pair with every kind of change', () => {
  it('has at least one change of every kind (the fixture covers them all)', async () => {
    const diff = await fixtureDiff();

    for (const kind of RMD_CHANGE_KINDS) expect(diff.counts[kind], kind).toBeGreaterThan(0);
    expect(diff.overdue.length).toBeGreaterThan(diff.counts['recertification-overdue']);
  });

  it('gives each summary count the number of rows of its section, and has a section for every non-zero count', async () => {
    const { summary, sections } = sectionsOf(toDiffMarkdown(await fixtureDiff()));

    expect(sections.size).toBe(RMD_CHANGE_KINDS.length + 1);
    for (const [title, { heading, rows }] of sections) {
      expect(rows, title).toBe(heading);
      expect(summary.get(title), title).toBe(heading);
    }
    for (const [title, n] of summary) if (n > 0 && !/^(evaluated|scope|rows|recertification deadline)/.test(title)) expect(sections.has(title), title).toBe(true);
  });

  it('gives the JSON counts the number of changes of each kind', async () => {
    const json = JSON.parse(toDiffJson(await fixtureDiff())) as { reportVersion: number; counts: Record<string, number>; changes: { kind: string }[] };

    expect(json.reportVersion).toBe(2);
    for (const kind of RMD_CHANGE_KINDS) expect(json.counts[kind], kind).toBe(json.changes.filter((c) => c.kind === kind).length);
  });

  it('reports every changed field with its before and after, and the last values of a removed filing', async () => {
    const diff = await fixtureDiff();
    const of = (rmdNumber: string) => diff.changes.filter((c) => c.rmdNumber === rmdNumber).map((c) => [c.kind, c.field, c.before, c.after]);

    expect(of('RMD0997001')).toEqual([['removed', undefined, expect.stringMatching(/^Removed Alpha LLC; FRN 0099700001; implementation complete; .*contact Pat Example \+12025550101$/), '(not listed)']]);
    expect(of('RMD0997004')).toEqual([['contact-changed', 'contactName', 'Pat Example', 'Sam Other'], ['contact-changed', 'contactPhone', '+12025550104', '+13035550199']]);
    expect(of('RMD0997005')).toEqual([]);
    expect(of('RMD0997006')).toEqual([
      ['filing-changed', 'businessName', 'Details Foxtrot LLC', 'Details Foxtrot LLC Renamed'],
      ['filing-changed', 'otherFrns', '', '0099700066'],
      ['filing-changed', 'foreign', 'no', 'yes'],
      ['filing-changed', 'lastUpdated', '2026-02-10', '2026-04-01'],
    ]);
    expect(of('RMD0997007')).toEqual([['listed', undefined, '(not listed)', expect.stringContaining('Listed Golf LLC')], ['recertification-overdue', 'lastRecertified', '(not listed)', '2025-06-01']]);
    expect(of('RMD0997002')).toEqual([['implementation-changed', 'implementation', 'complete', 'partial']]);
  });
});
