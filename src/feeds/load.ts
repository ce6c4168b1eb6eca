/**
 * Loads the data files a config names (RMD CSV, blocklists) and compiles the ScreeningWorld.
 * Any data-file error is thrown as DataFileError naming file, row and column.
 */
import type { LoadedConfig } from '../config/load.js';
import { toPolicy, toProviders, toTrunks } from '../config/to-world-inputs.js';
import type { BlocklistEntry, RmdSnapshot } from '../screening/model.js';
import { compileWorld, type ScreeningWorld } from '../screening/policy.js';
import { summariseWorld, type FeedWorldSummary } from './world.js';
import { loadBlocklistFile, loadRmdFile } from './load-files.js';

/** What was loaded, for `rmdgate check` and the startup log line (one shape with the feed system's summary). */
export type WorldSummary = FeedWorldSummary;

/** Loads data and compiles the world for a loaded config. */
export async function loadWorld(loaded: LoadedConfig, now: number): Promise<{ world: ScreeningWorld; rmd: RmdSnapshot; summary: WorldSummary }> {
  const { config } = loaded;
  const rmd = await loadRmdFile(loaded.resolvePath(config.data.rmd.path), now);
  const lists = await Promise.all(config.data.blocklists.map((l) => loadBlocklistFile(loaded.resolvePath(l.path), l.name, l.kind)));
  const world = buildWorld(loaded, rmd, lists.flat());
  const listEntries = Object.fromEntries(config.data.blocklists.map((l, i) => [l.name, lists[i]?.length ?? 0]));
  const summary = summariseWorld(world, { trunks: config.trunks, providers: config.providers }, listEntries);
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
