/**
 * `rmdgate serve`: runs the gate until SIGTERM or SIGINT, then stops it in order (SIP, feeds, CDR flush, listeners).
 */
import { loadConfig } from '../config/index.js';
import { start } from '../main.js';

/** Serves with the config in `file`; resolves with exit code 0 once stopped by a signal. */
export async function serveCommand(file: string): Promise<number> {
  const loaded = await loadConfig(file);
  const app = await start(loaded);
  await new Promise<void>((resolve) => {
    const onSignal = (): void => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      void app.stop().then(resolve);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  return 0;
}
