/**
 * Worker-thread entry of the SQLite CDR store: owns the day files and applies retention at start and daily.
 * Spawned by the worker CDR sink; never imported by the main thread.
 */
import { workerData } from 'node:worker_threads';
import { mkdirSync } from 'node:fs';
import { applyRetention } from './day-files.js';
import { createSqliteWriter } from './writer.js';
import { serveStoreWorker, workerLog, type StoreWorkerHandler } from '../worker-protocol.js';

/** workerData of the SQLite store worker. */
export interface SqliteWorkerData {
  readonly dir: string;
  readonly retentionDays: number;
  /** How often retention runs after the start, ms (default one day). */
  readonly retentionIntervalMs?: number;
}

const DAY_MS = 86_400_000;

serveStoreWorker(async (): Promise<StoreWorkerHandler> => {
  const data = workerData as SqliteWorkerData;
  mkdirSync(data.dir, { recursive: true });
  const retain = (): void => {
    try {
      const deleted = applyRetention(data.dir, data.retentionDays, Date.now());
      if (deleted.length > 0) workerLog('info', 'cdr day files deleted by retention', { dir: data.dir, days: deleted, retentionDays: data.retentionDays });
    } catch (err) {
      workerLog('error', 'cdr retention failed', { dir: data.dir, err: (err as Error).message });
    }
  };
  retain();
  const timer = setInterval(retain, data.retentionIntervalMs ?? DAY_MS);
  timer.unref();
  const writer = createSqliteWriter({ dir: data.dir });
  return {
    batch: (items) => writer.write(items),
    sync() {},
    close() {
      clearInterval(timer);
      writer.close();
    },
  };
});
