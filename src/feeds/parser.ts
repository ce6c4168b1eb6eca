/**
 * The feed system's parser: blocklists are parsed on the calling thread (they are small); RMD exports in the parser
 * process (rmd/parser-process.ts), so the event loop that answers SIP never runs a 10,000-row parse.
 */
import { parseFeed } from './parse.js';
import type { FeedData, FeedParser } from './ports.js';
import { RmdParserProcess } from './rmd/parser-process.js';

/** Options of {@link createFeedParser}. */
export interface FeedParserOptions {
  readonly maxBytes: number;
  /**
   * Longest an RMD parse may take before it is abandoned (ERR_FEED_TIMEOUT, the last good data stays in force) and
   * the parser process is restarted, so a pathological body cannot wedge every later refresh. Default 60 s.
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
      if (spec.kind !== 'rmd') return parseFeed(spec, bytes, job);
      const { snapshot, headers, report } = await rmd.run(bytes, job);
      return { kind: 'rmd', snapshot, headers, report };
    },
    close: () => rmd.close(),
  };
}
