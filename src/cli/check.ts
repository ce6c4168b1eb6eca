/**
 * `rmdgate check`: validates a config and the data files it names, offline, loading them as the gate does, and prints
 * a summary (providers missing from the RMD, providers on a designation list) and warnings (listeners reachable off
 * loopback over plain HTTP). Exit 0 valid, warnings included; errors are thrown.
 */
import type { Command } from 'commander';
import { configWarnings, loadConfig, type ConfigProblem } from '../config/index.js';
import { loadWorldOnce, type FeedWorldSummary } from '../feeds/index.js';
import { addFormatOptions, formatOf, processIo, type CliContext, type CommandIo } from './common.js';
import { configOption, requireConfig } from './config-option.js';
import { createProgress } from './progress.js';

/** Where the command writes: the summary to `out`, warnings to `err` (JSON mode puts both in the one document). */
export type CheckIo = CommandIo;

/** Adds `rmdgate check`. */
export function registerCheck(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('check')
    .summary('validate config and data files offline, print a summary')
    .description('Validates a config and the data files it names, offline, loading them as the gate does, and prints a summary (providers missing from the RMD, providers on a designation list) and warnings. Exit 0 valid (warnings included), 2 invalid.');
  configOption(cmd);
  addFormatOptions(cmd, ['table', 'json']).action(async (opts: { config?: string; format?: string; json?: boolean }) => {
    const format = formatOf<'table' | 'json'>(opts, cmd);
    const progress = createProgress({ stream: ctx.progressStream, label: 'reading the RMD export', unit: 'rows', enabled: format !== 'json' });
    try {
      ctx.setExitCode(await checkCommand(requireConfig(opts), format === 'json', ctx.io, ctx.now(), (rows, estimated) => progress.update(rows, Math.max(rows, estimated))));
    } finally {
      progress.end();
    }
  });
}

/** Checks `file`; writes the summary (JSON with `json`) and returns the exit code. `onProgress` gets the RMD rows read. */
export async function checkCommand(file: string, json: boolean, io: CheckIo = processIo, now: number = Date.now(), onProgress?: (rows: number, estimatedRows: number) => void): Promise<number> {
  const loaded = await loadConfig(file);
  const { summary } = await loadWorldOnce(loaded, { now, onProgress });
  const warnings = configWarnings(loaded.config);
  if (json) {
    io.out(JSON.stringify({ ok: true, file, configVersion: loaded.version, ...summary, warnings }, null, 2));
  } else {
    io.out(formatSummary(file, loaded.version, summary));
    for (const w of warnings) io.err(formatWarning(file, w));
  }
  return 0;
}

function formatWarning(file: string, w: ConfigProblem): string {
  return `${file}: warning: ${w.path}: ${w.message}`;
}

function formatSummary(file: string, version: string, s: FeedWorldSummary): string {
  const lines = [
    `${file}: OK (config version ${version})`,
    `  trunks:       ${s.trunks}`,
    `  providers:    ${s.providers}`,
    `  RMD rows:     ${s.rmdRows} (snapshot ${s.rmdSnapshotId})`,
    `  list entries: ${Object.entries(s.listEntries).map(([n, c]) => `${n}=${c}`).join(', ') || 'none'}`,
    `  providers missing from the RMD: ${s.providersMissingFromRmd.length === 0 ? 'none' : ''}`,
    ...s.providersMissingFromRmd.map((p) => `    - ${p.id} (${p.name}; rmdNumber ${p.rmdNumber ?? '-'}, frn ${p.frn ?? '-'})${p.graceEndsAt === undefined ? '' : `: in removal grace until ${p.graceEndsAt}`}`),
    `  providers on a designation list now: ${s.providersDesignated.length === 0 ? 'none' : ''}`,
    ...s.providersDesignated.map((p) => `    - ${p.id}: ${p.entries.join(', ')}`),
    `  calling-number screening: NANP rules ${s.callingNumber.invalid ? 'on' : 'off'}; DNO entries ${Object.entries(s.callingNumber.dnoEntries).map(([n, c]) => `${n}=${c}`).join(', ') || 'none'}; allocation rows ${s.callingNumber.allocationRows ?? 'none (check off)'}`,
    `  emergency protection: called ${s.callingNumber.emergencyCalledNumbers.join(', ')}; PSAP calling numbers ${s.callingNumber.psapCallingNumbers}`,
  ];
  return lines.join('\n');
}
