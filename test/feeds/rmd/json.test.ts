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

  it('skips a row with a malformed RMD number (the CSV row rules apply)', () => {
    expect(filingsFromJson([{ number: 'RMD1', frn: '0000000001', business_name: 'X' }, { number: 'RMD0000002', frn: '2', business_name: 'Y' }], 'json').map((f) => f.rmdNumber)).toEqual(['RMD0000002']);
  });

  it.each([
    { name: '{display_value, value}', frn: { display_value: '0026495937', value: '9d3f0c1a2b4c5d6e7f8091a2b3c4d5e6' } },
    { name: '{link, value} with frn_str', frn: { link: 'https://x.invalid/api/now/table/x/9d3f', value: '9d3f0c1a2b4c5d6e7f8091a2b3c4d5e6' }, frn_str: '0026495937' },
    { name: '{value}', frn: { value: '0026495937' } },
    { name: 'a plain string', frn: '0026495937' },
  ])('reads the FRN from a $name cell, never an internal id', (cells) => {
    const { name: _n, ...row } = cells;
    const filings = filingsFromJson([{ ...row, business_name: { display_value: 'Tricom Technology Inc', value: 'abc' }, ocn: '123A', contact_email: 'rm@example.invalid' }], 'json');
    expect(filings).toHaveLength(1);
    expect(filings[0]).toMatchObject({ rmdNumber: '', frn: '0026495937', businessName: 'Tricom Technology Inc', ocn: '123A', contactEmail: 'rm@example.invalid' });
  });

  it('reads a {link, value} FRN without frn_str as no FRN: the row is skipped, not keyed by an internal id', () => {
    const filings = filingsFromJson([{ number: 'RMD0001410', frn: { link: 'https://x.invalid/9d3f', value: '0026495937' }, business_name: 'X' }], 'json');
    expect(filings).toEqual([expect.objectContaining({ rmdNumber: 'RMD0001410', frn: '' })]);
  });
});
