/**
 * The feed system's parser: blocklists and the allocation feed are parsed on the calling thread (they are small); RMD
 * exports in the parser process (rmd/parser-process.ts) and DNO lists, which run to millions of numbers, in a worker
 * thread (lists/dno-off-thread.ts), so the event loop that answers SIP never runs a large parse.
 */
import { parseDnoOffThread } from './lists/dno-off-thread.js';
import { parseFeed } from './parse.js';
import type { FeedData, FeedParser } from './ports.js';
import { RmdParserProcess } from './rmd/parser-process.js';

/** Options of {@link createFeedParser}. */
export interface FeedParserOptions {
  readonly maxBytes: number;
  /**
   * Longest an RMD or DNO parse may take before it is abandoned (ERR_FEED_TIMEOUT, the last good data stays in force)
   * and the parser process or worker is stopped, so a pathological body cannot wedge every later refresh. Default 60 s.
   */
  readonly parseTimeoutMs?: number;
}

/** Creates the parser; close() stops the parser process. */
export function createFeedParser(opts: FeedParserOptions): FeedParser & { readonly parserPid: number | undefined } {
  const rmd = new RmdParserProcess(opts.parseTimeoutMs ?? 60_000);
  return {
    get parserPid() {
      return rmd.pid;
    },
    async parse(spec, bytes, o): Promise<FeedData> {
      const job = { source: o.source, loadedAt: o.loadedAt, maxBytes: opts.maxBytes, contentType: o.contentType };
      if (spec.kind === 'dno') return parseDnoOffThread(spec, bytes, job, opts.parseTimeoutMs ?? 60_000);
      if (spec.kind !== 'rmd') return parseFeed(spec, bytes, job);
      const { snapshot, headers, report } = await rmd.run(bytes, job);
      return { kind: 'rmd', snapshot, headers, report };
    },
    close: () => rmd.close(),
  };
}
