/**
 * The second opinion, run in the background only: for configured providers missing from the RMD snapshot, ask the RMD
 * JSON endpoint (through the cache) by FRN; confirmed filings are handed to the world composer. The SIP path never waits.
 */
import type { Logger, Provider, RmdFiling } from '../screening/index.js';
import type { FeedMetrics, SecondOpinionLookup } from './ports.js';

/** Lookups in flight at once per run. */
const CONCURRENCY = 8;

/** Collaborators of the runner. `onChange` runs when the set of confirmed filings changed. */
export interface SecondOpinionDeps {
  readonly lookup: SecondOpinionLookup;
  readonly metrics: FeedMetrics;
  readonly log: Logger;
  readonly onChange: () => void;
}

/** The runner. */
export interface SecondOpinionRunner {
  /** Looks up every provider in `missing` that has an FRN; resolves when all lookups answered or hit their deadline. */
  run(missing: readonly Provider[], snapshotId: string): Promise<void>;
  /** Filings confirmed for the providers of the last run. */
  extras(): readonly RmdFiling[];
}

function sameFilings(a: readonly RmdFiling[], b: readonly RmdFiling[]): boolean {
  const key = (list: readonly RmdFiling[]): string => list.map((f) => `${f.rmdNumber}/${f.frn}/${f.implementation}`).sort().join(',');
  return a.length === b.length && key(a) === key(b);
}

/** Creates the runner. Runs are serialised: a run requested while one is going starts after it. */
export function createSecondOpinionRunner(deps: SecondOpinionDeps): SecondOpinionRunner {
  let extras: readonly RmdFiling[] = [];
  let chain: Promise<void> = Promise.resolve();

  const runOnce = async (missing: readonly Provider[], snapshotId: string): Promise<void> => {
    const frns = [...new Set(missing.map((p) => p.frn).filter((f): f is string => f !== undefined))];
    const found = new Map<string, RmdFiling>();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < frns.length) {
        const frn = frns[next++] as string;
        const { filing, result } = await deps.lookup.lookup(frn, snapshotId);
        deps.metrics.cacheLookup(result);
        if (filing !== undefined) found.set(filing.rmdNumber, filing);
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, frns.length) }, worker));
    const confirmed = [...found.values()];
    if (sameFilings(confirmed, extras)) return;
    deps.log.info({ filings: confirmed.map((f) => ({ rmdNumber: f.rmdNumber, frn: f.frn, businessName: f.businessName })), snapshotId }, 'rmd second opinion changed');
    extras = confirmed;
    deps.onChange();
  };

  return {
    run(missing, snapshotId) {
      chain = chain.then(() => runOnce(missing, snapshotId)).catch((err: unknown) => deps.log.error({ err }, 'rmd second opinion failed'));
      return chain;
    },
    extras: () => extras,
  };
}
