import { describe, expect, it } from 'vitest';
import { normaliseBusinessName } from '../../src/screening/business-name.js';

describe('normaliseBusinessName', () => {
  it.each([
    { name: 'punctuated L.L.C. with a comma', input: 'Call Pipe, L.L.C.', expected: 'call pipe' },
    { name: 'upper-case LLC', input: 'CALL PIPE LLC', expected: 'call pipe' },
    { name: 'lower-case llc with a trailing dot', input: 'Call Pipe llc.', expected: 'call pipe' },
    { name: 'L.L.C without the final dot', input: 'Call Pipe L.L.C', expected: 'call pipe' },
    { name: 'a spaced L L C (initials joined, then dropped as llc)', input: 'Call Pipe L L C', expected: 'call pipe' },
    { name: 'Inc. with a comma', input: 'Tricom Technology, Inc.', expected: 'tricom technology' },
    { name: 'Private Limited (two suffixes)', input: 'Illum Telecommunication Private Limited', expected: 'illum telecommunication' },
    { name: 'Pvt. Ltd.', input: 'Opulix Digital Pvt. Ltd.', expected: 'opulix digital' },
    { name: 'Corp.', input: 'Acme Voice Corp.', expected: 'acme voice' },
    { name: 'GmbH', input: 'Beispiel Telefonie GmbH', expected: 'beispiel telefonie' },
    { name: 'SA', input: 'Sumco Panama SA', expected: 'sumco panama' },
    { name: 'an ampersand as "and"', input: 'Smith & Jones LLC', expected: 'smith and jones' },
    { name: 'accents folded', input: 'Téléphonie Québec Inc', expected: 'telephonie quebec' },
    { name: 'parenthesised country', input: 'PZ Telecommunications (UK) Ltd', expected: 'pz telecommunications uk' },
    { name: 'runs of whitespace and punctuation', input: '  Urth   Access,,  LLC  ', expected: 'urth access' },
    { name: 'full-width characters (NFKD)', input: 'ＡＢＣ Telecom LLC', expected: 'abc telecom' },
    { name: 'digits kept', input: '1-800 Voice LLC', expected: '1 800 voice' },
    { name: 'a suffix word in the middle kept', input: 'Inc Networks LLC', expected: 'inc networks' },
  ])('normalises $name', ({ input, expected }) => {
    expect(normaliseBusinessName(input)).toBe(expected);
  });

  it.each([
    { name: 'only a suffix', input: 'LLC' },
    { name: 'only a punctuated suffix', input: 'L.L.C.' },
    { name: 'only punctuation', input: '.,-' },
    { name: 'an empty string', input: '' },
  ])('returns an empty string for $name', ({ input }) => {
    expect(normaliseBusinessName(input)).toBe('');
  });

  it('makes differently written forms of one company compare equal', () => {
    const forms = ['Call Pipe, L.L.C.', 'CALL PIPE LLC', 'call pipe llc.', 'Call  Pipe'];

    expect(new Set(forms.map(normaliseBusinessName))).toEqual(new Set(['call pipe']));
  });

  it('keeps different companies different', () => {
    expect(normaliseBusinessName('Call Pipe LLC')).not.toBe(normaliseBusinessName('Call Pipes LLC'));
  });

  it.each([
    { name: 'spaced L L C', input: 'Call Pipe L L C', expected: 'call pipe' },
    { name: 'dotted S.A.', input: 'Sumco Panama S.A.', expected: 'sumco panama' },
    { name: 'dotted L.P.', input: 'Example Voice L.P.', expected: 'example voice' },
  ])('drops the legal form written as $name', ({ input, expected }) => {
    expect(normaliseBusinessName(input)).toBe(expected);
  });

  it.each(['LLC', 'L L C', 'Inc', 'Incorporated', 'Corp', 'Corporation', 'Co', 'Company', 'Ltd', 'Limited', 'LP', 'LLP', 'PLC', 'Pvt', 'Private', 'SA', 'GmbH', 'PLLC', 'PC'])(
    'drops the legal suffix %s',
    (suffix) => {
      expect(normaliseBusinessName(`Example Voice ${suffix}`)).toBe('example voice');
    },
  );

  it.each([
    { name: 'single digits apart', input: 'Route 6 6 Telecom', expected: 'route 6 6 telecom' },
    { name: 'a letter after a single digit apart', input: 'Route 6 A Telecom', expected: 'route 6 a telecom' },
    { name: 'a word after a single letter apart', input: 'X Telecom', expected: 'x telecom' },
    { name: 'a two-letter word after a single letter apart', input: 'A Bc Telecom', expected: 'a bc telecom' },
  ])('joins only runs of single letters: keeps $name', ({ input, expected }) => {
    expect(normaliseBusinessName(input)).toBe(expected);
  });

  it('keeps a word that only looks like a suffix (Cos, Incorporation)', () => {
    expect(normaliseBusinessName('Example Cos')).toBe('example cos');
    expect(normaliseBusinessName('Example Incorporation')).toBe('example incorporation');
  });
});
