/**
 * Loads the data files a config names (RMD CSV, blocklists) and compiles the ScreeningWorld.
 * Any data-file error is thrown as DataFileError naming file, row and column.
 */
import type { LoadedConfig } from '../../config/load.js';
import { toPolicy, toProviders, toTrunks } from '../../config/to-world-inputs.js';
import type { BlocklistEntry, RmdSnapshot } from '../../core/model.js';
import { compileWorld, type ScreeningWorld } from '../../core/policy.js';
import { loadBlocklistFile, loadRmdFile } from './load-data-files.js';

/** What was loaded, for `rmdgate check` and the startup log line. */
export interface WorldSummary {
  readonly trunks: number;
  readonly providers: number;
  readonly rmdRows: number;
  readonly rmdSnapshotId: string;
  readonly listEntries: Readonly<Record<string, number>>;
  /** Configured providers (rmdRequired) with no filing in the snapshot. */
  readonly providersMissingFromRmd: readonly { id: string; name: string; rmdNumber?: string | undefined; frn?: string | undefined }[];
  /** Configured providers named by an active or future designation entry. */
  readonly providersDesignated: readonly { id: string; entries: readonly string[] }[];
}

/** Loads data and compiles the world for a loaded config. */
export async function loadWorld(loaded: LoadedConfig, now: number): Promise<{ world: ScreeningWorld; rmd: RmdSnapshot; summary: WorldSummary }> {
  const { config } = loaded;
  const rmd = await loadRmdFile(loaded.resolvePath(config.data.rmd.path), now);
  const lists = await Promise.all(config.data.blocklists.map((l) => loadBlocklistFile(loaded.resolvePath(l.path), l.name, l.kind)));
  const world = buildWorld(loaded, rmd, lists.flat());
  const summary = summarise(loaded, world, rmd, config.data.blocklists.map((l, i) => [l.name, lists[i]?.length ?? 0] as const));
  return { world, rmd, summary };
}

/** Compiles a world from a config and already-loaded data (used by reloads that swap only one part). */
export function buildWorld(loaded: LoadedConfig, rmd: RmdSnapshot | undefined, entries: readonly BlocklistEntry[]): ScreeningWorld {
  const { config } = loaded;
  return compileWorld({
    trunks: toTrunks(config),
    providers: toProviders(config),
    rmd,
    blocklists: entries,
    policy: toPolicy(config),
    trunkHeader: config.sip.trunkHeader,
    configVersion: loaded.version,
  });
}

function summarise(loaded: LoadedConfig, world: ScreeningWorld, rmd: RmdSnapshot, lists: readonly (readonly [string, number])[]): WorldSummary {
  const states = [...world.providers.values()];
  return {
    trunks: loaded.config.trunks.length,
    providers: loaded.config.providers.length,
    rmdRows: rmd.rows,
    rmdSnapshotId: rmd.id,
    listEntries: Object.fromEntries(lists),
    providersMissingFromRmd: states
      .filter((s) => s.provider.rmdRequired && !s.filing)
      .map((s) => ({ id: s.provider.id, name: s.provider.name, rmdNumber: s.provider.rmdNumber, frn: s.provider.frn })),
    providersDesignated: states.filter((s) => s.entries.length > 0).map((s) => ({ id: s.provider.id, entries: s.entries.map((e) => e.id) })),
  };
}
