#!/usr/bin/env node
/**
 * The `rmdgate` command line (commands in src/cli/program.ts). Owns the process: fatal-error handlers, the exit
 * code, and exiting once the command is done.
 */
import { processIo } from './cli/common.js';
import { installFatalHandlers } from './cli/fatal.js';
import { runCli } from './cli/program.js';

installFatalHandlers();

// Exit when the command is done, whatever handle may still be open: a failed start must not leave the process alive.
void runCli(process.argv.slice(2), { io: processIo, now: () => Date.now(), progressStream: process.stderr }).then(exitAfterFlush);

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
