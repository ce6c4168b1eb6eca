/**
 * The annual RMD recertification rule (FCC 24-135; DA 26-72: first due March 1, 2026, then every March 1). PURE.
 * One definition serves the provider-status metric, the RMD diff and the admin status.
 */
import type { RmdFiling } from './model.js';

/** First year a recertification was due. */
const FIRST_DEADLINE_YEAR = 2026;

/**
 * The recertification cycle in force at `now` (epoch ms): the latest March 1 (UTC) not after `now`, from 2026 on, as
 * `YYYY-MM-DD`, and the opening of its filing window (February 1 of that year, as DA 26-72 opened it in 2026);
 * undefined before the first cycle.
 */
export function recertificationDeadline(now: number): { deadline: string; windowOpens: string } | undefined {
  const d = new Date(now);
  const year = d.getUTCMonth() >= 2 ? d.getUTCFullYear() : d.getUTCFullYear() - 1;
  if (year < FIRST_DEADLINE_YEAR) return undefined;
  return { deadline: `${year}-03-01`, windowOpens: `${year}-02-01` };
}

/**
 * A filing's recertification state at `now`: `unknown` when the export had no recertification column (nothing to
 * judge by), else `overdue` per {@link isRecertificationOverdue}, else `current`.
 */
export type RecertificationState = 'current' | 'overdue' | 'unknown';

export function recertificationState(filing: Pick<RmdFiling, 'lastRecertified' | 'lastUpdated' | 'recertificationUnknown'>, now: number): RecertificationState {
  if (filing.recertificationUnknown === true) return 'unknown';
  return isRecertificationOverdue(filing, now) ? 'overdue' : 'current';
}

/**
 * A filing is overdue when a deadline is in force and it was neither recertified since that cycle's window opened
 * nor first filed after the deadline (a blank `last_recertified` with `last_updated` on or after it).
 * Counting from the window rather than from March 1 keeps providers that recertified properly in February listed.
 * A filing whose recertification is unknown (no such column in the export) is never overdue.
 */
export function isRecertificationOverdue(filing: Pick<RmdFiling, 'lastRecertified' | 'lastUpdated' | 'recertificationUnknown'>, now: number): boolean {
  const cycle = recertificationDeadline(now);
  if (!cycle || filing.recertificationUnknown === true) return false;
  if (filing.lastRecertified !== '') return filing.lastRecertified < cycle.windowOpens;
  return filing.lastUpdated < cycle.deadline;
}
