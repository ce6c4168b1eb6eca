import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/parse.js';
import { toPolicy, toProviders, toReasonSettings, toTrunks } from '../../src/config/to-world-inputs.js';

function config(extra: Record<string, unknown> = {}): ReturnType<typeof parseConfig> {
  return parseConfig({
    sip: { defaultRoute: ['sip:127.0.0.1:5070', 'sip:127.0.0.1:5071'] },
    data: { rmd: { path: 'rmd.csv' } },
    providers: [
      { id: 'harborline', name: 'Harborline Communications LLC', dba: ['Harbor Voice'], rmdNumber: 'RMD0990001', frn: '0099000001' },
      { id: 'pbx', name: 'Example PBX', rmdRequired: false },
    ],
    trunks: [
      { id: 'harborline-1', provider: 'harborline', sources: ['192.0.2.0/24'], receivedOn: { port: 5080 }, tgrp: 'TG1', trunkContext: 'example.com', route: ['sip:core.example.net'] },
      { id: 'pbx-1', provider: 'pbx', sources: ['192.0.2.200/32'] },
    ],
    ...extra,
  });
}

describe('toTrunks', () => {
  it('maps config trunks to core trunks with providerId', () => {
    expect(toTrunks(config())).toEqual([
      { id: 'harborline-1', providerId: 'harborline', sources: ['192.0.2.0/24'], receivedOn: { port: 5080 }, tgrp: 'TG1', trunkContext: 'example.com', route: ['sip:core.example.net'] },
      { id: 'pbx-1', providerId: 'pbx', sources: ['192.0.2.200/32'] },
    ]);
  });
});

describe('toProviders', () => {
  it('maps config providers to core providers with rmdRequired defaulted to true', () => {
    expect(toProviders(config())).toEqual([
      { id: 'harborline', name: 'Harborline Communications LLC', dba: ['Harbor Voice'], rmdNumber: 'RMD0990001', frn: '0099000001', rmdRequired: true },
      { id: 'pbx', name: 'Example PBX', rmdRequired: false },
    ]);
  });
});

describe('toReasonSettings', () => {
  it('overlays configured settings on the defaults and forces status 603 for 603plus', () => {
    const cfg = config({
      policy: {
        reasons: { 'unknown-trunk': { action: 'monitor' }, 'provider-designated': { style: '603plus' }, 'rmd-unavailable': { action: 'block', status: 480, phrase: 'No RMD' } },
        redress: { url: 'https://x/redress' },
      },
    });

    expect(toReasonSettings(cfg)).toEqual({
      'unknown-trunk': { action: 'monitor', status: 403, style: 'plain' },
      'provider-not-in-rmd': { action: 'block', status: 603, style: 'plain' },
      'provider-designated': { action: 'block', status: 603, style: '603plus' },
      'rmd-unavailable': { action: 'block', status: 480, style: 'plain', phrase: 'No RMD' },
      'screening-error': { action: 'allow', status: 500, style: 'plain' },
      'calling-number-invalid': { action: 'block', status: 603, style: 'plain' },
      'calling-number-unallocated': { action: 'block', status: 603, style: 'plain' },
      'calling-number-dno': { action: 'block', status: 603, style: 'plain' },
    });
  });
});

describe('toPolicy', () => {
  it('renders every reason\'s answer once and defaults every list kind to block', () => {
    const cfg = config({ mode: 'monitor', policy: { designated: { 'c-cist': 'monitor' }, reasons: { 'provider-designated': { style: '603plus' } }, redress: { url: 'https://x/redress', email: 'r@x' } } });

    const policy = toPolicy(cfg);

    expect(policy.mode).toBe('monitor');
    expect(policy.defaultRoute).toEqual(['sip:127.0.0.1:5070', 'sip:127.0.0.1:5071']);
    expect(policy.designated).toEqual({ k4: 'block', fdo: 'block', 'rmd-removed': 'block', 'c-cist': 'monitor', operator: 'block' });
    expect(policy.reasons).toEqual({
      'unknown-trunk': { action: 'block', answer: { status: 403, phrase: 'Forbidden', reasonHeader: 'SIP;cause=403;text="unknown-trunk"' } },
      'provider-not-in-rmd': { action: 'block', answer: { status: 603, phrase: 'Decline', reasonHeader: 'SIP;cause=603;text="provider-not-in-rmd"' } },
      'provider-designated': { action: 'block', answer: { status: 603, phrase: 'Network Blocked', reasonHeader: 'SIP;cause=603;text="v=analytics1;url=https://x/redress;email=r@x";location=TN' } },
      'rmd-unavailable': { action: 'allow', answer: { status: 503, phrase: 'Service Unavailable', reasonHeader: 'SIP;cause=503;text="rmd-unavailable"' } },
      'screening-error': { action: 'allow', answer: { status: 500, phrase: 'Server Internal Error', reasonHeader: 'SIP;cause=500;text="screening-error"' } },
      'calling-number-invalid': { action: 'block', answer: { status: 603, phrase: 'Decline', reasonHeader: 'SIP;cause=603;text="calling-number-invalid"' } },
      'calling-number-unallocated': { action: 'block', answer: { status: 603, phrase: 'Decline', reasonHeader: 'SIP;cause=603;text="calling-number-unallocated"' } },
      'calling-number-dno': { action: 'block', answer: { status: 603, phrase: 'Decline', reasonHeader: 'SIP;cause=603;text="calling-number-dno"' } },
    });
  });
});
