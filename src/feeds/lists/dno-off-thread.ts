/**
 * Parses a DNO list in a worker thread (dno-worker.ts) and rebuilds the compiled list from its transferred parts, so
 * a refresh of a multi-million-number list never holds the event loop that answers SIP.
 */
import { entryOf, startWorker } from '../../lib/index.js';
import { dnoListFromParts } from '../../screening/index.js';
import { FeedError } from '../errors.js';
import type { FeedParseJob } from '../parse.js';
import type { FeedData, FeedSpec } from '../ports.js';
import { revive } from '../rmd/parser-protocol.js';
import type { DnoJob, DnoReply } from './dno-worker.js';

const ENTRY = entryOf('./dno-worker.js', import.meta.url);

/** Parses `bytes` as the DNO feed `spec` off-thread; rejects with the parse error, or ERR_FEED_TIMEOUT after `timeoutMs`. */
export function parseDnoOffThread(spec: FeedSpec, bytes: Uint8Array, job: FeedParseJob, timeoutMs: number): Promise<FeedData> {
  const worker = startWorker(ENTRY);
  return new Promise<FeedData>((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      void worker.terminate();
      fn();
    };
    const deadline = setTimeout(() => settle(() => reject(new FeedError('ERR_FEED_TIMEOUT', `DNO list parse did not finish within ${timeoutMs} ms; parser worker stopped`))), timeoutMs);
    worker.once('message', (reply: DnoReply) => settle(() => (reply.ok ? resolve({ kind: 'dno', list: dnoListFromParts(reply.parts) }) : reject(revive(reply.error)))));
    worker.once('error', (err) => settle(() => reject(new FeedError('ERR_FEED_PARSE', `DNO list parser worker failed: ${err.message}`))));
    worker.once('exit', (code) => settle(() => reject(new FeedError('ERR_FEED_PARSE', `DNO list parser worker exited (${code}) without an answer`))));
    const message: DnoJob = { spec, bytes, job: { source: job.source, loadedAt: job.loadedAt, maxBytes: job.maxBytes, contentType: job.contentType } };
    worker.postMessage(message);
  });
}
