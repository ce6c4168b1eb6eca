import { describe, expect, it } from 'vitest';
import { MAX_IDENTITY_TOTAL_CHARS, splitIdentityHeader } from '../../../src/sip/shared/invite-facts.js';
import { jwt } from '../../support/sip-text.js';

describe('splitIdentityHeader', () => {
  it('splits repeated Identity values but not commas inside info=<...>', () => {
    const first = `${jwt(1)};info=<https://cert.example.org/a,b.pem>;alg=ES256;ppt=shaken`;
    const second = `${jwt(2)};info=<https://cert.example.org/c.pem>;ppt=div`;

    expect(splitIdentityHeader(`${first},${second}`)).toEqual([first, second]);
    expect(splitIdentityHeader(`${first},  ${second}`)).toEqual([first, second]);
  });

  it('handles the compact form and drops values past the total budget', () => {
    const compact = 'eyJhbGciOiJFUzI1NiJ9..c2ln;info=<https://c.example/x.pem>';
    const big = `${'a'.repeat(MAX_IDENTITY_TOTAL_CHARS - 10)}.b;info=<https://c.example/x>`;

    expect(splitIdentityHeader(`${compact},${compact}`)).toEqual([compact, compact]);
    expect(splitIdentityHeader(`${compact},${big}`)).toEqual([compact]);
  });
});
