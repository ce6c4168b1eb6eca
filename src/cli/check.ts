/**
 * `rmdgate check`: validates a config and the data files it names, offline, loading them as the gate does, and prints
 * a summary (providers missing from the RMD, providers on a designation list). Exit 0 valid; errors are thrown.
 */
import { loadConfig } from '../config/index.js';
import { loadWorldOnce, type FeedWorldSummary } from '../feeds/index.js';

/** Checks `file`; writes the summary (JSON with `json`) to stdout and returns the exit code. */
export async function checkCommand(file: string, json: boolean): Promise<number> {
  const loaded = await loadConfig(file);
  const { summary } = await loadWorldOnce(loaded, { now: Date.now() });
  const text = json ? JSON.stringify({ ok: true, file, configVersion: loaded.version, ...summary }, null, 2) : formatSummary(file, loaded.version, summary);
  process.stdout.write(`${text}\n`);
  return 0;
}

function formatSummary(file: string, version: string, s: FeedWorldSummary): string {
  const lines = [
    `${file}: OK (config version ${version})`,
    `  trunks:       ${s.trunks}`,
    `  providers:    ${s.providers}`,
    `  RMD rows:     ${s.rmdRows} (snapshot ${s.rmdSnapshotId})`,
    `  list entries: ${Object.entries(s.listEntries).map(([n, c]) => `${n}=${c}`).join(', ') || 'none'}`,
    `  providers missing from the RMD: ${s.providersMissingFromRmd.length === 0 ? 'none' : ''}`,
    ...s.providersMissingFromRmd.map((p) => `    - ${p.id} (${p.name}; rmdNumber ${p.rmdNumber ?? '-'}, frn ${p.frn ?? '-'})`),
    `  providers on a designation list: ${s.providersDesignated.length === 0 ? 'none' : ''}`,
    ...s.providersDesignated.map((p) => `    - ${p.id}: ${p.entries.join(', ')}`),
  ];
  return lines.join('\n');
}
