/**
 * Watches one file for changes (fs.watch on its folder, so editors that replace the file by rename are seen) and
 * calls back once per burst of events, after `debounceMs` of quiet.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Logger } from '../screening/index.js';

/** Starts watching; close() stops it. Watch errors are logged and end the watch (reload by SIGHUP still works). */
export function watchFile(file: string, debounceMs: number, onChange: () => void, log: Logger): { close(): void } {
  const name = basename(file);
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(file), { persistent: false }, (_event, changed) => {
      if (changed !== null && changed.toString() !== name) return;
      clearTimeout(timer);
      timer = setTimeout(onChange, debounceMs);
      timer.unref();
    });
    watcher.on('error', (err) => {
      log.warn({ file, err }, 'config watch stopped');
      watcher?.close();
    });
  } catch (err) {
    log.warn({ file, err }, 'config watch not started');
  }
  return {
    close() {
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
