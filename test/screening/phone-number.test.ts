import { describe, expect, it } from 'vitest';
import { normaliseContactPhone, toE164, toNumberKey, toPhoneNumber } from '../../src/screening/phone-number.js';

describe('toPhoneNumber', () => {
  it.each([
    { name: 'a bare sip URI with +E.164', input: 'sip:+12025550123@h', raw: '+12025550123', e164: '+12025550123' },
    { name: 'a name-addr with a 10-digit user, user=phone and a tag', input: '<sip:2025550123@h;user=phone>;tag=1', raw: '2025550123', e164: '+12025550123' },
    { name: 'a quoted display name and a sips URI with 1+NANP', input: '"Name" <sips:12025550123@h>', raw: '12025550123', e164: '+12025550123' },
    { name: 'an unquoted display name and a host port', input: 'Bob <sip:+12025550123@h:5060;transport=tcp>', raw: '+12025550123', e164: '+12025550123' },
    { name: 'a tel URI with visual separators', input: 'tel:+1-202-555-0123', raw: '+1-202-555-0123', e164: '+12025550123' },
    { name: 'a local tel URI with dots and phone-context', input: 'tel:202.555.0123;phone-context=+1', raw: '202.555.0123', e164: '+12025550123' },
    { name: 'a tel URI inside angle brackets', input: '<tel:+12025550123>;tag=x', raw: '+12025550123', e164: '+12025550123' },
    { name: 'an upper-case scheme', input: 'SIP:+12025550123@h', raw: '+12025550123', e164: '+12025550123' },
    { name: 'a bare addr-spec with a tag parameter', input: 'sip:+12025550123@h;tag=abc', raw: '+12025550123', e164: '+12025550123' },
    { name: 'user-part parameters (RFC 4904 tgrp)', input: 'sip:+12025550123;tgrp=TG1;trunk-context=example.com@gw', raw: '+12025550123', e164: '+12025550123' },
    { name: 'a password in the userinfo', input: 'sip:+12025550123:secret@h', raw: '+12025550123', e164: '+12025550123' },
    { name: 'a percent-encoded user', input: 'sip:%2B1%20202%20555%200123@h', raw: '+1 202 555 0123', e164: '+12025550123' },
    { name: 'an undecodable percent sequence kept raw', input: 'sip:%E0%A4%A@h', raw: '%E0%A4%A', e164: undefined },
    { name: 'an international number via 011', input: 'sip:011442071234567@h', raw: '011442071234567', e164: '+442071234567' },
    { name: 'a non-NANP E.164 number', input: '<sip:+442071234567@h>', raw: '+442071234567', e164: '+442071234567' },
    { name: 'a short code', input: 'sip:611@h', raw: '611', e164: undefined },
    { name: 'an N11 emergency code', input: 'sip:911@h', raw: '911', e164: undefined },
    { name: 'letters (vanity number)', input: 'sip:1800FLOWERS@h', raw: '1800FLOWERS', e164: undefined },
    { name: 'a named user', input: 'sip:alice@h', raw: 'alice', e164: undefined },
    { name: 'anonymous', input: '"Anonymous" <sip:anonymous@anonymous.invalid>;tag=1', raw: 'anonymous', e164: undefined },
    { name: 'a sip URI without a user', input: '<sip:gw.example.net>', raw: '', e164: undefined },
    { name: 'a non-sip scheme', input: '<mailto:a@b>', raw: '', e164: undefined },
    { name: 'an empty string', input: '', raw: '', e164: undefined },
    { name: 'garbage', input: '<<<>>>', raw: '', e164: undefined },
    { name: 'an unterminated angle bracket', input: '"X" <sip:+12025550123@h', raw: '+12025550123', e164: '+12025550123' },
  ])('reads $name', ({ input, raw, e164 }) => {
    expect(toPhoneNumber(input)).toEqual({ raw, e164 });
  });

  it('reads the URI after a quoted display name that contains "<"', () => {
    expect(toPhoneNumber('"A<B" <sip:+12025550123@h>;tag=1')).toEqual({ raw: '+12025550123', e164: '+12025550123' });
  });

  it.each([
    { name: 'an upper-case tel scheme', input: 'TEL:+12025550123', raw: '+12025550123', e164: '+12025550123' },
    { name: 'a scheme that only ends in "sip:"', input: 'xsip:+12025550123@h', raw: '', e164: undefined },
    { name: 'a scheme that only ends in "tel:"', input: 'mytel:+12025550123', raw: '', e164: undefined },
    { name: 'a sips scheme in upper case', input: 'SIPS:+12025550123@h', raw: '+12025550123', e164: '+12025550123' },
    { name: 'a user part that is only parameters', input: 'sip:;tgrp=TG1@gw', raw: '', e164: undefined },
    { name: 'the first of two comma-separated addr-specs', input: 'sip:+12025550123@h,sip:+13035550199@x', raw: '+12025550123', e164: '+12025550123' },
    { name: 'the first of two space-separated addr-specs', input: 'sip:+12025550123@h sip:+13035550199@x', raw: '+12025550123', e164: '+12025550123' },
    { name: 'an addr-spec after leading whitespace', input: '   sip:+12025550123@h', raw: '+12025550123', e164: '+12025550123' },
    { name: 'a URI padded with whitespace inside its brackets', input: '< sip:+12025550123@h >', raw: '+12025550123', e164: '+12025550123' },
    { name: 'an unterminated bracket whose URI ends in the number', input: '<tel:+12025550123', raw: '+12025550123', e164: '+12025550123' },
    { name: 'a bare addr-spec whose malformed tag holds an "@"', input: 'sip:+12025550123@h;tag=a@b', raw: '+12025550123', e164: '+12025550123' },
    { name: 'a display name with an escaped quote before a "<"', input: '"A\\"<B" <sip:+12025550123@h>;tag=1', raw: '+12025550123', e164: '+12025550123' },
  ])('reads $name (extraction edge)', ({ input, raw, e164 }) => {
    expect(toPhoneNumber(input)).toEqual({ raw, e164 });
  });

  it('returns an empty number when the header is missing', () => {
    expect(toPhoneNumber(undefined)).toEqual({ raw: '', e164: undefined });
  });
});

