import { describe, expect, it } from 'vitest';
import { sameFiling } from '../../../src/feeds/rmd/parser-protocol.js';
import type { RmdFiling } from '../../../src/screening/model.js';

const FILING: RmdFiling = {
  rmdNumber: 'RMD0990001', frn: '0099000001', otherFrns: ['0099000002'], businessName: 'Alpha LLC', otherNames: ['Alpha Voice'],
  implementation: 'complete', implementationText: 'Complete STIR/SHAKEN Implementation',
  roles: { voiceServiceProvider: true, gateway: false, intermediate: true }, foreign: null, lastRecertified: '2026-02-11',
  lastUpdated: '2025-06-04', contactName: 'Rowan Tanaka', contactPhone: '+16175550189', filingUrl: 'https://example.invalid/f',
};

describe('sameFiling (the RMD worker delta)', () => {
  it('is true for a field-by-field copy', () => {
    expect(sameFiling(FILING, structuredClone(FILING))).toBe(true);
  });

  it.each<[string, Partial<RmdFiling>]>([
    ['frn', { frn: '0099000009' }],
    ['otherFrns', { otherFrns: ['0099000002', '0099000003'] }],
    ['otherFrns emptied', { otherFrns: [] }],
    ['businessName', { businessName: 'Alpha Two LLC' }],
    ['otherNames', { otherNames: ['Alpha Connect'] }],
    ['implementation', { implementation: 'partial' }],
    ['implementationText', { implementationText: 'Complete' }],
    ['roles', { roles: { voiceServiceProvider: true, gateway: true, intermediate: true } }],
    ['foreign', { foreign: false }],
    ['lastRecertified', { lastRecertified: '2027-02-11' }],
    ['lastUpdated', { lastUpdated: '' }],
    ['contactName', { contactName: 'Jordan Ferrand' }],
    ['contactPhone', { contactPhone: '' }],
    ['contactEmail', { contactEmail: 'x@example.invalid' }],
    ['ocn', { ocn: '123A' }],
    ['recertificationUnknown', { recertificationUnknown: true }],
    ['filingUrl', { filingUrl: '' }],
  ])('sees a change of %s', (_field, change) => {
    expect(sameFiling(FILING, { ...FILING, ...change })).toBe(false);
  });
});
