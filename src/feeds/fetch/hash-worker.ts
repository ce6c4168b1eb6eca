/**
 * Worker thread of the off-thread body hasher (body-hasher.ts): hashes bodies that live in shared memory, in place.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { setThreadPriority } from '../../lib/index.js';
import type { HashReply, HashRequest } from './body-hasher.js';

setThreadPriority(constants.priority.PRIORITY_BELOW_NORMAL);
parentPort?.on('message', (m: HashRequest) => {
  parentPort?.postMessage({ id: m.id, sha256: createHash('sha256').update(m.bytes).digest('hex') } satisfies HashReply);
});
