import { describe, expect, it } from 'vitest';
import { REASONS } from '../../src/screening/model.js';
import {
  DEFAULT_PHRASES, DEFAULT_REASON_SETTINGS, REASON_MEANINGS, REJECT_STATUSES, toRejectAnswer, type ReasonSetting,
} from '../../src/screening/reject-reasons.js';

const NO_REDRESS = {};

describe('toRejectAnswer', () => {
  it.each([
    {
      name: 'a plain 603 Decline with the reason token as Reason text',
      reason: 'provider-not-in-rmd', setting: { action: 'block', status: 603, style: 'plain' },
      expected: { status: 603, phrase: 'Decline', reasonHeader: 'SIP;cause=603;text="provider-not-in-rmd"' },
    },
    {
      name: 'a plain 403 Forbidden for unknown-trunk',
      reason: 'unknown-trunk', setting: { action: 'block', status: 403, style: 'plain' },
      expected: { status: 403, phrase: 'Forbidden', reasonHeader: 'SIP;cause=403;text="unknown-trunk"' },
    },
    {
      name: '607 Unwanted (RFC 8197)',
      reason: 'provider-designated', setting: { action: 'block', status: 607, style: 'plain' },
      expected: { status: 607, phrase: 'Unwanted', reasonHeader: 'SIP;cause=607;text="provider-designated"' },
    },
    {
      name: '608 Rejected (RFC 8688)',
      reason: 'provider-designated', setting: { action: 'block', status: 608, style: 'plain' },
      expected: { status: 608, phrase: 'Rejected', reasonHeader: 'SIP;cause=608;text="provider-designated"' },
    },
    {
      name: '503 Service Unavailable for rmd-unavailable',
      reason: 'rmd-unavailable', setting: { action: 'block', status: 503, style: 'plain' },
      expected: { status: 503, phrase: 'Service Unavailable', reasonHeader: 'SIP;cause=503;text="rmd-unavailable"' },
    },
    {
      name: '500 Server Internal Error for screening-error',
      reason: 'screening-error', setting: { action: 'block', status: 500, style: 'plain' },
      expected: { status: 500, phrase: 'Server Internal Error', reasonHeader: 'SIP;cause=500;text="screening-error"' },
    },
    {
      name: 'a configured phrase instead of the default one',
      reason: 'provider-not-in-rmd', setting: { action: 'block', status: 603, style: 'plain', phrase: 'Upstream Not In RMD' },
      expected: { status: 603, phrase: 'Upstream Not In RMD', reasonHeader: 'SIP;cause=603;text="provider-not-in-rmd"' },
    },
  ] satisfies { name: string; reason: (typeof REASONS)[number]; setting: ReasonSetting; expected: object }[])('renders $name', ({ reason, setting, expected }) => {
    expect(toRejectAnswer(reason, setting, NO_REDRESS)).toEqual(expected);
  });

  it.each([
    {
      name: 'a url',
      redress: { url: 'https://x/redress' },
      reasonHeader: 'SIP;cause=603;text="v=analytics1;url=https://x/redress";location=TN',
    },
    {
      name: 'a tel',
      redress: { tel: '+18005550199' },
      reasonHeader: 'SIP;cause=603;text="v=analytics1;tel=+18005550199";location=TN',
    },
    {
      name: 'url, tel and email in that order',
      redress: { email: 'redress@example.net', tel: '+18005550199', url: 'https://x/redress' },
      reasonHeader: 'SIP;cause=603;text="v=analytics1;url=https://x/redress;tel=+18005550199;email=redress@example.net";location=TN',
    },
  ])('renders 603+ (ATIS-1000099) as 603 Network Blocked with $name as redress', ({ redress, reasonHeader }) => {
    const answer = toRejectAnswer('provider-designated', { action: 'block', status: 603, style: '603plus' }, redress);

    expect(answer).toEqual({ status: 603, phrase: 'Network Blocked', reasonHeader });
  });

  it('answers 603+ with status 603 and "Network Blocked" whatever status and phrase the setting carries', () => {
    const answer = toRejectAnswer('provider-designated', { action: 'block', status: 403, style: '603plus', phrase: 'Nope' }, { url: 'https://x/redress' });

    expect([answer.status, answer.phrase]).toEqual([603, 'Network Blocked']);
  });
});

describe('reason tables', () => {
  it('defaults unknown-trunk to 403, regulatory blocks to plain 603, and data/bug failures to fail-open', () => {
    expect(DEFAULT_REASON_SETTINGS).toEqual({
      'unknown-trunk': { action: 'block', status: 403, style: 'plain' },
      'provider-not-in-rmd': { action: 'block', status: 603, style: 'plain' },
      'provider-designated': { action: 'block', status: 603, style: 'plain' },
      'rmd-unavailable': { action: 'allow', status: 503, style: 'plain' },
      'screening-error': { action: 'allow', status: 500, style: 'plain' },
      'calling-number-invalid': { action: 'block', status: 603, style: 'plain' },
      'calling-number-unallocated': { action: 'block', status: 603, style: 'plain' },
      'calling-number-dno': { action: 'block', status: 603, style: 'plain' },
    });
  });

  it('uses the RFC 3261/8197/8688 reason phrase of every allowed reject status', () => {
    expect(DEFAULT_PHRASES).toEqual({
      403: 'Forbidden',
      480: 'Temporarily Unavailable',
      486: 'Busy Here',
      488: 'Not Acceptable Here',
      500: 'Server Internal Error',
      503: 'Service Unavailable',
      603: 'Decline',
      607: 'Unwanted',
      608: 'Rejected',
    });
  });

  it.each([
    { status: 480, phrase: 'Temporarily Unavailable' },
    { status: 486, phrase: 'Busy Here' },
    { status: 488, phrase: 'Not Acceptable Here' },
  ] as const)('renders a plain $status with its default phrase', ({ status, phrase }) => {
    const answer = toRejectAnswer('provider-designated', { action: 'block', status, style: 'plain' }, NO_REDRESS);

    expect(answer).toEqual({ status, phrase, reasonHeader: `SIP;cause=${status};text="provider-designated"` });
  });

  it('has a default phrase for every allowed reject status', () => {
    expect(Object.keys(DEFAULT_PHRASES).map(Number).sort()).toEqual([...REJECT_STATUSES].sort());
  });

  it('allows exactly 403, 480, 486, 488, 500, 503, 603, 607 and 608', () => {
    expect(REJECT_STATUSES).toEqual([403, 480, 486, 488, 500, 503, 603, 607, 608]);
  });

  it('gives every reason a meaning and a rule', () => {
    expect(Object.entries(REASON_MEANINGS).filter(([, m]) => m.meaning.trim() === '' || m.rule.trim() === '')).toEqual([]);
  });

  it('describes every reason token and nothing else', () => {
    expect(Object.keys(REASON_MEANINGS).sort()).toEqual([...REASONS].sort());
    expect(REASON_MEANINGS['provider-not-in-rmd'].rule).toBe('47 CFR 64.6305(g)');
  });

  it('uses kebab-case reason tokens (they are metric labels and X-Reason values)', () => {
    expect(REASONS.filter((r) => !/^[a-z]+(-[a-z]+)*$/.test(r))).toEqual([]);
  });
});
