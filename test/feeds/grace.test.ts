/**
 * Removal grace as pure functions over an injected clock, and its effect on compiled decisions.
 */
import { describe, expect, it } from 'vitest';
import { graceSet, nextGraceExpiry, pruneGrace, toRmdGrace, updateGrace } from '../../src/feeds/grace.js';
import { composeWorld } from '../../src/feeds/world.js';
import { decide } from '../../src/screening/policy.js';
import { buildFacts, buildPolicy, buildProvider, buildSnapshot, buildTrunk } from '../support/builders.js';

const H = 3_600_000;
const T = Date.UTC(2026, 3, 1);
const configured = new Set(['a', 'b', 'c']);

describe('updateGrace', () => {
  it('starts a clock for each removed provider and keeps running clocks', () => {
    const state = updateGrace({ a: { since: T - H } }, { removed: ['b', 'c'], missing: new Set(['a', 'b', 'c']), configured, rmdNumbers: new Map([['b', 'RMD0000002']]) }, T);

    expect(state).toEqual({ a: { since: T - H }, b: { since: T, rmdNumber: 'RMD0000002' }, c: { since: T } });
  });

  it('drops the clock of a provider listed again or no longer configured', () => {
    expect(updateGrace({ a: { since: T }, b: { since: T } }, { removed: [], missing: new Set(['b']), configured: new Set(['b']) }, T)).toEqual({ b: { since: T } });
  });

  it('returns the same state when nothing changed', () => {
    const state = { a: { since: T } };

    expect(updateGrace(state, { removed: ['a'], missing: new Set(['a']), configured }, T + H)).toBe(state);
    expect(pruneGrace(state, configured)).toBe(state);
  });
});

describe('graceSet and nextGraceExpiry', () => {
  it.each([
    { name: 'at the start', at: T, inGrace: ['a'] },
    { name: '1 ms before the end', at: T + 48 * H - 1, inGrace: ['a'] },
    { name: 'at the end', at: T + 48 * H, inGrace: [] },
  ])('holds $inGrace $name of a 48 h grace', ({ at, inGrace }) => {
    expect([...graceSet({ a: { since: T } }, at, 48 * H)]).toEqual(inGrace);
    expect([...toRmdGrace({ a: { since: T } }, 48 * H, at).keys()]).toEqual(inGrace);
  });

  it('names the earliest end still ahead', () => {
    expect(nextGraceExpiry({ a: { since: T }, b: { since: T - 10 * H } }, T, 48 * H)).toBe(T + 38 * H);
    expect(nextGraceExpiry({ a: { since: T } }, T + 49 * H, 48 * H)).toBeUndefined();
  });

  it('maps each clock to its grace end and RMD number; without a time, every clock (a replay)', () => {
    const state = { a: { since: T, rmdNumber: 'RMD0000001' }, b: { since: T - 50 * H } };

    expect(toRmdGrace(state, 48 * H)).toEqual(new Map([['a', { endsAt: T + 48 * H, rmdNumber: 'RMD0000001' }], ['b', { endsAt: T - 2 * H }]]));
    expect([...toRmdGrace(state, 48 * H, T).keys()]).toEqual(['a']);
  });
});

const GRACED = new Map([['prov-1', { endsAt: Date.UTC(2030, 0, 1) }]]);

describe('compiled world with a grace map', () => {
  const config = { trunks: [buildTrunk()], providers: [buildProvider({ rmdNumber: 'RMD0999999', frn: '0999999999' })], policy: buildPolicy(), configVersion: 'v' };
  const data = { rmd: buildSnapshot(), rmdWithheld: false, blocklists: [], extraFilings: [] };

  it('turns the not-in-RMD block of a provider in grace into a would-block', () => {
    const decision = decide(buildFacts(), composeWorld(config, { ...data, rmdGrace: GRACED }));

    expect(decision).toMatchObject({ kind: 'allow', reason: 'provider-not-in-rmd', wouldBlock: true });
  });

  it('blocks as before without grace', () => {
    const decision = decide(buildFacts(), composeWorld(config, { ...data, rmdGrace: new Map() }));

    expect(decision).toMatchObject({ kind: 'reject', reason: 'provider-not-in-rmd' });
  });

  it('keeps an allow action when the policy allows not-in-RMD', () => {
    const policy = buildPolicy({ reasons: { 'provider-not-in-rmd': { action: 'allow' } } });

    const decision = decide(buildFacts(), composeWorld({ ...config, policy }, { ...data, rmdGrace: GRACED }));

    expect(decision).toMatchObject({ kind: 'allow', wouldBlock: false });
  });

  it('enforces again from the instant the grace ends, in the same world', () => {
    const world = composeWorld(config, { ...data, rmdGrace: new Map([['prov-1', { endsAt: T }]]) });

    expect(decide(buildFacts({ receivedAt: T - 1 }), world)).toMatchObject({ kind: 'allow', reason: 'provider-not-in-rmd', wouldBlock: true });
    expect(decide(buildFacts({ receivedAt: T }), world)).toMatchObject({ kind: 'reject', reason: 'provider-not-in-rmd' });
  });
});
