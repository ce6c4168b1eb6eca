/** A store worker that starts, then dies (exit code 3) as a crashed native driver would: for the fatal-exit tests. */
import { parentPort } from 'node:worker_threads';

parentPort?.postMessage({ t: 'ready' });
setTimeout(() => process.exit(3), 50);
