/** Logs `lines` lines of ~1 KB to stdout through rmdgate's logger with a `maxLength`-byte buffer; reports drops on stderr. */
import { pino } from 'pino';
import { boundedStdout } from '../../../src/ops/logger.js';

const [lines, maxLength] = process.argv.slice(2).map(Number) as [number, number];
let dropped = 0;
const log = pino({ base: null }, boundedStdout(() => dropped++, maxLength));
const pad = 'x'.repeat(1000);
for (let i = 0; i < lines; i++) log.info({ i, pad }, 'line');
process.stderr.write(JSON.stringify({ dropped, rss: process.memoryUsage().rss }) + '\n');
log.flush(() => process.exit(0));
