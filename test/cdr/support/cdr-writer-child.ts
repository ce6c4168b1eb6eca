/**
 * Child process for durability tests: starts the SQLite CDR sink in DIR, writes RATE records/s (10 ms slices) and
 * prints `w <count>` after each slice. On SIGTERM it closes the sink and prints `closed <count>`.
 * Usage: node <ts loader> cdr-writer-child.ts DIR RATE FLUSH_MS
 */
import { createCdrSinks } from '../../../src/cdr/sinks.js';
import { buildCdr } from '../../support/builders.js';
import { cdrConfig } from './cdr-config.js';
import { countingMetrics, silentLog } from '../../support/fakes.js';

const [dir, rateText, flushText] = process.argv.slice(2);
const rate = Number(rateText);
const sink = await createCdrSinks(cdrConfig(dir!, { flushIntervalMs: Number(flushText) }), {
  resolvePath: (p) => p, log: silentLog, metrics: countingMetrics(), monotonicMs: () => performance.now(),
});
const started = Date.now();
let n = 0;
const timer = setInterval(() => {
  const due = Math.min(Math.floor(((Date.now() - started) * rate) / 1000), rate * 600);
  for (; n < due; n++) sink.write(buildCdr({ seq: n + 1, receivedAtMs: started + Math.floor((n * 1000) / rate), callId: `child-${n + 1}` }));
  process.stdout.write(`w ${n}\n`);
}, 10);
process.once('SIGTERM', () => {
  clearInterval(timer);
  void sink.close().then(() => {
    process.stdout.write(`closed ${n}\n`);
    process.exit(0);
  });
});
process.stdout.write('ready\n');
