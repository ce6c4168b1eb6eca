/**
 * Renders an RmdDiff as a report: JSON (stable field order, for tooling) and Markdown (for people). PURE.
 */
import { RMD_CHANGE_KINDS, type RmdChange, type RmdDiff } from './diff.js';

/** Bumped on any incompatible change of the JSON report. */
export const DIFF_REPORT_VERSION = 1;

/** The JSON report text (2-space indented, trailing newline). */
export function toDiffJson(diff: RmdDiff): string {
  return `${JSON.stringify({ reportVersion: DIFF_REPORT_VERSION, ...diff, at: new Date(diff.at).toISOString() }, null, 2)}\n`;
}

const TITLES: Readonly<Record<RmdChange['kind'], string>> = {
  removed: 'Removed from the RMD',
  listed: 'Newly listed',
  'implementation-changed': 'STIR/SHAKEN implementation changed',
  'roles-changed': 'Roles changed',
  'recertification-overdue': 'Recertification newly overdue',
};

function cell(text: string | undefined): string {
  return (text ?? '').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function changeRows(changes: readonly RmdChange[], withProvider: boolean): string[] {
  const head = withProvider ? '| provider | RMD number | FRN | business name | before | after |' : '| RMD number | FRN | business name | before | after |';
  const rule = withProvider ? '|---|---|---|---|---|---|' : '|---|---|---|---|---|';
  const rows = changes.map((c) => {
    const cells = [c.rmdNumber, c.frn, c.businessName, c.before, c.after].map(cell);
    return `| ${(withProvider ? [cell(c.providerId), ...cells] : cells).join(' | ')} |`;
  });
  return [head, rule, ...rows];
}

/** The Markdown report: a summary line per change kind, then one table per non-empty kind and the overdue list. */
export function toDiffMarkdown(diff: RmdDiff): string {
  const withProvider = diff.scope === 'configured';
  const lines = [
    `# RMD diff ${diff.oldSnapshotId ?? '(none)'} → ${diff.newSnapshotId}`,
    '',
    `- evaluated at: ${new Date(diff.at).toISOString()}`,
    `- scope: ${withProvider ? 'configured providers' : 'all filings'}`,
    `- rows: ${diff.oldRows} → ${diff.newRows}`,
    `- recertification deadline in force: ${diff.recertificationDeadline ?? 'none yet'}`,
    ...RMD_CHANGE_KINDS.map((k) => `- ${k}: ${diff.counts[k]}`),
  ];
  for (const kind of RMD_CHANGE_KINDS) {
    const changes = diff.changes.filter((c) => c.kind === kind);
    if (changes.length > 0) lines.push('', `## ${TITLES[kind]} (${changes.length})`, '', ...changeRows(changes, withProvider));
  }
  if (diff.overdue.length > 0) {
    lines.push('', `## Recertification overdue (${diff.overdue.length})`, '', '| provider | RMD number | business name | last recertified |', '|---|---|---|---|');
    for (const o of diff.overdue) lines.push(`| ${[o.providerId, o.rmdNumber, o.businessName, o.lastRecertified || '(never)'].map(cell).join(' | ')} |`);
  }
  if (diff.changes.length === 0) lines.push('', 'No changes.');
  return `${lines.join('\n')}\n`;
}
