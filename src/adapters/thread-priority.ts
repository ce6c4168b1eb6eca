/**
 * CPU priority of the calling worker thread, so on a busy host the main thread — the one that answers SIP — wins the
 * CPU over background work (parsing a feed, writing CDRs). Linux: setpriority() on the thread id read from
 * /proc/thread-self. Best effort: elsewhere, or without permission, a no-op that returns false.
 */
import { readlinkSync } from 'node:fs';
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