describe('toE164', () => {
  it.each([
    { name: 'a formatted NANP number', input: '(202) 555-0123', expected: '+12025550123' },
    { name: '10-digit NANP', input: '2025550123', expected: '+12025550123' },
    { name: 'NANP with an exchange starting with 2', input: '2022220123', expected: '+12022220123' },
    { name: '1 + 10-digit NANP', input: '12025550123', expected: '+12025550123' },
    { name: '+1 with spaces', input: '+1 202 555 0123', expected: '+12025550123' },
    { name: 'a dotted number', input: '202.555.0123', expected: '+12025550123' },
    { name: '011 international', input: '011442071234567', expected: '+442071234567' },
    { name: '011 with separators', input: '011-44-20-7123-4567', expected: '+442071234567' },
    { name: 'the shortest E.164 (+ and 7 digits)', input: '+4912345', expected: '+4912345' },
    { name: 'the longest E.164 (+ and 15 digits)', input: '+123456789012345', expected: '+123456789012345' },
    { name: '011 and the longest international number (15 digits)', input: '011442071234567890', expected: '+442071234567890' },
    { name: '011 and the shortest international number (7 digits)', input: '0114912345', expected: '+4912345' },
  ])('normalises $name', ({ input, expected }) => {
    expect(toE164(input)).toBe(expected);
  });

  it.each([
    { name: 'a 3-digit short code', input: '611' },
    { name: 'a 5-digit short code', input: '12345' },
    { name: 'letters', input: '1800FLOWERS' },
    { name: 'an empty string', input: '' },
    { name: 'a NANP area code starting with 1', input: '1025550123' },
    { name: 'a NANP area code starting with 0', input: '0025550123' },
    { name: 'a NANP exchange starting with 1', input: '2021550123' },
    { name: '11 digits not starting with 1', input: '22025550123' },
    { name: '12 digits without + or 011', input: '442071234567' },
    { name: '+ and a leading zero', input: '+02025550123' },
    { name: '+ and 16 digits', input: '+1234567890123456' },
    { name: '+ and 6 digits', input: '+123456' },
    { name: '011 then 0', input: '0110442071234567' },
    { name: '011 and too few digits', input: '01144' },
    { name: 'an extension marker', input: '2025550123x12' },
    { name: 'a star code', input: '*67' },
    { name: 'digits before the + of an E.164 number', input: '1+12025550123' },
    { name: 'a letter before 10 NANP-shaped digits', input: 'A025550123' },
    { name: 'a letter before 11 digits', input: 'A12025550123' },
    { name: 'E.164 followed by a letter', input: '+12025550123A' },
    { name: '011 and 16 digits after it', input: '0114420712345678901' },
  ])('returns undefined for $name', ({ input }) => {
    expect(toE164(input)).toBeUndefined();
  });
});

describe('toNumberKey', () => {
  it.each([
    { name: '+1 form', input: '+12025550123' },
    { name: '1 form', input: '12025550123' },
    { name: '10-digit form', input: '2025550123' },
    { name: 'formatted form', input: '(202) 555-0123' },
  ])('maps the $name to the E.164-digits key', ({ input }) => {
    expect(toNumberKey(input)).toBe('12025550123');
  });

  it('keeps the country code of a non-NANP number', () => {
    expect(toNumberKey('+442071234567')).toBe('442071234567');
    expect(toNumberKey('011442071234567')).toBe('442071234567');
  });

  it('returns undefined for input with no E.164 form', () => {
    expect(toNumberKey('alice')).toBeUndefined();
  });

  it('gives a 10-digit non-NANP E.164 number a different key from the NANP number with the same digits', () => {
    expect(toNumberKey('+6562345678')).not.toBe(toNumberKey('+16562345678'));
  });
});

describe('normaliseContactPhone', () => {
  it.each([
    { filed: '(202) 555-0123', e164: '+12025550123' },
    { filed: ' 202.555.0123 ', e164: '+12025550123' },
    { filed: '+1 202 555 0123', e164: '+12025550123' },
    { filed: '12025550123', e164: '+12025550123' },
    { filed: '+44 20 7946 0958', e164: '+442079460958' },
    { filed: '202-555-0123 x12', e164: '202-555-0123 x12' },
    { filed: '  n/a ', e164: 'n/a' },
    { filed: '', e164: '' },
  ])('gives $filed as $e164', ({ filed, e164 }) => {
    expect(normaliseContactPhone(filed)).toBe(e164);
  });
});
