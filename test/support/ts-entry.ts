/** Node options that run a TypeScript source as a child process, the way off-thread entries run from sources. */
import { entryOf } from '../../src/lib/off-thread.js';

/** `--import` options registering tsx's loader (this file is a `.ts` source, so entryOf gives the source form). */
export const TS_EXEC_ARGV: readonly string[] = entryOf('./unused.js', import.meta.url).execArgv;
