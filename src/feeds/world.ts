/**
 * Composes the ScreeningWorld from the config part (trunks, providers, policy) and the feed data part (RMD snapshot,
 * blocklists, removal grace, second-opinion filings). PURE; the feed system swaps the result through the WorldHolder.
 */
import {
  type AllocationTable, type BlocklistEntry, type CallingNumberScreening, type CallingNumberSource, compileWorld, type DnoList, type EmergencyProtection, type Policy,
  type Provider, providerStanding, type RmdFiling, type RmdGraceMap, type RmdSnapshot, type ScreeningWorld, type Trunk,
} from '../screening/index.js';
import { rmdFilingKey } from './rmd/csv.js';

/** The world inputs that come from the config file. */
export interface WorldConfigPart {
  readonly trunks: readonly Trunk[];
  readonly providers: readonly Provider[];
  readonly policy: Policy;
  readonly trunkHeader?: string | undefined;
  readonly configVersion: string;
  /** Calling-number settings (config `callingNumber`); absent = no calling-number screening. */
  readonly callingNumber?: { readonly source: CallingNumberSource; readonly invalid: boolean } | undefined;
  /** Emergency protection (built-in numbers plus config `emergency`); absent = the built-in numbers. */
  readonly emergency?: EmergencyProtection | undefined;
}

/** The world inputs that come from the feeds. */
export interface WorldDataPart {
  readonly rmd: RmdSnapshot | undefined;
  /** true: the RMD is stale and `failClosedWhenStale` is set, so the world has no RMD (`rmd-unavailable`). */
  readonly rmdWithheld: boolean;
  readonly blocklists: readonly BlocklistEntry[];
  /** Providers in their removal grace, with its end (see `toRmdGrace`). */
  readonly rmdGrace: RmdGraceMap;
  /** Filings confirmed by the second opinion for configured providers missing from the snapshot. */
  readonly extraFilings: readonly RmdFiling[];
  /** DNO lists in force, in config order. */
  readonly dno?: readonly DnoList[] | undefined;
  /** The allocation table in force; undefined = no allocation feed (or no data yet). */
  readonly allocation?: AllocationTable | undefined;
}

/** The calling-number screening of a config and data part; undefined when nothing is switched on. */
export function toCallingNumberScreening(config: WorldConfigPart, data: WorldDataPart): CallingNumberScreening | undefined {
  const settings = config.callingNumber;
  const dno = data.dno ?? [];
  if (settings === undefined || (!settings.invalid && dno.length === 0 && data.allocation === undefined)) return undefined;
  return { source: settings.source, invalid: settings.invalid, dno, allocation: data.allocation, allocationName: 'allocation' };
}

const augmented = new WeakMap<RmdSnapshot, { readonly key: string; readonly snapshot: RmdSnapshot }>();

/**
 * The snapshot plus filings it lacks (by RMD number). The result's id is `<snapshot id>+<n>` (n filings added), so a
 * CDR names exactly what was in force; unchanged input returns the same object (memoised per snapshot).
 */
export function withExtraFilings(rmd: RmdSnapshot, extras: readonly RmdFiling[]): RmdSnapshot {
  const added = extras.filter((f) => !rmd.byRmdNumber.has(rmdFilingKey(f)));
  if (added.length === 0) return rmd;
  const key = added.map((f) => `${f.rmdNumber}/${f.frn}`).sort().join(',');
  const memo = augmented.get(rmd);
  if (memo?.key === key) return memo.snapshot;
  const byRmdNumber = new Map(rmd.byRmdNumber);
  const byFrn = new Map(rmd.byFrn);
  for (const f of added) {
    byRmdNumber.set(rmdFilingKey(f), f);
    for (const frn of [f.frn, ...f.otherFrns]) if (frn !== '' && !byFrn.has(frn)) byFrn.set(frn, f);
  }
  const snapshot: RmdSnapshot = { ...rmd, id: `${rmd.id}+${added.length}`, rows: byRmdNumber.size, byRmdNumber, byFrn };
  augmented.set(rmd, { key, snapshot });
  return snapshot;
}

