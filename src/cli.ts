#!/usr/bin/env node
/**
 * The `rmdgate` command line: `serve` runs the gate, `check` validates config and data offline.
 * Owns the process: signals, exit codes and fatal-error handling.
 */
import { parseArgs } from 'node:util';
import { ConfigError, configFileFromEnv, toConfigJsonSchema } from './config/index.js';
import { DataFileError } from './feeds/index.js';
import { EXIT, installFatalHandlers } from './cli/fatal.js';
import { VERSION } from './version.js';

const USAGE = `rmdgate ${VERSION} — SIP ingress gate: screens INVITEs against the FCC RMD and blocklists

Usage:
  rmdgate serve --config FILE     run the gate (SIP front, CDRs, ops listener)
  rmdgate check --config FILE     validate config and data files, print a summary [--json]
  rmdgate schema                  print the config JSON Schema (config/rmdgate.schema.json)
  rmdgate traceback --config FILE --calling NUM --called NUM --at TIME [--tz ZONE] [--window 10m]
                    [--format table|json|csv] [--store sqlite|postgres]   answer a traceback from the CDR store
  rmdgate traceback --config FILE --batch requests.csv [...]              one answer row per request (calling,called,at[,tz])
  rmdgate whatif --config CANDIDATE.yaml --since 7d [--rmd SNAPSHOT.csv] [--store-dir DIR] [--format table|json]
                                  replay stored calls under a candidate config/RMD snapshot
  rmdgate feed accept --config FILE --feed NAME      accept a feed candidate refused for drift/shrink
  rmdgate feed diff OLD.csv NEW.csv [--config FILE] [--format md|json] [--at YYYY-MM-DD]
                                  what changed between two RMD snapshots (all, or configured providers)
  rmdgate feed status --config FILE [--json]        last good snapshots and pending candidates
  rmdgate --version

Exit codes: 0 ok, 1 runtime failure (a listener that cannot bind, a fatal error while serving), 2 invalid usage,
config or data.`;

/** A subcommand: gets the arguments after its name, returns the exit code. Add new commands here. */
type Command = (args: string[]) => Promise<number>;

const COMMANDS: Readonly<Record<string, Command>> = {
  serve: async (args) => (await import('./cli/serve.js')).serveCommand(configArg(args).file),
  check: async (args) => {
    const { file, json } = configArg(args);
    return (await import('./cli/check.js')).checkCommand(file, json);
  },
  schema: async () => print(JSON.stringify(toConfigJsonSchema(), null, 2), 0),
  traceback: async (args) => (await import('./cli/traceback.js')).tracebackCommand(args),
  whatif: async (args) => (await import('./cli/whatif.js')).whatifCommand(args),
  feed: async (args) => (await import('./cli/feed.js')).feedCommand(args),
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-v') return print(VERSION, 0);
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') return print(USAGE, command === undefined ? 2 : 0);
  const run = COMMANDS[command];
  if (!run) return print(`unknown command "${command}"\n\n${USAGE}`, 2);
  return run(rest);
}

/** Parses `--config FILE [--json]` (CONFIG_FILE env as fallback); throws UsageError when missing. */
function configArg(args: string[]): { file: string; json: boolean } {
  const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' }, json: { type: 'boolean' } }, strict: true });
  const file = values.config ?? configFileFromEnv();
  if (file === undefined) throw new UsageError('--config FILE is required');
  return { file, json: values.json === true };
}

/** A command-line usage mistake: printed with the usage text, exit code 2. */
export class UsageError extends Error {}

function print(text: string, code: number): number {
  (code === 0 ? process.stdout : process.stderr).write(text + '\n');
  return code;
}

function fail(err: unknown): number {
  if (err instanceof ConfigError || err instanceof DataFileError) return print(err.message, EXIT.usage);
  if (err instanceof UsageError) return print(`${err.message}\n\n${USAGE}`, EXIT.usage);
  if (err instanceof TypeError && (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) return print(`${err.message}\n\n${USAGE}`, EXIT.usage);
  // A system error (a port in use, a directory not writable) is the environment, not a bug: its message says it all.
  const systemError = err instanceof Error && typeof (err as NodeJS.ErrnoException).syscall === 'string';
  process.stderr.write(`rmdgate: fatal: ${err instanceof Error ? (systemError ? err.message : (err.stack ?? err.message)) : String(err)}\n`);
  return EXIT.failure;
}

installFatalHandlers();

// Exit when the command is done, whatever handle may still be open: a failed start must not leave the process alive.
main(process.argv.slice(2)).then(
  (code) => exitAfterFlush(code),
  (err: unknown) => exitAfterFlush(fail(err)),
);

/**
 * Exits once standard output and error have taken everything written: a pipe takes 64 KiB at a time and exit() drops
 * the rest (a 1.4 MB `traceback --limit 0 --format json | jq` was cut at 131,072 bytes).
 */
function exitAfterFlush(code: number): void {
  let pending = 2;
  const done = (): void => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}
