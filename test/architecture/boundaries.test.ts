/**
 * The architecture's import rules (eslint.config.js, docs/architecture.md) reject what they must: each case lints a
 * one-line module placed at a path inside src/ and expects the named rule to fire, or to stay silent.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/paths.js';

const eslint = new ESLint({ cwd: ROOT });

/** The rule ids ESLint reports for `code` placed at `filePath`. */
async function rulesFired(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

describe('architecture boundaries', () => {
  it.each([
    { name: 'a subsystem reaching past another one\'s index.ts', file: 'src/feeds/probe.ts', code: "import { createCdrSinks } from '../cdr/sinks.js';\nexport const x = createCdrSinks;\n", rule: 'boundaries/entry-point' },
    { name: 'the screening core importing Node', file: 'src/screening/probe.ts', code: "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n", rule: 'no-restricted-imports' },
    { name: 'the screening core importing another subsystem', file: 'src/screening/probe.ts', code: "import { toSipReply } from '../sip/shared/index.js';\nexport const x = toSipReply;\n", rule: 'boundaries/element-types' },
    { name: 'the screening core reading the clock', file: 'src/screening/probe.ts', code: 'export const now = (): number => Date.now();\n', rule: 'no-restricted-properties' },
    { name: 'the built-in front importing the drachtio front', file: 'src/sip/builtin/probe.ts', code: "import { createDrachtioFront } from '../drachtio/index.js';\nexport const x = createDrachtioFront;\n", rule: 'boundaries/element-types' },
    { name: 'the drachtio front importing the built-in front', file: 'src/sip/drachtio/probe.ts', code: "import { createBuiltinSipServer } from '../builtin/index.js';\nexport const x = createBuiltinSipServer;\n", rule: 'boundaries/element-types' },
    { name: 'lib importing a subsystem', file: 'src/lib/probe.ts', code: "import type { Logger } from '../screening/index.js';\nexport type X = Logger;\n", rule: 'boundaries/element-types' },
    { name: 'a subsystem other than config reading the environment', file: 'src/feeds/probe.ts', code: "export const home = process.env['HOME'];\n", rule: 'no-restricted-properties' },
    { name: 'a subsystem importing the composition root', file: 'src/ops/probe.ts', code: "import { start } from '../main.js';\nexport const x = start;\n", rule: 'boundaries/element-types' },
  ])('rejects $name', async ({ file, code, rule }) => {
    expect(await rulesFired(file, code)).toContain(rule);
  });

  it.each([
    { name: 'a subsystem importing another through its index.ts', file: 'src/feeds/probe.ts', code: "import { decide } from '../screening/index.js';\nexport const x = decide;\n" },
    { name: 'a front importing sip/shared', file: 'src/sip/builtin/probe.ts', code: "import { toSipReply } from '../shared/index.js';\nexport const x = toSipReply;\n" },
    { name: 'files of one subsystem importing each other directly', file: 'src/feeds/rmd/probe.ts', code: "import { FeedError } from '../errors.js';\nexport const x = FeedError;\n" },
    { name: 'config reading the environment', file: 'src/config/probe.ts', code: "export const home = process.env['HOME'];\n" },
  ])('accepts $name', async ({ file, code }) => {
    expect(await rulesFired(file, code)).toEqual([]);
  });
});
