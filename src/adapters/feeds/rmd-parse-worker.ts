/**
 * Worker-thread entry: parses RMD bodies off the main thread and streams the snapshot back in small messages, so the
 * event loop that answers SIP never blocks on a 10,000-row parse (each message deserialises in well under 1 ms).
 */
import { parentPort } from 'node:worker_threads';
import { feedErrorCode } from '../../app/feed-error.js';
import type { RmdFiling } from '../../core/model.js';
import { parseRmdFeed } from './feed-parse.js';
import type { WireError, WorkerJob, WorkerReply } from './feed-parser.js';

const FILINGS_PER_MESSAGE = 200;
const FRNS_PER_MESSAGE = 2000;

function toWire(err: unknown): WireError {
  const e = err as Partial<WireError> & { name?: string; message?: string; retryable?: boolean };
  return {
    name: e.name ?? 'Error',
    message: e.message ?? String(err),
    code: typeof e.code === 'string' ? e.code : undefined,
    feedCode: feedErrorCode(err),
    file: e.file,
    line: e.line,
    column: e.column,
    problems: e.problems,
    retryable: e.retryable === true,
  };
}

function handle(job: WorkerJob): void {
  const post = (reply: WorkerReply): void => parentPort?.postMessage(reply);
  try {
    const { snapshot, headers } = parseRmdFeed(job.bytes, job.job);
    post({ id: job.id, type: 'head', snapshotId: snapshot.id, source: snapshot.source, loadedAt: snapshot.loadedAt, headers });
    let batch: RmdFiling[] = [];
    for (const filing of snapshot.byRmdNumber.values()) {
      batch.push(filing);
      if (batch.length === FILINGS_PER_MESSAGE) [post({ id: job.id, type: 'filings', filings: batch }), (batch = [])];
    }
    if (batch.length > 0) post({ id: job.id, type: 'filings', filings: batch });
    const pairs = [...snapshot.byFrn].map(([frn, f]): [string, string] => [frn, f.rmdNumber]);
    for (let i = 0; i < pairs.length; i += FRNS_PER_MESSAGE) post({ id: job.id, type: 'frns', pairs: pairs.slice(i, i + FRNS_PER_MESSAGE) });
    post({ id: job.id, type: 'done' });
  } catch (err) {
    post({ id: job.id, type: 'error', error: toWire(err) });
  }
}

parentPort?.on('message', handle);
