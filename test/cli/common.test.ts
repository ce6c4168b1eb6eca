import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addFormatOptions, formatOf, toCsv, tracebackAt, UsageError } from '../../src/cli/common.js';

describe('toCsv', () => {
  it('quotes cells with a comma, quote or line break and leaves empty cells empty', () => {
    expect(toCsv(['a', 'b', 'c'], [['x,y', 'say "hi"', null], [1, true, 'two\nlines']])).toBe('a,b,c\n"x,y","say ""hi""",\n1,true,"two\nlines"');
  });
});

describe('--format and --json', () => {
  const parse = (args: string[]): string => {
    const cmd = addFormatOptions(new Command('x').exitOverride(), ['table', 'json', 'csv']);
    cmd.parse(args, { from: 'user' });
    return formatOf(cmd.opts(), cmd);
  };

  it.each([
    { args: [], format: 'table' },
    { args: ['--json'], format: 'json' },
    { args: ['--format', 'json'], format: 'json' },
    { args: ['--format', 'csv'], format: 'csv' },
    { args: ['--json', '--format', 'json'], format: 'json' },
  ])('$args → $format', ({ args, format }) => {
    expect(parse(args)).toBe(format);
  });

  it('refuses --json with another --format', () => {
    expect(() => parse(['--json', '--format', 'csv'])).toThrow(new UsageError('--json conflicts with --format csv'));
  });
});

describe('tracebackAt', () => {
  const NOW = Date.UTC(2026, 10, 20, 19, 3, 0);

  it.each([
    { text: '2026-11-20T14:03:00-05:00', tz: undefined, want: { at: '2026-11-20T14:03:00-05:00', tz: undefined } },
    { text: '2026-11-20T14:03:00', tz: undefined, want: { at: '2026-11-20T14:03:00', tz: 'UTC' } },
    { text: '2026-11-20T14:03:00', tz: 'America/New_York', want: { at: '2026-11-20T14:03:00', tz: 'America/New_York' } },
    { text: '10m ago', tz: 'America/New_York', want: { at: '2026-11-20T18:53:00.000Z', tz: 'America/New_York' } },
  ])('hands $text (tz $tz) to the traceback as $want.at', ({ text, tz, want }) => {
    expect(tracebackAt('--at', text, tz, NOW)).toEqual(want);
  });

  it('names the option in a bad time', () => {
    expect(() => tracebackAt('--at', 'soon', undefined, NOW)).toThrow(/^--at: invalid time "soon"/);
  });
});
