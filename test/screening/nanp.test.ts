import { describe, expect, it } from 'vitest';
import { NANP_BAD_LENGTH, NANP_RULES, NOT_A_NUMBER, NOT_NANP, dialedKey, digitsKey, nanpRuleBroken, nationalOfHeader, nationalToE164, toNanpNational } from '../../src/screening/nanp.js';
import { toPhoneNumber } from '../../src/screening/phone-number.js';

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
    ['(202) 555-0100', 2025550100],
    [' 2025550100', 2025550100],
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
    ['120255501001', '12 digits starting with 1'],
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

describe('nationalOfHeader', () => {
  const decode = (h: string): string => toPhoneNumber(h).raw;

  it.each([
    ['"Alice" <sip:+12025550100@carrier.example.com;user=phone>;tag=9fx', 2025550100],
    ['<sip:+12025550100@carrier.example.com>', 2025550100],
    ['"Bob <sip:+13035550100@x>" <sip:+12025550100@carrier.example.com>', 2025550100],
    ['"Quote \\" <sip:+13035550100@x>" <sip:+12025550100@y>', 2025550100],
    ['<SIP:+12025550100@carrier.example.com>', 2025550100],
    ['<sips:+12025550100@carrier.example.com>', 2025550100],
    ['<SIPS:2025550100@carrier.example.com>', 2025550100],
    ['<tel:+1-202-555-0100;phone-context=+1>', 2025550100],
    ['<TEL:+12025550100>', 2025550100],
    ['tel:+12025550100', 2025550100],
    ['sip:+12025550100@carrier.example.com;tag=x', 2025550100],
    ['  <sip:+12025550100@h>', 2025550100],
    ['< sip:+12025550100@h>', 2025550100],
    ['<sip:+12025550100;npdi@carrier.example.com>', 2025550100],
    ['<sip:2025550100:secret@carrier.example.com>', 2025550100],
    ['<sip:%2B12025550100@carrier.example.com>', 2025550100],
    ['<sip:+1202555010@h>', NANP_BAD_LENGTH],
    ['<sip:+442079460000@h>', NOT_NANP],
    ['<sip:anonymous@anonymous.invalid>', NOT_A_NUMBER],
    ['<sip:carrier.example.com>', NOT_A_NUMBER],
    ['<sip:+12025550100>', NOT_A_NUMBER],
    ['<http://example.com/+12025550100>', NOT_A_NUMBER],
    ['<sipx:+12025550100@h>', NOT_A_NUMBER],
    ['<te:+12025550100>', NOT_A_NUMBER],
    ['<tex:+12025550100>', NOT_A_NUMBER],
    ['<si:+12025550100@h>', NOT_A_NUMBER],
    ['"no uri"', NOT_A_NUMBER],
    ['', NOT_A_NUMBER],
  ])('%s → %d', (header, expected) => {
    expect(nationalOfHeader(header, decode)).toBe(expected);
  });

  it('decodes only escaped user parts, through the given function', () => {
    const calls: string[] = [];
    const spy = (h: string): string => {
      calls.push(h);
      return decode(h);
    };

    for (const h of ['"A" <sip:+12025550100@x>', '<tel:+12025550100>', '<sips:2025550100@x>', '<sip:anonymous@x>', '<http://x>']) nationalOfHeader(h, spy);
    expect(calls).toEqual([]);
    expect(nationalOfHeader('<sip:%2B12025550100@x>', spy)).toBe(2025550100);
    expect(calls).toEqual(['<sip:%2B12025550100@x>']);
    expect(dialedKey('sip:911@gw', 3, spy)).toBe(91103);
    expect(calls).toHaveLength(1);
  });

  it.each([
    ['<tel:+12025550100,1234>', 2025550100],
    ['<sip:+1202555,0100@h>', NOT_A_NUMBER],
    ['<sip+12025550100@h>', NOT_A_NUMBER],
    ['<tel+12025550100>', NOT_A_NUMBER],
    ['<tel;+12025550100>', NOT_A_NUMBER],
    ['<sips+12025550100@h>', NOT_A_NUMBER],
    ['<tl:+12025550100>', NOT_A_NUMBER],
    ['<tea:+12025550100>', NOT_A_NUMBER],
    ['<sop:+12025550100@h>', NOT_A_NUMBER],
    ['<sia:+12025550100@h>', NOT_A_NUMBER],
    ['<xip:+12025550100@h>', NOT_A_NUMBER],
    ['<xel:+12025550100>', NOT_A_NUMBER],
    ['<txl:+12025550100>', NOT_A_NUMBER],
    ['sipx:+12025550100@h', NOT_A_NUMBER],
    ['sip+12025550100@h', NOT_A_NUMBER],
    ['sip:+12025550100', NOT_A_NUMBER],
    ['<sip:+12025550100>', NOT_A_NUMBER],
  ])('tells schemes and user-part ends apart: %s → %d', (header, expected) => {
    expect(nationalOfHeader(header, decode)).toBe(expected);
  });

  it('does not read a user part left over from an earlier header when the scheme is broken or the @ is missing', () => {
    for (const broken of ['sipx:9', 'sip:+12025550199', '<sips;x@h>']) {
      expect(nationalOfHeader('<sip:+13035550100@h>', decode)).toBe(3035550100);
      expect(nationalOfHeader(broken, decode), broken).toBe(NOT_A_NUMBER);
    }
  });

  it('does not read a user part left over from an earlier header', () => {
    expect(nationalOfHeader('tel:2025550', decode)).toBe(NOT_NANP);
    expect(nationalOfHeader('12025550100', decode)).toBe(NOT_A_NUMBER);
    expect(dialedKey('tel:911', 3, decode)).toBe(91103);
    expect(dialedKey('9110', 3, decode)).toBe(-1);
  });

  it('is undefined-safe and agrees with toPhoneNumber + toNanpNational on the test headers', () => {
    expect(nationalOfHeader(undefined, decode)).toBe(NOT_A_NUMBER);
    for (const h of ['"A" <sip:+12025550100@x>;tag=1', '<tel:202-555-0100>', 'sip:12025550100@x', '<sip:+12025550100;user=phone@x>']) {
      expect(nationalOfHeader(h, decode), h).toBe(toNanpNational(toPhoneNumber(h).raw));
    }
  });

  it('reads only the given part of a string', () => {
    expect(toNanpNational('xx+12025550100yy', 2, 14)).toBe(2025550100);
    expect(toNanpNational('1+2025550100', 1)).toBe(NOT_NANP);
  });
});

