/**
 * What a new RMD snapshot means for the configured providers: the diff (one log event and one metric per change, a
 * JSON + Markdown report in the state dir) and the next removal-grace state. The state change is synchronous; the
 * files are written in the background.
 */
import type { Logger, Provider, RmdSnapshot } from '../screening/index.js';
import { updateGrace } from './grace.js';
import type { FeedMetrics, FeedStore, GraceState } from './ports.js';
import { diffRmd, filingOf, type RmdDiff } from './rmd/diff.js';
import { toDiffJson, toDiffMarkdown } from './rmd/diff-report.js';

/** Collaborators of {@link applyRmdChange}. */
export interface RmdEventDeps {
  readonly store: FeedStore;
  readonly metrics: FeedMetrics;
  readonly log: Logger;
}

/** One RMD snapshot change to apply. */
export interface RmdChangeInput {
  readonly previous: RmdSnapshot;
  /** When the previous snapshot was obtained (its recertification status is evaluated then), epoch ms. */
  readonly previousAt: number;
  readonly next: RmdSnapshot;
  /** Configured providers the trunks reference. */
  readonly providers: readonly Provider[];
  readonly grace: GraceState;
  readonly now: number;
}

/** The report file name of a diff: `<UTC time>-<old id>-<new id>` (filesystem-safe). */
export function reportName(diff: RmdDiff): string {
  const at = new Date(diff.at).toISOString().replace(/[:.]/g, '').replace(/-/g, '');
  return `${at}-${diff.oldSnapshotId ?? 'none'}-${diff.newSnapshotId}`.replace(/[^A-Za-z0-9._+-]/g, '_');
}

/**
 * Diffs the snapshots for the configured providers, logs and counts each change, starts grace clocks for removed
 * providers and writes the report and the grace state in the background (`written` settles when they are on disk;
 * failures are logged). Returns the diff and the next grace state.
 */
export function applyRmdChange(input: RmdChangeInput, deps: RmdEventDeps): { diff: RmdDiff; grace: GraceState; written: Promise<void> } {
  const diff = diffRmd(input.previous, input.next, { providers: input.providers, oldAt: input.previousAt, newAt: input.now });
  for (const c of diff.changes) {
    deps.metrics.providerChanged(c.kind);
    const level = c.kind === 'removed' || c.kind === 'recertification-overdue' ? 'warn' : 'info';
    deps.log[level]({ change: c.kind, providerId: c.providerId, rmdNumber: c.rmdNumber, frn: c.frn, businessName: c.businessName, before: c.before, after: c.after, snapshotId: input.next.id }, 'rmd provider changed');
  }
  const configured = new Set(input.providers.map((p) => p.id));
  const missing = new Set(input.providers.filter((p) => filingOf(p, input.next) === undefined).map((p) => p.id));
  const removedChanges = diff.changes.filter((c) => c.kind === 'removed' && c.providerId !== undefined);
  const removed = removedChanges.map((c) => c.providerId as string);
  const rmdNumbers = new Map(removedChanges.flatMap((c) => (c.rmdNumber === undefined ? [] : [[c.providerId as string, c.rmdNumber] as const])));
  const grace = updateGrace(input.grace, { removed, missing, configured, rmdNumbers }, input.now);
  const written = Promise.all([grace !== input.grace ? persistGrace(deps, grace) : undefined, writeReport(deps, diff)]).then(() => undefined);
  return { diff, grace, written };
}

/** Writes the grace state; failures are logged. */
export async function persistGrace(deps: RmdEventDeps, grace: GraceState): Promise<void> {
  try {
    await deps.store.writeGrace(grace);
  } catch (err) {
    deps.log.error({ code: 'ERR_FEED_STORE', err }, 'rmd grace state not written');
  }
}

async function writeReport(deps: RmdEventDeps, diff: RmdDiff): Promise<void> {
  try {
    const file = await deps.store.writeReport(reportName(diff), toDiffJson(diff), toDiffMarkdown(diff));
    deps.log.info({ file, changes: diff.changes.length, counts: diff.counts, overdue: diff.overdue.length }, 'rmd diff report written');
  } catch (err) {
    deps.log.error({ code: 'ERR_FEED_STORE', err }, 'rmd diff report not written');
  }
}
