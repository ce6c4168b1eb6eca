/**
 * The `rmdgate` command tree on commander, and how an invocation ends: its exit code and, on failure, what is
 * printed. Usage errors (unknown option, missing or bad value) are one line on stderr and exit 2; config and data
 * errors print their problems and exit 2; a command that fails for a stated reason (a gate not listening) exits 1
 * with its message; anything else is an internal error: exit 1 with the message, the stack only under --debug.
 */
import { Command, CommanderError } from 'commander';
import { ConfigError, toConfigJsonSchema } from '../config/index.js';
import { DataFileError } from '../feeds/index.js';
import { VERSION } from '../version.js';
import { registerAdminCommands } from './admin.js';
import { registerCheck } from './check.js';
import { CommandFailed, UsageError, type CliContext } from './common.js';
import { EXIT } from './fatal.js';
import { registerFeed } from './feed.js';
import { registerServe } from './serve.js';
import { registerTraceback } from './traceback.js';
import { registerWhatif } from './whatif.js';

/** What {@link runCli} needs besides the arguments (the exit code is tracked here). */
export type CliRunContext = Omit<CliContext, 'setExitCode'>;

/** Builds the command tree; actions report their exit code through `ctx.setExitCode`. */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('rmdgate')
    .description(`rmdgate ${VERSION}: SIP ingress gate, screens INVITEs against the FCC Robocall Mitigation Database and blocklists`)
    .version(VERSION, '-v, --version', 'print the version')
    .option('--debug', 'print the stack trace of internal errors')
    .helpOption('-h, --help', 'show help for the command')
    .configureOutput({ writeOut: (s) => ctx.io.out(s.replace(/\n$/, '')), writeErr: (s) => ctx.io.err(s.replace(/\n$/, '')), outputError: () => undefined })
    .exitOverride();
  registerServe(program, ctx);
  registerCheck(program, ctx);
  program
    .command('schema')
    .summary('print the config JSON Schema (config/rmdgate.schema.json)')
    .description('Prints the JSON Schema of the config file, as committed in config/rmdgate.schema.json (editors use it to validate and complete).')
    .action(() => ctx.io.out(JSON.stringify(toConfigJsonSchema(), null, 2)));
  registerTraceback(program, ctx);
  registerWhatif(program, ctx);
  registerFeed(program, ctx);
  registerAdminCommands(program, ctx);
  const nested = allCommands(program).filter((c) => c.parent !== program && c !== program);
  program.addHelpText('after', `
Subcommands:
${nested.map((c) => `  ${commandPath(c).replace(/^rmdgate /, '').padEnd(18)} ${c.summary()}`).join('\n')}

Run "rmdgate COMMAND --help" for a command's options. Global option --debug may follow the command.
Exit codes: 0 ok; 1 runtime failure (a listener that cannot bind, a fatal error while serving, a gate that refused or
is not listening); 2 invalid usage, config or data.`);
  return program;
}

/** Every command of the tree, depth first (the program first). */
export function allCommands(root: Command): Command[] {
  return [root, ...root.commands.flatMap((c) => allCommands(c))];
}

/** `rmdgate feed diff` for the diff command. */
export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Parses `argv` (without node and the script), runs the command and returns the exit code; never throws. */
export async function runCli(argv: readonly string[], run: CliRunContext): Promise<number> {
  let code: number = EXIT.ok;
  const ctx: CliContext = { ...run, setExitCode: (c) => void (code = c) };
  const program = buildProgram(ctx);
  let current: Command = program;
  for (const c of allCommands(program)) {
    c.exitOverride((err) => {
      current = c;
      throw err;
    });
  }
  program.hook('preAction', (_root, action) => void (current = action));
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (err) {
    const debug = argv.includes('--debug');
    return report(err, commandPath(current), ctx, debug);
  }
}

function report(err: unknown, path: string, ctx: CliContext, debug: boolean): number {
  const { io } = ctx;
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT.ok;
    if (err.code === 'commander.help') return EXIT.usage; // no command given: the help went to stderr
    io.err(`${path}: ${oneLine(err.message)} (see ${path} --help)`);
    return EXIT.usage;
  }
  if (err instanceof UsageError) {
    io.err(`${path}: error: ${oneLine(err.message)} (see ${path} --help)`);
    return EXIT.usage;
  }
  if (err instanceof ConfigError || err instanceof DataFileError) {
    io.err(err.message);
    return EXIT.usage;
  }
  if (err instanceof CommandFailed) {
    io.err(`${path}: ${err.message}`);
    return EXIT.failure;
  }
  // A system error (a port in use, a directory not writable) is the environment, not a bug: its message says it all.
  const message = err instanceof Error ? err.message : String(err);
  io.err(`rmdgate: fatal: ${debug && err instanceof Error && err.stack ? err.stack : message}`);
  if (!debug && !(err instanceof Error && typeof (err as NodeJS.ErrnoException).syscall === 'string')) io.err('(run again with --debug for the stack trace)');
  return EXIT.failure;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
