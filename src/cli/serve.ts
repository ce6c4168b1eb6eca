/**
 * `rmdgate serve`: runs the gate until SIGTERM or SIGINT, then stops it in order (SIP, feeds, CDR flush, listeners).
 * A fatal error while serving (cli/fatal.ts) stops it the same way, bounded in time, and exits 1.
 */
import type { Command } from 'commander';
import { loadConfig } from '../config/index.js';
import type { CliContext } from './common.js';
import { configOption, requireConfig } from './config-option.js';
import { EXIT, fatal, onFatalShutdown } from './fatal.js';

/** Adds `rmdgate serve`. */
export function registerServe(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('serve')
    .summary('run the gate (SIP front, CDRs, ops and admin listeners)')
    .description('Runs the gate until SIGTERM or SIGINT, then stops it in order (SIP, feeds, CDR flush, listeners). SIGHUP reloads the config. Exit 0 stopped by a signal, 1 a listener that cannot bind or a fatal error, 2 invalid config or data.');
  configOption(cmd).action(async (opts: { config?: string }) => ctx.setExitCode(await serveCommand(requireConfig(opts))));
}

/** Serves with the config in `file`; resolves with exit code 0 once stopped by a signal. */
export async function serveCommand(file: string): Promise<number> {
  const loaded = await loadConfig(file);
  // The gate (SIP stack, metrics, sinks) is loaded only to serve: the other commands start without it.
  const { start } = await import('../main.js');
  const app = await start(loaded, { onFatal: fatal });
  onFatalShutdown(() => app.stop());
  await new Promise<void>((resolve) => {
    const onSignal = (): void => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      void app.stop().then(resolve);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  onFatalShutdown(undefined);
  return EXIT.ok;
}
