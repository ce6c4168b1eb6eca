/**
 * Worker-thread entry of the PostgreSQL CDR store: runs the spool-then-insert shipper off the SIP event loop.
 * Spawned by the worker CDR sink; never imported by the main thread.
 */
import { workerData } from 'node:worker_threads';
import { createPgShipper, type PgShipperOptions } from './shipper.js';
import { serveStoreWorker } from '../worker-protocol.js';

serveStoreWorker(() => createPgShipper(workerData as PgShipperOptions));
