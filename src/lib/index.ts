/**
 * Domain-free building blocks with their own tests and micro-benchmarks (`npm run bench:lib`).
 */
export { fnv1aBytes, fnv1aString } from './fnv1a.js';
export { createLock } from './lock.js';
export { entryOf, forkEntry, startWorker, type Entry } from './off-thread.js';
export { allocShared, concatShared, isShared, readFileShared } from './shared-body.js';
export { createTally, type Tally } from './tally.js';
export { createRateLimiter, type RateLimiter, type RateLimiterOptions } from './rate-limiter.js';
export { setProcessPriority, setThreadPriority } from './thread-priority.js';
export { SLOT_SIZES, createTtlByteTable, type TtlByteTable, type TtlByteTableOptions } from './ttl-byte-table.js';
export { watchFile } from './watch-file.js';
