/**
 * Renders a what-if report as a table (per change: trunk, provider, outcome:reason before → after, count, example
 * Call-IDs) or JSON. Pure.
 */
import type { WhatIfGroup, WhatIfReport } from './replay.js';

/** What the report was computed over, printed with it. */
export interface WhatIfContext {
  readonly since: string;
  readonly until: string;
  readonly store: string;
  readonly configFile: string;
  readonly configVersion: string;
  readonly rmdSnapshotId: string;
}

const TITLES = { 'now-blocked': 'Would now be BLOCKED', 'now-allowed': 'Would now be ALLOWED', changed: 'Other changes (monitor/would-block or reason)' } as const;

/** Renders the report. */
export function formatWhatIf(report: WhatIfReport, ctx: WhatIfContext, format: 'table' | 'json'): string {
  if (format === 'json') return JSON.stringify({ ...ctx, ...report }, null, 2);
  const lines = [
    `What-if: ${ctx.configFile} (config ${ctx.configVersion}, RMD snapshot ${ctx.rmdSnapshotId})`,
    `Calls received ${ctx.since} … ${ctx.until} from ${ctx.store}`,
    `Replayed ${report.replayed}: unchanged ${report.unchanged}, now blocked ${report.nowBlocked}, now allowed ${report.nowAllowed}, other changes ${report.changed}`,
  ];
  if (report.approximate > 0) {
    lines.push(`Note: ${report.approximate} call(s) were stored without their raw Request-URI/headers while candidate trunks narrow by tgrp/trunk-context/header; their trunk match is approximate.`);
  }
  for (const change of ['now-blocked', 'now-allowed', 'changed'] as const) {
    const groups = report.groups.filter((g) => g.change === change);
    if (groups.length === 0) continue;
    lines.push('', `${TITLES[change]}:`, ...table(groups));
  }
  if (report.groups.length === 0) lines.push('', 'No call would be decided differently.');
  return lines.join('\n');
}

function table(groups: readonly WhatIfGroup[]): string[] {
  const head = ['trunk', 'provider', 'before', 'after', 'calls', 'examples (Call-ID)'];
  const rows = groups.map((g) => [g.trunkId, g.providerId, g.from, g.to, String(g.count), g.examples.join(' ')]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (i === 5 ? 0 : r[i]!.length))));
  const fmt = (r: readonly string[]): string => '  ' + r.map((c, i) => (i === 5 ? c : i === 4 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [fmt(head), ...rows.map(fmt)];
}