describe('dialedKey / digitsKey', () => {
  const decode = (h: string): string => toPhoneNumber(h).raw;

  it.each([
    ['sip:911@gw.example.net', 91103],
    ['sip:911@gw.example.net;user=phone', 91103],
    ['sip:911;phone-context=+1@gw', 91103],
    ['tel:911;phone-context=+1', 91103],
    ['TEL:9-1-1', 91103],
    ['sip:+911@gw', 91103],
    ['sip:0911@gw', -1],
    ['sip:%39%31%31@gw', 91103],
    ['sip:9110@gw', -1],
    ['sip:+12025550123@gw', -1],
    ['sip:sos@gw', -1],
    ['sip:911', -1],
    ['urn:service:sos', -1],
    ['sip:@gw', -1],
    ['sip:9+11@gw', -1],
  ])('%s → %d (at most 3 digits)', (uri, key) => {
    expect(dialedKey(uri, 3, decode)).toBe(key);
  });

  it('keys configured numbers the same way', () => {
    expect(digitsKey('988', 0, 3, 15)).toBe(98803);
    expect(digitsKey('+1 (202) 555-0199', 0, 17, 15)).toBe(1202555019911);
    expect(digitsKey('1234', 0, 4, 3)).toBe(-1);
    expect(digitsKey('0911', 0, 4, 4)).toBe(91104);
    expect(digitsKey('', 0, 0, 3)).toBe(-1);
    expect(digitsKey('x911', 1, 4, 3)).toBe(91103);
    expect(digitsKey('x911', 0, 4, 3)).toBe(-1);
    expect(digitsKey('(911)', 0, 5, 3)).toBe(91103);
  });
});
