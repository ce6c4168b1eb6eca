import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { decodePassport } from '../../src/screening/passport.js';
import { SHAKEN_HEADER, SHAKEN_PAYLOAD, b64url, buildPassport } from '../support/builders.js';

/** The claims read from the domain.md §6.1 example PASSporT. */
const EXAMPLE_CLAIMS = {
  status: 'ok',
  verified: false,
  attest: 'A',
  origid: 'c1375035-add9-48d3-8052-c48c2977bc60',
  origTn: '19205551234',
  destTn: ['12125551234'],
  iat: 1629357305,
  x5u: 'https://cert.example.org/passport.cer',
  info: 'https://cert.example.org/passport.cer',
  ppt: 'shaken',
};

describe('decodePassport', () => {
  it('decodes the claims of a real-shaped SHAKEN PASSporT without verifying it', () => {
    const identity = buildPassport();

    const claims = decodePassport([identity]);

    expect(claims).toEqual(EXAMPLE_CLAIMS);
  });

  it('reads the stir.tel style info parameter of the real example', () => {
    const identity = buildPassport({ header: { alg: 'ES256', typ: 'passport', ppt: 'shaken', x5u: 'https://stir.tel/c/704J' }, params: 'info=<https://stir.tel/c/704J>;alg=ES256;ppt=shaken' });

    const claims = decodePassport([identity]);

    expect([claims.status, claims.info, claims.x5u]).toEqual(['ok', 'https://stir.tel/c/704J', 'https://stir.tel/c/704J']);
  });

  it('picks the ppt=shaken value when an earlier Identity header is ppt=div', () => {
    const div = buildPassport({
      header: { alg: 'ES256', typ: 'passport', ppt: 'div', x5u: 'https://cert.example.org/div.cer' },
      payload: { dest: { tn: ['12125559999'] }, iat: 1629357306, orig: { tn: '19205551234' }, div: { tn: '12125551234' } },
      params: 'info=<https://cert.example.org/div.cer>;alg=ES256;ppt=div',
    });

    const claims = decodePassport([div, buildPassport()]);

    expect(claims).toEqual(EXAMPLE_CLAIMS);
  });

  it('picks the shaken value after a malformed one', () => {
    const claims = decodePassport(['garbage', buildPassport()]);

    expect(claims.status).toBe('ok');
    expect(claims.attest).toBe('A');
  });

  it('takes ppt from the header parameters when the protected header has none', () => {
    const { ppt: _ppt, ...headerWithoutPpt } = SHAKEN_HEADER;
    const identity = buildPassport({ header: headerWithoutPpt, params: 'info=<https://c/x>;alg=ES256;ppt=div' });

    const claims = decodePassport([identity]);

    expect(claims).toEqual({ status: 'no-shaken', verified: false });
  });

  it('returns ppt without quotes when the header parameter is quoted', () => {
    const { ppt: _ppt, ...headerWithoutPpt } = SHAKEN_HEADER;
    const identity = buildPassport({ header: headerWithoutPpt, params: 'info=<https://c/x>;alg=ES256;ppt="shaken"' });

    expect(decodePassport([identity]).ppt).toBe('shaken');
  });

  it('treats a value with no ppt anywhere as shaken', () => {
    const { ppt: _ppt, ...headerWithoutPpt } = SHAKEN_HEADER;
    const identity = buildPassport({ header: headerWithoutPpt, params: 'info=<https://c/x>;alg=ES256' });

    const claims = decodePassport([identity]);

    expect([claims.status, claims.ppt, claims.attest]).toEqual(['ok', 'shaken', 'A']);
  });

  it('decodes a token without any header parameters', () => {
    const claims = decodePassport([buildPassport({ params: '' })]);

    expect(claims.status).toBe('ok');
    expect(claims.info).toBeUndefined();
  });

  it('accepts a single dest.tn string as a one-element list and ignores non-string entries', () => {
    const one = decodePassport([buildPassport({ payload: { ...SHAKEN_PAYLOAD, dest: { tn: '12125551234' } } })]);
    const mixed = decodePassport([buildPassport({ payload: { ...SHAKEN_PAYLOAD, dest: { tn: ['12125551234', 7, null, '12125550000'] } } })]);

    expect(one.destTn).toEqual(['12125551234']);
    expect(mixed.destTn).toEqual(['12125551234', '12125550000']);
  });

  it('leaves claims of the wrong type undefined', () => {
    const claims = decodePassport([buildPassport({ payload: { attest: 1, iat: '1629357305', orig: 'x', dest: 5, origid: {} } })]);

    expect(claims).toEqual({ status: 'ok', verified: false, x5u: SHAKEN_HEADER.x5u, info: 'https://cert.example.org/passport.cer', ppt: 'shaken' });
  });

  it('translates the base64url alphabet (- and _) before decoding', () => {
    const payload = { ...SHAKEN_PAYLOAD, origid: '>>>???' };
    const encoded = b64url(JSON.stringify(payload));

    const claims = decodePassport([buildPassport({ payload: encoded })]);

    expect(encoded).toMatch(/-.*_/);
    expect(claims.status).toBe('ok');
    expect(claims.origid).toBe('>>>???');
  });

  it.each([
    { name: 'null', json: 'null' },
    { name: 'an array', json: '[{"attest":"A"}]' },
    { name: 'a string', json: '"A"' },
    { name: 'a number', json: '5' },
  ])('treats a payload that is JSON $name, not an object, as malformed', ({ json }) => {
    expect(decodePassport([buildPassport({ payload: b64url(json) })]).status).toBe('malformed');
  });

  it('treats a payload that is not valid UTF-8 as malformed', () => {
    const payload = Buffer.concat([Buffer.from('{"attest":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]).toString('base64url');

    expect(decodePassport([buildPassport({ payload })]).status).toBe('malformed');
  });

  it('reads header parameter names case-insensitively', () => {
    const claims = decodePassport([buildPassport({ params: 'INFO=<https://cert.example.org/x.cer>;alg=ES256;PPT=shaken' })]);

    expect(claims.info).toBe('https://cert.example.org/x.cer');
  });

  it('strips only the enclosing angle brackets of info', () => {
    expect(decodePassport([buildPassport({ params: 'info=<https://x.example/<y>;ppt=shaken' })]).info).toBe('https://x.example/<y');
    expect(decodePassport([buildPassport({ params: 'info=https://x.example/a>b;ppt=shaken' })]).info).toBe('https://x.example/a>b');
  });

  it('caps a header parameter at 512 characters', () => {
    const long = `https://x.example/${'a'.repeat(600)}`;

    expect(decodePassport([buildPassport({ params: `info=<${long}>;ppt=shaken` })]).info).toBe(long.slice(0, 511));
  });

  it('accepts base64url parts with padding', () => {
    let json = JSON.stringify(SHAKEN_HEADER);
    if (json.length % 3 === 0) json += ' ';
    const header = Buffer.from(json).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');

    const claims = decodePassport([buildPassport({ header })]);

    expect(header).toMatch(/=$/);
    expect(claims.status).toBe('ok');
  });

  it('caps long string claims at 256 characters', () => {
    const claims = decodePassport([buildPassport({ payload: { ...SHAKEN_PAYLOAD, origid: 'x'.repeat(1000) } })]);

    expect(claims.origid).toHaveLength(256);
  });

  it.each([
    { name: 'no Identity header', identities: undefined, status: 'absent' },
    { name: 'an empty list', identities: [], status: 'absent' },
    { name: 'only a ppt=div value', identities: [buildPassport({ header: { ...SHAKEN_HEADER, ppt: 'div' }, params: 'ppt=div' })], status: 'no-shaken' },
    { name: 'only a ppt=rcd value and a malformed one', identities: ['a.b', buildPassport({ header: { ...SHAKEN_HEADER, ppt: 'rcd' } })], status: 'no-shaken' },
    { name: 'malformed base64 in the header part', identities: [buildPassport({ header: 'eyJ!!!' })], status: 'malformed' },
    { name: 'base64 of an impossible length', identities: [buildPassport({ header: 'abcde' })], status: 'malformed' },
    { name: 'malformed JSON in the payload', identities: [buildPassport({ payload: b64url('{"attest":"A",') })], status: 'malformed' },
    { name: 'a JSON array as the payload', identities: [buildPassport({ payload: b64url('["A"]') })], status: 'malformed' },
    { name: 'invalid UTF-8 in the payload', identities: [buildPassport({ payload: Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url') })], status: 'malformed' },
    { name: 'two parts', identities: [`${b64url('{}')}.${b64url('{}')};ppt=shaken`], status: 'malformed' },
    { name: 'four parts', identities: [`${buildPassport({ params: '' })}.${b64url('{}')}`], status: 'malformed' },
    { name: 'an empty payload (compact form)', identities: [buildPassport({ payload: '' })], status: 'malformed' },
    { name: 'an empty string', identities: [''], status: 'malformed' },
  ])('reports $status for $name', ({ identities, status }) => {
    expect(decodePassport(identities)).toEqual({ status, verified: false });
  });

  it('never claims verification, whatever the input', () => {
    const inputs = [undefined, [], ['x'], [buildPassport()], [buildPassport({ payload: { ...SHAKEN_PAYLOAD, verified: true } })]];

    expect(inputs.map((i) => decodePassport(i).verified)).toEqual([false, false, false, false, false]);
  });

  it.each([
    { name: 'a 1 MB token', value: 'A'.repeat(1_000_000) },
    { name: 'a 1 MB part between dots', value: `${'A'.repeat(1_000_000)}.${'B'.repeat(1_000_000)}.C` },
    { name: 'a huge parameter list', value: `${buildPassport({ params: '' })};${'x=1;'.repeat(100_000)}ppt=shaken` },
    { name: 'many dots', value: '.'.repeat(500_000) },
  ])('does not throw on $name', ({ value }) => {
    expect(() => decodePassport([value])).not.toThrow();
  });

  it('accepts a part of exactly 8 KiB (8,192 base64url characters) and refuses one 4 characters longer', () => {
    const sized = (bytes: number): string => {
      const base = JSON.stringify({ ...SHAKEN_PAYLOAD, pad: '' });
      return Buffer.from(JSON.stringify({ ...SHAKEN_PAYLOAD, pad: 'x'.repeat(bytes - base.length) })).toString('base64url');
    };

    expect(sized(6144)).toHaveLength(8192);
    expect(decodePassport([buildPassport({ payload: sized(6144) })]).status).not.toBe('malformed');
    expect(decodePassport([buildPassport({ payload: sized(6147) })]).status).toBe('malformed');
  });

  it('treats an over-long (>8 KiB) part as malformed', () => {
    const big = buildPassport({ payload: { ...SHAKEN_PAYLOAD, pad: 'x'.repeat(9000) } });

    expect(decodePassport([big]).status).toBe('malformed');
  });
});
