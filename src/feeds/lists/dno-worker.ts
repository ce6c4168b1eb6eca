/**
 * Worker-thread entry of the DNO list parser: industry DNO lists run to millions of numbers (a 10-million-number list
 * takes seconds to parse and compile), so they are parsed here, off the event loop that answers SIP, and the compiled
 * table comes back as its typed arrays, transferred, not copied (dno-table.ts DnoListParts). One job per worker.
 */
import { parentPort } from 'node:worker_threads';
import { dnoListParts, type DnoListParts } from '../../screening/index.js';
import { parseFeed, type FeedParseJob } from '../parse.js';
import type { FeedSpec } from '../ports.js';
import { toWire, type WireError } from '../rmd/parser-protocol.js';

/** The one message a DNO worker gets. */
export interface DnoJob {
  readonly spec: FeedSpec;
  readonly bytes: Uint8Array;
  readonly job: FeedParseJob;
}

/** Its one answer. */
export type DnoReply = { readonly ok: true; readonly parts: DnoListParts } | { readonly ok: false; readonly error: WireError };

parentPort?.once('message', ({ spec, bytes, job }: DnoJob) => {
  try {
    const data = parseFeed(spec, bytes, job);
    if (data.kind !== 'dno') throw new TypeError(`dno worker: feed ${spec.name} is a ${data.kind} feed`);
    const parts = dnoListParts(data.list);
    const reply: DnoReply = { ok: true, parts };
    // Each typed array owns its buffer (dno-table.ts allocates them apart), so all three move without a copy.
    parentPort?.postMessage(reply, [parts.offsets.buffer, parts.lines.buffer, parts.metaOf.buffer] as ArrayBuffer[]);
  } catch (err) {
    const reply: DnoReply = { ok: false, error: toWire(err) };
    parentPort?.postMessage(reply);
  }
});
