/**
 * Defensive mapping of RMD JSON answers (field list unconfirmed) onto filings, through the CSV normalisation.
 */
import { describe, expect, it } from 'vitest';
import { filingsFromJson, jsonRows } from '../../../src/feeds/rmd/json.js';

describe('jsonRows', () => {
  it.each([
    { name: 'a result array', body: { result: [{ number: 'RMD0000001' }] }, n: 1 },
    { name: 'a single result object', body: { result: { number: 'RMD0000001' } }, n: 1 },
    { name: 'a bare array', body: [{ number: 'RMD0000001' }, 'junk'], n: 1 },
    { name: 'an empty result', body: { result: [] }, n: 0 },
    { name: 'something else', body: { error: 'nope' }, n: 0 },
  ])('reads $name', ({ body, n }) => {
    expect(jsonRows(body)).toHaveLength(n);
  });
});

describe('filingsFromJson', () => {
  it('maps snake_case fields, ServiceNow {display_value, value} cells and frn_str', () => {
    const [filing] = filingsFromJson([{
      number: { display_value: 'RMD0001410', value: 'abc' },
      frn_str: '26495937',
      business_name: 'Tricom Technology Inc',
      implementation: 'Partial STIR/SHAKEN Implementation - Performing Robocall Mitigation',
      gateway_provider_choice: 'Yes',
      last_recertified: '2026-02-14',
      unknown_field: 42,
    }], 'json');

    expect(filing).toMatchObject({
      rmdNumber: 'RMD0001410', frn: '0026495937', businessName: 'Tricom Technology Inc', implementation: 'partial',
      roles: { voiceServiceProvider: false, gateway: true, intermediate: false }, lastRecertified: '2026-02-14',
    });
  });

  it('refuses rows without an RMD number (the CSV row rules apply)', () => {
    expect(() => filingsFromJson([{ number: '', frn: '0000000001', business_name: 'X' }], 'json')).toThrow(/not RMD followed by 7 digits/);
  });
});
