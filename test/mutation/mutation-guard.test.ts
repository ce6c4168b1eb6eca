import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs script without type declarations
import { checkPins, originalText } from '../../scripts/mutation-guard.mjs';

type Status = 'Killed' | 'Timeout' | 'Survived' | 'NoCoverage';
const SOURCE = "export const a = x === 'v4' && y;\nexport function f() {\n  return 1;\n}\n";

function report(status: Status, replacement = 'true') {
  return {
    files: {
      'src/screening/x.ts': {
        source: SOURCE,
        mutants: [
          { id: '1', mutatorName: 'ConditionalExpression', replacement, status, location: { start: { line: 1, column: 18 }, end: { line: 1, column: 28 } } },
          { id: '2', mutatorName: 'BlockStatement', replacement: '{}', status: 'Killed', location: { start: { line: 2, column: 21 }, end: { line: 4, column: 2 } } },
        ],
      },
    },
  };
}

const PIN = { file: 'src/screening/x.ts', mutator: 'ConditionalExpression', original: "x === 'v4'", replacement: 'true', why: 'item 1: stays IPv6' };

describe('mutation guard', () => {
  it('reads the original text of one-line and multi-line mutant locations', () => {
    expect(originalText(SOURCE, { start: { line: 1, column: 18 }, end: { line: 1, column: 28 } })).toBe("x === 'v4'");
    expect(originalText(SOURCE, { start: { line: 2, column: 21 }, end: { line: 4, column: 2 } })).toBe('{\n  return 1;\n}');
  });

  it.each(['Killed', 'Timeout'] as const)('holds a pin whose mutant is %s', (status) => {
    expect(checkPins(report(status), [PIN])).toEqual({ problems: [], matched: 1 });
  });

  it.each(['Survived', 'NoCoverage'] as const)('fails a pin whose mutant is %s, naming the pin', (status) => {
    const { problems } = checkPins(report(status), [PIN]);

    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(status);
    expect(problems[0]).toContain('item 1: stays IPv6');
  });

  it.each(['CompileError', 'Ignored'])('does not count a %s mutant as a match (it was never tested)', (status) => {
    const { problems } = checkPins(report(status as Status), [PIN]);

    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('re-pin');
  });

  it('fails a pin that matches no mutant (the code changed) and one whose file is not in the report', () => {
    const { problems } = checkPins(report('Killed', 'false'), [PIN, { ...PIN, file: 'src/screening/gone.ts' }]);

    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain('re-pin');
    expect(problems[1]).toContain('not in the mutation report');
  });
});
