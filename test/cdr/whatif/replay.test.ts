import { describe, expect, it } from 'vitest';
import { formatWhatIf } from '../../../src/cdr/whatif/format.js';
import { replayCalls, toReplayFacts } from '../../../src/cdr/whatif/replay.js';
import { buildEntry, buildPolicy, buildTrunk, buildWorld } from '../../support/builders.js';
import { buildCdr } from '../../support/builders.js';
import { stored } from '../../support/fakes.js';
import { DnoListBuilder } from '../../../src/screening/dno-table.js';

const allowed = (seq: number, over = {}) => stored(buildCdr({ seq, callId: `c${seq}`, ...over }));
const CTX = { since: 'S', until: 'U', store: 'sqlite /x', configFile: 'candidate.yaml', configVersion: 'v2', rmdSnapshotId: 'snap' };

describe('what-if replay', () => {
  it('rebuilds the facts decide() needs from the stored fields, preferring the raw Request-URI', () => {
    const call = stored(buildCdr({ localAddress: '198.51.100.1', localPort: 5060 }), { requestUri: 'sip:+12025550123@gw;tgrp=tg7', selectorHeaders: { 'x-trunk': 'b' } });

    const facts = toReplayFacts(call);

    expect(facts).toMatchObject({ receivedAt: call.record.receivedAtMs, sourceAddress: '203.0.113.10', sourcePort: 5060, localAddress: '198.51.100.1', localPort: 5060, transport: 'udp', requestUri: 'sip:+12025550123@gw;tgrp=tg7', selectorHeaders: { 'x-trunk': 'b' } });
    expect(toReplayFacts(allowed(1)).requestUri).toBe('sip:+12025550123@replay.invalid');
  });

  it('reports calls that a newly designated provider would now block, grouped by trunk, provider and reason', () => {
    const world = buildWorld({ entries: [buildEntry({ effectiveAt: 0 })] });

    const report = replayCalls([allowed(1), allowed(2), allowed(3)], world, { narrowing: false, maxExamples: 2 });

    expect(report).toMatchObject({ replayed: 3, unchanged: 0, nowBlocked: 3, nowAllowed: 0, changed: 0, approximate: 0 });
    expect(report.groups).toEqual([{ change: 'now-blocked', trunkId: 'trunk-1', providerId: 'prov-1', from: 'allow', to: 'reject:provider-designated', count: 3, examples: ['c1', 'c2'] }]);
  });

  it('reports stored rejections that the candidate allows, and leaves identical decisions unchanged', () => {
    const rejected = stored(buildCdr({ seq: 9, callId: 'r9', decision: 'reject', reason: 'provider-not-in-rmd', sipStatus: 603 }));

    const report = replayCalls([rejected, allowed(1)], buildWorld(), { narrowing: false });

    expect(report).toMatchObject({ replayed: 2, unchanged: 1, nowAllowed: 1 });
    expect(report.groups[0]).toMatchObject({ change: 'now-allowed', from: 'reject:provider-not-in-rmd', to: 'allow', examples: ['r9'] });
  });

  it('replays stored calls against a new DNO list, and keeps a stored emergency call allowed', () => {
    const b = new DnoListBuilder('op-dno');
    b.addNumber(3035550100, b.meta({ source: 'subscriber-request', effectiveAt: 0 }));
    const world = buildWorld({ entries: [], callingNumber: { source: 'pai-then-from', invalid: true, dno: [b.build()] } });
    const emergency = stored(buildCdr({ seq: 2, callId: 'e2', ruriUser: '911', calledE164: null }));

    const report = replayCalls([allowed(1), emergency], world, { narrowing: false });

    expect(report).toMatchObject({ replayed: 2, nowBlocked: 1, changed: 1, unchanged: 0 });
    expect(report.groups).toEqual(expect.arrayContaining([
      expect.objectContaining({ change: 'now-blocked', from: 'allow', to: 'reject:calling-number-dno', examples: ['c1'] }),
      expect.objectContaining({ change: 'changed', from: 'allow', to: 'would-block:calling-number-dno', examples: ['e2'] }),
    ]));
  });

  it('reports monitor-mode candidates as would-block changes, not blocks', () => {
    const world = buildWorld({ entries: [buildEntry({ effectiveAt: 0 })], policy: buildPolicy({ mode: 'monitor' }) });

    const report = replayCalls([allowed(1)], world, { narrowing: false });

    expect(report.groups[0]).toMatchObject({ change: 'changed', from: 'allow', to: 'would-block:provider-designated' });
  });

  it('narrows trunks by tgrp from the raw Request-URI, and flags calls replayed without it', () => {
    const world = buildWorld({ trunks: [buildTrunk({ id: 'tg-a', tgrp: 'a' })] });
    const withTgrp = stored(buildCdr({ seq: 1 }), { requestUri: 'sip:+12025550123;tgrp=a;trunk-context=example.net@gw' });

    const report = replayCalls([withTgrp, allowed(2)], world, { narrowing: true });

    expect(report).toMatchObject({ replayed: 2, approximate: 1, nowBlocked: 1 });
    expect(report.groups[0]).toMatchObject({ trunkId: 'trunk-1', to: 'reject:unknown-trunk' });
    expect(formatWhatIf(report, CTX, 'table')).toContain('1 call(s) were stored without their raw Request-URI/headers');
  });

  it('renders the groups as a table', () => {
    const report = replayCalls([allowed(1)], buildWorld({ entries: [buildEntry({ effectiveAt: 0 })] }), { narrowing: false });

    const text = formatWhatIf(report, CTX, 'table');

    expect(text).toContain('Would now be BLOCKED:');
    expect(text).toMatch(/trunk-1\s+prov-1\s+allow\s+reject:provider-designated\s+1\s+c1/);
  });
});
