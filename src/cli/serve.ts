/**
 * `rmdgate serve`: runs the gate until SIGTERM or SIGINT, then stops it in order (SIP, feeds, CDR flush, listeners).
 * A fatal error while serving (cli/fatal.ts) stops it the same way, bounded in time, and exits 1.
 */
import { loadConfig } from '../config/index.js';
import { start } from '../main.js';
import { EXIT, fatal, onFatalShutdown } from './fatal.js';

/** Serves with the config in `file`; resolves with exit code 0 once stopped by a signal. */
export async function serveCommand(file: string): Promise<number> {
  const loaded = await loadConfig(file);
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
