/**
 * Renders an RmdDiff as a report: JSON (stable field order, for tooling) and Markdown (for people). PURE.
 */
import { RMD_CHANGE_KINDS, type RmdChange, type RmdDiff } from './diff.js';

/**
 * Bumped on any incompatible change of the JSON report. 2: the `contact-changed` and `filing-changed` kinds, `field`
 * on field changes, and before/after on `removed` and `listed`.
 */
export const DIFF_REPORT_VERSION = 2;

/** The JSON report text (2-space indented, trailing newline). */
export function toDiffJson(diff: RmdDiff): string {
  return `${JSON.stringify({ reportVersion: DIFF_REPORT_VERSION, ...diff, at: new Date(diff.at).toISOString() }, null, 2)}\n`;
}

const TITLES: Readonly<Record<RmdChange['kind'], string>> = {
  removed: 'Removed from the RMD',
  listed: 'Newly listed',
  'implementation-changed': 'STIR/SHAKEN implementation changed',
  'roles-changed': 'Roles changed',
  'contact-changed': 'Robocall mitigation contact changed',
  'filing-changed': 'Other filing fields changed',
  'recertification-overdue': 'Recertification newly overdue',
};

/** The title of the list of every overdue filing (a state, not a change). */
const OVERDUE_TITLE = 'Recertification overdue';

function cell(text: string | undefined): string {
  return (text ?? '').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function changeRows(changes: readonly RmdChange[], withProvider: boolean): string[] {
  const withField = changes.some((c) => c.field !== undefined);
  const names = [...(withProvider ? ['provider'] : []), 'RMD number', 'FRN', 'business name', ...(withField ? ['field'] : []), 'before', 'after'];
  const rows = changes.map((c) => {
    const cells = [...(withProvider ? [c.providerId] : []), c.rmdNumber, c.frn, c.businessName, ...(withField ? [c.field] : []), c.before, c.after];
    return `| ${cells.map(cell).join(' | ')} |`;
  });
  return [`| ${names.join(' | ')} |`, `|${names.map(() => '---|').join('')}`, ...rows];
}

/**
 * The Markdown report: a summary line per section (each change kind, then every overdue filing) whose count is the
 * number of rows of that section, then one table per non-empty section.
 */
export function toDiffMarkdown(diff: RmdDiff): string {
  const withProvider = diff.scope === 'configured';
  const lines = [
    `# RMD diff ${diff.oldSnapshotId ?? '(none)'} → ${diff.newSnapshotId}`,
    '',
    `- evaluated at: ${new Date(diff.at).toISOString()}`,
    `- scope: ${withProvider ? 'configured providers' : 'all filings'}`,
    `- rows: ${diff.oldRows} → ${diff.newRows}`,
    `- recertification deadline in force: ${diff.recertificationDeadline ?? 'none yet'}`,
    ...RMD_CHANGE_KINDS.map((k) => `- ${TITLES[k]} (\`${k}\`): ${diff.counts[k]}`),
    `- ${OVERDUE_TITLE} (every overdue filing in scope, not only new ones): ${diff.overdue.length}`,
  ];
  for (const kind of RMD_CHANGE_KINDS) {
    const changes = diff.changes.filter((c) => c.kind === kind);
    if (changes.length > 0) lines.push('', `## ${TITLES[kind]} (${changes.length})`, '', ...changeRows(changes, withProvider));
  }
  if (diff.overdue.length > 0) {
    lines.push('', `## ${OVERDUE_TITLE} (${diff.overdue.length})`, '', '| provider | RMD number | business name | last recertified |', '|---|---|---|---|');
    for (const o of diff.overdue) lines.push(`| ${[o.providerId, o.rmdNumber, o.businessName, o.lastRecertified || '(never)'].map(cell).join(' | ')} |`);
  }
  if (diff.changes.length === 0) lines.push('', 'No changes.');
  return `${lines.join('\n')}\n`;
}
