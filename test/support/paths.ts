/** Paths inside the repository, for tests (never outside it: a plain clone must pass). */
import { join, resolve } from 'node:path';

/** The repository root. */
export const ROOT = resolve(import.meta.dirname, '../..');

/** A path below the repository root, e.g. `repoPath('config/samples/rmd.csv')`. */
export function repoPath(...parts: string[]): string {
  return join(ROOT, ...parts);
}
