/**
 * CPU priority of the calling worker thread, so on a busy host the main thread — the one that answers SIP — wins the
 * CPU over background work (parsing a feed, writing CDRs). Linux: setpriority() on the thread id read from
 * /proc/thread-self. Best effort: elsewhere, or without permission, a no-op that returns false.
 */
import { readdirSync, readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/** Sets this thread's nice value (e.g. os.constants.priority.PRIORITY_LOW = 19); true when it took effect. */
export function setThreadPriority(nice: number): boolean {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return false;
    setPriority(tid, nice);
    return true;
  } catch {
    return false; // not Linux, or not allowed: the thread keeps its priority
  }
}

/**
 * Sets the nice value of every thread of this process (Linux: each task in /proc/self/task; threads created later
 * inherit it from their creator). Returns how many threads took it; 0 elsewhere or without permission.
 */
export function setProcessPriority(nice: number): number {
  let n = 0;
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      try {
        setPriority(Number(tid), nice);
        n++;
      } catch {
        // a thread that just ended, or not allowed
      }
    }
  } catch {
    return n; // not Linux
  }
  return n;
}
