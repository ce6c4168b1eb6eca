/**
 * What every command shares: where output goes, the errors that map to exit codes, the one output convention
 * (`--format`, with `--json` as its alias) and the time and duration options (one parser: cdr's time module).
 */
import { Option, type Command } from 'commander';
import { hasZone, parseDuration, parseTimeInput } from '../cdr/index.js';
import type { ProgressStream } from './progress.js';

/** Where a command writes (tests capture it). Each call is one or more whole lines, newline added. */
export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
}

/** Standard output and error. */
export const processIo: CommandIo = { out: (t) => void process.stdout.write(t + '\n'), err: (t) => void process.stderr.write(t + '\n') };

/** What the commands run with: output, the clock (epoch ms) and the stream progress is drawn on. */
export interface CliContext {
  readonly io: CommandIo;
  readonly now: () => number;
  /** Progress goes here, only when it is a TTY (standard error in the real CLI). */
  readonly progressStream?: ProgressStream | undefined;
  /** The exit code of the command that ran (0 unless set). */
  setExitCode(code: number): void;
}

/** A usage mistake found after parsing (a bad combination, a value out of range): one line, exit 2. */
export class UsageError extends Error {}

/** The command ran and failed for a reason the message says (a gate not listening, an HTTP error): exit 1, no stack. */
export class CommandFailed extends Error {}

/** Output formats; every command accepts the ones that make sense for it. */
export type OutputFormat = 'table' | 'json' | 'csv' | 'md';

/**
 * Adds `--format <format>` (restricted to `formats`, default the first) and `--json` (alias of `--format json`).
 * Read the choice with {@link formatOf}.
 */
export function addFormatOptions(cmd: Command, formats: readonly OutputFormat[], defaultFormat: OutputFormat = formats[0] ?? 'table', defaultDescription?: string): Command {
  return cmd
    .addOption(new Option('--format <format>', 'output format').choices(formats).default(defaultFormat, defaultDescription))
    .option('--json', 'same as --format json');
}

/** The format chosen with `--format`/`--json`; both given and different is a usage error. */
export function formatOf<F extends OutputFormat>(opts: { format?: string | undefined; json?: boolean | undefined }, cmd: Command): F {
  if (opts.json !== true) return opts.format as F;
  if (cmd.getOptionValueSource('format') === 'cli' && opts.format !== 'json') throw new UsageError(`--json conflicts with --format ${opts.format ?? ''}`);
  return 'json' as F;
}

/**
 * Reads an operator's time for an option (`--at`, `--since`, …): see parseTimeInput. Returns epoch ms; a bad value
 * is a usage error naming the option.
 */
export function timeArg(option: string, text: string, tz: string | undefined, now: number): number {
  const r = parseTimeInput(text, { tz, now });
  if (!r.ok) throw new UsageError(`${option}: ${r.error}`);
  return r.value;
}

/**
 * A time to hand to the traceback library, which reads ISO 8601: ISO text stays as written (so an offset written in
 * it stays the display zone), zone-less ISO is read in `tz` (default UTC), anything else (now, -2h, epoch) becomes
 * the ISO instant.
 */
export function tracebackAt(option: string, text: string, tz: string | undefined, now: number): { at: string; tz: string | undefined } {
  const ms = timeArg(option, text, tz, now);
  if (hasZone(text)) return { at: text, tz };
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(text.trim())) return { at: text, tz: tz ?? 'UTC' };
  return { at: new Date(ms).toISOString(), tz };
}

/** A `--since` value: a duration back from now (`7d`) or a time (see parseTimeInput). Returns epoch ms. */
export function sinceArg(option: string, text: string, tz: string | undefined, now: number): number {
  const d = parseDuration(text);
  return d.ok ? now - d.value : timeArg(option, text, tz, now);
}

/** A duration option checked against a range, ms. */
export function durationArg(option: string, text: string, range: { min?: number; max?: number } = {}): number {
  const r = parseDuration(text, range);
  if (!r.ok) throw new UsageError(`${option}: ${r.error}`);
  return r.value;
}

/** The help text's note on time and duration inputs. */
export const TIME_HELP = `
Times: ISO 8601 with a zone (2026-11-20T14:03:00-05:00, ...Z) or without one (read in --tz, default UTC),
  now, today, yesterday (midnight in --tz), offsets -2h, +1d, "30m ago", epoch seconds (10 digits) or ms (13).
Durations: 90s, 10m, 2h, 1d, 1w.`;

/** CSV text: a header row and rows, cells quoted when they hold a comma, quote or line break (RFC 4180). */
export function toCsv(head: readonly string[], rows: readonly (readonly (string | number | boolean | null | undefined)[])[]): string {
  const cell = (v: string | number | boolean | null | undefined): string => {
    const t = v === null || v === undefined ? '' : String(v);
    return /[",\r\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
  };
  return [head, ...rows].map((r) => r.map(cell).join(',')).join('\n');
}
