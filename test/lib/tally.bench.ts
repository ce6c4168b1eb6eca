/**
 * Micro-benchmark of the hot-path tally against incrementing a prom-client counter directly, per call with the label
 * values rmdgate_invites_total uses. `npm run bench:lib`.
 */
import { Counter, Registry } from 'prom-client';
import { bench, describe } from 'vitest';
import { createTally } from '../../src/lib/tally.js';

const TRUNKS = ['t-1', 't-2', 't-3', 't-4'];
const LABELS = ['trunk', 'decision', 'reason', 'mode'] as const;

describe('one increment per screened call, 4 labels', () => {
  const tally = createTally(LABELS);
  const counter = new Counter({ name: 'bench_tallied_total', help: 'x', labelNames: LABELS, registers: [new Registry()] });
  const direct = new Counter({ name: 'bench_direct_total', help: 'x', labelNames: LABELS, registers: [new Registry()] });
  let i = 0;
  bench('lib/tally (drained every 8,192)', () => {
    tally.inc(TRUNKS[i++ & 3]!, 'reject', 'provider-not-in-rmd', 'enforce');
    if ((i & 8191) === 0) tally.drain((labels, n) => counter.inc(labels, n));
  });
  bench('prom-client Counter.inc (reference)', () => {
    direct.inc({ trunk: TRUNKS[i++ & 3]!, decision: 'reject', reason: 'provider-not-in-rmd', mode: 'enforce' });
  });
});
