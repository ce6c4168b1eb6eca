/**
 * Watches one file for changes (fs.watch on its folder, so editors that replace the file by rename are seen) and
 * calls back once per burst of events, after `debounceMs` of quiet.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

/**
 * Starts watching; close() stops it. A watch that cannot start or fails later ends, and `onError` hears why (`start`
 * or `watch`); the caller's other triggers (e.g. SIGHUP) keep working.
 */
export function watchFile(file: string, debounceMs: number, onChange: () => void, onError: (err: unknown, when: 'start' | 'watch') => void): { close(): void } {
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
      watcher?.close();
      onError(err, 'watch');
    });
  } catch (err) {
    onError(err, 'start');
  }
  return {
    close() {
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
