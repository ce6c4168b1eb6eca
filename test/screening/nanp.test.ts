import { describe, expect, it } from 'vitest';
import { NANP_BAD_LENGTH, NANP_RULES, NOT_A_NUMBER, NOT_NANP, nanpRuleBroken, nationalToE164, toNanpNational } from '../../src/screening/nanp.js';

describe('toNanpNational', () => {
  it.each([
    ['+12025550100', 2025550100],
    ['12025550100', 2025550100],
    ['2025550100', 2025550100],
    ['+1 (202) 555-0100', 2025550100],
    ['202.555.0100', 2025550100],
    ['0125550100', 125550100],
    ['+10125550100', 125550100],
    ['11125550100', 1125550100],
    ['+19999999999', 9999999999],
  ])('%s is the national number %d', (user, national) => {
    expect(toNanpNational(user)).toBe(national);
  });

  it.each([
    ['+1202555010', 'ten digits missing one'],
    ['+120255501000', 'one digit too many'],
    ['+1', 'nothing after +1'],
    ['+1202', 'a short +1 number'],
    ['+11234567890123456789', 'more than 16 digits after +1'],
  ])('%s (%s) is a +1 number of the wrong length', (user) => {
    expect(toNanpNational(user)).toBe(NANP_BAD_LENGTH);
  });

  it.each([
    ['+442079460000', 'another country'],
    ['+2025550100', 'a + number not starting with 1'],
    ['22025550100', '11 digits not starting with 1'],
    ['202555010', 'nine digits'],
    ['911', 'a short code'],
    ['011442079460000', 'an international prefix'],
  ])('%s (%s) is not NANP', (user) => {
    expect(toNanpNational(user)).toBe(NOT_NANP);
  });

  it.each([
    ['', 'empty'],
    ['anonymous', 'letters'],
    ['2025550100x', 'a trailing letter'],
    ['++12025550100', 'two plus signs'],
    ['1+2025550100', 'a plus sign inside'],
    ['()-', 'separators only'],
    ['202;555', 'a semicolon'],
  ])('%s (%s) is not a number', (user) => {
    expect(toNanpNational(user)).toBe(NOT_A_NUMBER);
  });
});

describe('nanpRuleBroken', () => {
  it.each([
    [NANP_BAD_LENGTH, 'length'],
    [125550100, 'npa-first-digit'],
    [1995550100, 'npa-first-digit'],
    [2020550100, 'nxx-first-digit'],
    [2021990100, 'nxx-first-digit'],
    [1015550100, 'npa-first-digit'],
    [2115550100, 'npa-n11'],
    [9115550100, 'npa-n11'],
    [3115550100, 'npa-n11'],
    [2905550100, 'npa-n9x'],
    [9995550100, 'npa-n9x'],
    [3705550100, 'npa-37x'],
    [3795550100, 'npa-37x'],
    [9605550100, 'npa-96x'],
    [9695550100, 'npa-96x'],
    [2024110100, 'nxx-n11'],
    [2029110100, 'nxx-n11'],
  ] as const)('%d breaks %s', (national, rule) => {
    expect(nanpRuleBroken(national)).toBe(rule);
  });

  it.each([
    [2002000000, 'lowest NPA and NXX'],
    [2025550100, 'a plain number'],
    [2125550100, 'NPA 212 (not N11)'],
    [3615550100, 'NPA 361'],
    [3805550100, 'NPA 380, just after 37X'],
    [3695550100, 'NPA 369, just before 37X'],
    [9505550100, 'NPA 950, before 96X'],
    [9705550100, 'NPA 970, after 96X'],
    [8005550100, 'toll-free 800'],
    [2024100100, 'NXX 410'],
    [2024120100, 'NXX 412'],
    [2025550111, 'line number 0111 is no rule'],
    [9899999999, 'the highest well-formed number'],
  ])('%d (%s) is well-formed', (national) => {
    expect(nanpRuleBroken(national)).toBeUndefined();
  });

  it('checks the NPA rules before the NXX rules, in NANP_RULES order', () => {
    expect(nanpRuleBroken(1110110000)).toBe('npa-first-digit');
    expect(nanpRuleBroken(2110110000)).toBe('nxx-first-digit');
    expect(nanpRuleBroken(2114110000)).toBe('npa-n11');
    expect(NANP_RULES).toEqual(['length', 'npa-first-digit', 'nxx-first-digit', 'npa-n11', 'npa-n9x', 'npa-37x', 'npa-96x', 'nxx-n11']);
  });
});

describe('nationalToE164', () => {
  it('adds +1 and keeps leading zeros', () => {
    expect(nationalToE164(2025550100)).toBe('+12025550100');
    expect(nationalToE164(125550100)).toBe('+10125550100');
  });
});
