import { defineConfig } from 'vitest/config';

/**
 * Test tiers by file suffix; the test tree mirrors src/ (test/feeds/refresh.test.ts tests src/feeds/refresh.ts):
 * `*.test.ts` unit, `*.int.test.ts` integration (real sockets, workers, processes), `*.sipp.test.ts` sipp interop,
 * `*.edge.test.ts` attacks and floods against a gate process (issue #12: run alone, after the others, so the
 * machine's other tests do not skew their latency and memory budgets), `*.e2e.test.ts` against a real
 * drachtio-server (opt-in by environment).
 */
const TIERS = ['int', 'sipp', 'edge', 'e2e'] as const;
const excludeTiers = TIERS.map((t) => `test/**/*.${t}.test.ts`);

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: excludeTiers,
          environment: 'node',
          // Micro-benchmarks of lib/ (npm run bench:lib): each against a reference in the same run.
          benchmark: { include: ['test/lib/**/*.bench.ts'] },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.int.test.ts'],
          environment: 'node',
          testTimeout: 20_000,
          hookTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'sipp',
          include: ['test/**/*.sipp.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 30_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'edge',
          include: ['test/**/*.edge.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 30_000,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/**/*.e2e.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
