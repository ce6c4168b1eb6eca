/**
 * The built-in admin routes (reload, feed refresh, status) over injected actions, and the status summary they report:
 * trunks, providers with their RMD status, feed versions and mode. Pure apart from the injected actions.
 */
import type { FeedStatus, RefreshOutcome } from '../feeds/index.js';
import { providerStanding, type ProviderRmdStatus, type ScreeningWorld } from '../screening/index.js';
import type { AdminReply, AdminRoute } from './admin-server.js';

/** What the admin routes act on; main.ts injects these. */
export interface AdminActions {
  /** Re-reads config and data and swaps the world; answers 200 with what changed, or an error status. */
  reload(): Promise<AdminReply>;
  /** Refreshes one feed by config name now; 404 for an unknown feed. */
  refreshFeed(name: string): Promise<AdminReply>;
  /** The status summary. */
  status(): AdminStatus;
}

/** The routes `POST /admin/reload`, `POST /admin/feeds/{name}/refresh` and `GET /admin/status`. */
export function createCoreAdminRoutes(actions: AdminActions): AdminRoute[] {
  return [
    { method: 'POST', path: '/admin/reload', handler: () => actions.reload() },
    { method: 'POST', path: '/admin/feeds/{name}/refresh', handler: (req) => actions.refreshFeed(req.params['name'] ?? '') },
    { method: 'GET', path: '/admin/status', handler: () => ({ status: 200, body: actions.status() }) },
  ];
}

/** Trunks listed in /admin/status at most (the total is always given). */
export const STATUS_TRUNK_LIMIT = 1000;

/** The /admin/status body. */
export interface AdminStatus {
  readonly version: string;
  readonly node: string;
  readonly mode: string;
  readonly configVersion: string;
  /** ISO time of the summary. */
  readonly at: string;
  readonly rmd: { readonly snapshotId: string; readonly rows: number; readonly loadedAt: string } | null;
  readonly trunks: { readonly total: number; readonly truncated: boolean; readonly items: readonly { readonly id: string; readonly provider: string }[] };
  readonly providers: {
    readonly byStatus: Readonly<Record<string, number>>;
    readonly items: readonly AdminProviderStatus[];
  };
  readonly feeds: readonly AdminFeedStatus[];
}

/** One feed in /admin/status. */
export interface AdminFeedStatus {
  readonly feed: string;
  readonly maxAgeSeconds: number;
  /** Snapshot id (content hash) of the RMD in force; undefined for lists. */
  readonly version: string | undefined;
  readonly rows: number | undefined;
  /** ISO time the source last confirmed the data in force. */
  readonly asOf: string | undefined;
  readonly lastRefresh: RefreshOutcome | undefined;
  readonly ageSeconds: number | null;
}

/** One provider in /admin/status. */
export interface AdminProviderStatus {
  readonly id: string;
  readonly name: string;
  readonly rmdStatus: ProviderRmdStatus;
  readonly rmdRequired: boolean;
  /** From the filing in force; in grace, from the last snapshot that listed the provider (or the config). */
  readonly rmdNumber: string | null;
  readonly lastRecertified: string | null;
  /** ISO time the removal grace ends (calls pass as would-block until then); null when not in grace. */
  readonly graceEndsAt: string | null;
  /** Designation entries in force now (effective, not expired), as the live decision applies them. */
  readonly designations: readonly string[];
}

/** Builds the status summary from the world in force and the feed state at `now` (epoch ms). */
export function toAdminStatus(input: { world: ScreeningWorld; feeds: readonly FeedStatus[]; now: number; version: string; node: string }): AdminStatus {
  const { world, now } = input;
  const trunks = [...world.trunkStates.keys()];
  const providers = [...world.providers.values()].map((s): AdminProviderStatus => {
    const standing = providerStanding(s, now, world.rmdGrace);
    return {
      id: s.provider.id,
      name: s.provider.name,
      rmdStatus: standing.status,
      rmdRequired: s.provider.rmdRequired,
      rmdNumber: s.filing?.rmdNumber ?? standing.grace?.rmdNumber ?? (standing.grace ? s.provider.rmdNumber : undefined) ?? null,
      lastRecertified: s.filing ? s.filing.lastRecertified || null : null,
      graceEndsAt: standing.grace ? new Date(standing.grace.endsAt).toISOString() : null,
      designations: standing.activeEntries.map((e) => e.id),
    };
  });
  const byStatus: Record<string, number> = {};
  for (const p of providers) byStatus[p.rmdStatus] = (byStatus[p.rmdStatus] ?? 0) + 1;
  return {
    version: input.version,
    node: input.node,
    mode: world.policy.mode,
    configVersion: world.configVersion,
    at: new Date(now).toISOString(),
    rmd: world.rmd ? { snapshotId: world.rmd.id, rows: world.rmd.rows, loadedAt: new Date(world.rmd.loadedAt).toISOString() } : null,
    trunks: {
      total: trunks.length,
      truncated: trunks.length > STATUS_TRUNK_LIMIT,
      items: trunks.slice(0, STATUS_TRUNK_LIMIT).map((t) => ({ id: t.id, provider: t.providerId })),
    },
    providers: { byStatus, items: providers },
    feeds: input.feeds.map((f) => toAdminFeedStatus(f, now)),
  };
}

function toAdminFeedStatus(f: FeedStatus, now: number): AdminFeedStatus {
  const aged = f.hasData && Number.isFinite(f.ageSeconds);
  return {
    feed: f.feed,
    maxAgeSeconds: f.maxAgeSeconds,
    version: f.snapshotId,
    rows: f.hasData ? f.rows : undefined,
    asOf: aged ? new Date(now - f.ageSeconds * 1000).toISOString() : undefined,
    lastRefresh: f.lastOutcome,
    ageSeconds: aged ? Math.round(f.ageSeconds) : null,
  };
}
