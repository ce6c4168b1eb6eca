/**
 * Process-level fatal errors: an uncaught exception, an unhandled rejection, or a part of a running gate that cannot
 * go on (a CDR store worker that died). One line on stderr, a best-effort shutdown bounded in time (CDRs flushed,
 * children stopped), then exit 1, so a supervisor restarts the process instead of leaving it half alive.
 */

/** Exit codes of `rmdgate` (README, Command line). */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** How long the shutdown after a fatal error may take before the process exits anyway, ms. */
export const FATAL_SHUTDOWN_MS = 3000;

let shutdown: (() => Promise<void>) | undefined;
let dying = false;

/** Registers what a fatal error runs before exiting (the running gate's stop). */
export function onFatalShutdown(fn: (() => Promise<void>) | undefined): void {
  shutdown = fn;
}

/** Reports `err`, runs the registered shutdown (at most FATAL_SHUTDOWN_MS) and exits 1. Later calls do nothing. */
export function fatal(what: string, err: unknown): void {
  if (dying) return;
  dying = true;
  process.stderr.write(`rmdgate: fatal: ${what}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  setTimeout(() => process.exit(EXIT.failure), FATAL_SHUTDOWN_MS).unref();
  void (shutdown?.() ?? Promise.resolve()).catch(() => undefined).finally(() => process.exit(EXIT.failure));
}

/** Makes uncaught exceptions and unhandled rejections fatal. */
export function installFatalHandlers(): void {
  process.on('uncaughtException', (err) => fatal('uncaught exception', err));
  process.on('unhandledRejection', (err) => fatal('unhandled rejection', err));
}