/** Compiles the world for one config part and one data part. */
export function composeWorld(config: WorldConfigPart, data: WorldDataPart): ScreeningWorld {
  const rmd = data.rmd === undefined || data.rmdWithheld ? undefined : withExtraFilings(data.rmd, data.extraFilings);
  return compileWorld({
    trunks: config.trunks,
    providers: config.providers,
    rmd,
    blocklists: data.blocklists,
    policy: config.policy,
    trunkHeader: config.trunkHeader,
    configVersion: config.configVersion,
    rmdGrace: data.rmdGrace.size === 0 ? undefined : data.rmdGrace,
    callingNumber: toCallingNumberScreening(config, data),
    emergency: config.emergency,
  });
}

/** Configured providers the trunks reference (the ones whose RMD changes matter). */
export function referencedProviders(config: WorldConfigPart): Provider[] {
  const used = new Set(config.trunks.map((t) => t.providerId));
  return config.providers.filter((p) => used.has(p.id));
}

/** The startup summary (same shape as `rmdgate check`'s WorldSummary), true at its `at` time. */
export interface FeedWorldSummary {
  readonly trunks: number;
  readonly providers: number;
  readonly rmdRows: number;
  readonly rmdSnapshotId: string;
  readonly listEntries: Readonly<Record<string, number>>;
  /**
   * Providers that must file and have no filing; `graceEndsAt` (ISO) while their removal grace runs, when calls pass
   * as would-block, with `rmdNumber` from the last snapshot that listed them when the config does not give one.
   */
  readonly providersMissingFromRmd: readonly { id: string; name: string; rmdNumber?: string | undefined; frn?: string | undefined; graceEndsAt?: string | undefined }[];
  /** Providers with a designation entry in force (effective, not expired) and those entries' ids. */
  readonly providersDesignated: readonly { id: string; entries: readonly string[] }[];
  /** Calling-number screening in force: the NANP rules on or off, DNO entries per list, allocation feed rows. */
  readonly callingNumber: {
    readonly invalid: boolean;
    readonly dnoEntries: Readonly<Record<string, number>>;
    readonly allocationRows: number | null;
    readonly emergencyCalledNumbers: readonly string[];
    readonly psapCallingNumbers: number;
  };
}

/** Summarises a compiled world at `now` (epoch ms; entries and grace as `providerStanding` sees them then). */
export function summariseWorld(
  world: ScreeningWorld,
  config: { readonly trunks: readonly unknown[]; readonly providers: readonly unknown[] },
  listEntries: Readonly<Record<string, number>>,
  now: number,
): FeedWorldSummary {
  const standings = [...world.providers.values()].map((s) => ({ s, standing: providerStanding(s, now, world.rmdGrace) }));
  return {
    trunks: config.trunks.length,
    providers: config.providers.length,
    rmdRows: world.rmd?.rows ?? 0,
    rmdSnapshotId: world.rmd?.id ?? '',
    listEntries,
    providersMissingFromRmd: standings
      .filter(({ s }) => s.provider.rmdRequired && !s.filing)
      .map(({ s, standing: { grace } }) => ({
        id: s.provider.id,
        name: s.provider.name,
        rmdNumber: s.provider.rmdNumber ?? grace?.rmdNumber,
        frn: s.provider.frn,
        ...(grace === undefined ? {} : { graceEndsAt: new Date(grace.endsAt).toISOString() }),
      })),
    providersDesignated: standings
      .filter(({ standing }) => standing.activeEntries.length > 0)
      .map(({ s, standing }) => ({ id: s.provider.id, entries: standing.activeEntries.map((e) => e.id) })),
    callingNumber: {
      invalid: world.callingNumber?.invalid ?? false,
      dnoEntries: Object.fromEntries((world.callingNumber?.dno ?? []).map((l) => [l.name, l.numbers + l.prefixes])),
      allocationRows: world.callingNumber?.allocation?.rows ?? null,
      emergencyCalledNumbers: [...world.emergency.calledNumbers],
      psapCallingNumbers: world.emergency.psapCallingNumbers.size,
    },
  };
}
