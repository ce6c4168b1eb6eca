/** Config keys of calling-number screening (callingNumber, data.dno, data.allocation) and emergency protection. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ConfigError, type ConfigProblem } from '../../src/config/parse.js';
import { parseConfigText } from '../../src/config/load.js';
import { toCallingNumberSettings, toEmergency } from '../../src/config/to-world-inputs.js';
import { repoPath } from '../support/paths.js';

type RawConfig = Record<string, any>;

function config(extra: RawConfig = {}): RawConfig {
  return {
    sip: { defaultRoute: ['sip:127.0.0.1:5070'] },
    data: { rmd: { path: 'rmd.csv' } },
    providers: [{ id: 'p', name: 'P LLC', rmdNumber: 'RMD0990001' }],
    trunks: [{ id: 't', provider: 'p', sources: ['192.0.2.1/32'] }],
    ...extra,
  };
}

const parse = (raw: RawConfig) => parseConfigText(stringify(raw), 'test.yaml').config;

function problemsOf(raw: RawConfig): string[] {
  try {
    parse(raw);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p: ConfigProblem) => `${p.path}: ${p.message}`);
    throw err;
  }
  throw new Error('expected a ConfigError, but the config was accepted');
}

describe('callingNumber and data.dno / data.allocation', () => {
  it('defaults to no NANP rules, PAI then From, no DNO lists and no allocation feed', () => {
    const c = parse(config());

    expect(toCallingNumberSettings(c)).toEqual({ source: 'pai-then-from', invalid: false });
    expect(c.data.dno).toEqual([]);
    expect(c.data.allocation).toBeUndefined();
  });

  it('takes the number to screen, the NANP rules, DNO lists and the allocation feed', () => {
    const c = parse(config({
      callingNumber: { number: 'from', invalid: true },
      data: { rmd: { path: 'rmd.csv' }, dno: [{ name: 'op-dno', path: 'dno.csv' }, { name: 'industry', path: 'i.yaml', url: 'https://dno.example.net/list.csv', maxShrinkFraction: 0.5 }], allocation: { path: 'allocation.csv' } },
    }));

    expect(toCallingNumberSettings(c)).toEqual({ source: 'from', invalid: true });
    expect(c.data.dno.map((d) => d.name)).toEqual(['op-dno', 'industry']);
    expect(c.data.allocation).toEqual({ path: 'allocation.csv' });
  });

  it.each([
    [{ callingNumber: { number: 'to' } }, 'callingNumber.number'],
    [{ data: { rmd: { path: 'rmd.csv' }, dno: [{ name: 'rmd', path: 'x.csv' }] } }, 'data.dno[0].name: "rmd" and "allocation" are reserved feed names'],
    [{ data: { rmd: { path: 'rmd.csv' }, dno: [{ name: 'allocation', path: 'x.csv' }] } }, 'data.dno[0].name: "rmd" and "allocation" are reserved feed names'],
    [{ data: { rmd: { path: 'rmd.csv' }, dno: [{ name: 'x', path: 'x.txt' }] } }, 'data.dno[0].path: must end in .yaml, .yml or .csv'],
    [{ data: { rmd: { path: 'rmd.csv' }, allocation: { path: 'a.json' } } }, 'data.allocation.path: must end in .csv or .txt'],
    [{ data: { rmd: { path: 'rmd.csv' }, blocklists: [{ name: 'same', path: 'a.csv', kind: 'k4' }], dno: [{ name: 'same', path: 'b.csv' }] } }, 'data.dno[0].name: duplicate feed name "same"'],
  ])('refuses %o (%s)', (extra, expected) => {
    expect(problemsOf(config(extra)).join('\n')).toContain(expected);
  });
});

describe('emergency', () => {
  it('always protects 911 and 933, and adds configured called and PSAP numbers', () => {
    const e = toEmergency(parse(config({ emergency: { calledNumbers: ['988'], psapCallingNumbers: ['202-555-0199'] } })));

    expect([...e.calledNumbers].sort()).toEqual(['911', '933', '988']);
    expect([...e.psapCallingNumbers]).toEqual(['+12025550199']);
    expect([...toEmergency(parse(config())).calledNumbers].sort()).toEqual(['911', '933']);
  });

  it('accepts enabled: true', () => {
    expect(parse(config({ emergency: { enabled: true } })).emergency.enabled).toBe(true);
  });

  it.each([
    [{ enabled: false }, 'emergency.enabled'],
    [{ disabled: true }, 'emergency.disabled'],
    [{ builtin: [] }, 'emergency.builtin'],
    [{ calledNumbers: ['911'], replaceBuiltin: true }, 'emergency.replaceBuiltin'],
  ])('refuses %o, saying the protection cannot be turned off', (emergency, path) => {
    const problems = problemsOf(config({ emergency }));

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${path.replace('.', '\\.')}: emergency protection cannot be turned off or narrowed: calls to 911 and 933`));
    expect(problems[0]).not.toMatch(/unknown key|did you mean/);
  });

  it.each([
    [{ calledNumbers: ['nine-one-one'] }, 'emergency.calledNumbers[0]: digits (2–15)'],
    [{ psapCallingNumbers: ['PSAP'] }, 'emergency.psapCallingNumbers[0]: must be a phone number'],
  ])('refuses %o', (emergency, expected) => {
    expect(problemsOf(config({ emergency })).join('\n')).toContain(expected);
  });
});

describe('config/example.yaml', () => {
  it('turns calling-number screening on: NANP rules and the sample DNO list', () => {
    const c = parseConfigText(readFileSync(repoPath('config/example.yaml'), 'utf8'), repoPath('config/example.yaml')).config;

    expect(toCallingNumberSettings(c)).toEqual({ source: 'pai-then-from', invalid: true });
    expect(c.data.dno).toEqual([{ name: 'operator-dno', path: 'samples/lists/dno.csv' }]);
  });
});
