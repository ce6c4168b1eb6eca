import { defineConfig } from 'vitest/config';

/**
 * The vitest run StrykerJS drives (npm run test:mutation, stryker.config.json): only the unit tests of the pure
 * screening core, so each mutant is tested in well under a second. Integration and other tiers cover screening too,
 * but through sockets and processes, which would make every mutant run slow and the score depend on timing.
 */
export default defineConfig({
  test: {
    include: ['test/screening/**/*.test.ts'],
    exclude: ['test/**/*.{int,sipp,edge,e2e}.test.ts'],
    environment: 'node',
  },
});
