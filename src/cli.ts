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
void runCli(process.argv.slice(2), { io: processIo, now: () => Date.now(), progressStream: process.stderr }).then((code) => process.exit(code));
