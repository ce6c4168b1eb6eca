import { describe, expect, it } from 'vitest';
import type { CdrSink, Clock, Logger, ScreenedObservation, ScreeningMetrics } from '../../src/screening/ports.js';
import { createInviteScreener, screeningErrorDecision, type InviteScreenerDeps } from '../../src/screening/screen-invite.js';
import type { CdrRecord } from '../../src/screening/cdr-record.js';
import type { Decision, InviteFacts } from '../../src/screening/model.js';
import type { ScreeningWorld } from '../../src/screening/policy.js';
import { DnoListBuilder } from '../../src/screening/dno-table.js';
import { answerStatus, toSipReply, type SipReply } from '../../src/sip/shared/sip-reply.js';
import {
  DEFAULTS, buildEntry, buildFacts, buildPolicy, buildProvider, buildSnapshot, buildWorld, type PolicyOverrides,
} from '../support/builders.js';

interface Screened {
  readonly decision: Decision;
  readonly reply: SipReply;
}

class FakeCdrSink implements CdrSink {
  readonly records: CdrRecord[] = [];
  readonly extras: unknown[] = [];
  failWith: Error | undefined;
  write(record: CdrRecord, extra?: unknown): void {
    if (this.failWith) throw this.failWith;
    this.records.push(record);
    this.extras.push(extra);
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

class RecordingMetrics implements ScreeningMetrics {
  readonly observations: ScreenedObservation[] = [];
  screeningErrors = 0;
  screened(o: ScreenedObservation): void {
    this.observations.push(o);
  }
  screeningError(): void {
    this.screeningErrors++;
  }
}

interface LogEntry {
  readonly level: string;
  readonly bindings: Record<string, unknown>;
  readonly obj: object;
  readonly msg: string | undefined;
}

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/** Prints nothing; records what would have been logged at or above its level, pino-style. */
class RecordingLogger implements Logger {
  constructor(
    private readonly level: string,
    readonly entries: LogEntry[] = [],
    private readonly bindings: Record<string, unknown> = {},
  ) {}
  private log(level: string, obj: object, msg?: string): void {
    if (this.isLevelEnabled(level)) this.entries.push({ level, bindings: this.bindings, obj, msg });
  }
  debug(obj: object, msg?: string): void {
    this.log('debug', obj, msg);
  }
  info(obj: object, msg?: string): void {
    this.log('info', obj, msg);
  }
  warn(obj: object, msg?: string): void {
    this.log('warn', obj, msg);
  }
  error(obj: object, msg?: string): void {
    this.log('error', obj, msg);
  }
  child(bindings: Record<string, unknown>): Logger {
    return new RecordingLogger(this.level, this.entries, { ...this.bindings, ...bindings });
  }
  isLevelEnabled(level: string): boolean {
    return LEVELS.indexOf(level) >= LEVELS.indexOf(this.level);
  }
}

class ManualClock implements Clock {
  private wallMs = 1_700_000_000_000;
  private monoMs = 1;
  now(): number {
    return this.wallMs;
  }
  monotonicMs(): number {
    return this.monoMs;
  }
  advance(ms: number): void {
    this.wallMs += ms;
    this.monoMs += ms;
  }
}

const FIRST_SEQ = 1_700_000_000_000_000;

interface Harness {
  readonly screen: (facts: InviteFacts) => Screened;
  readonly cdr: FakeCdrSink;
  readonly metrics: RecordingMetrics;
  readonly log: RecordingLogger;
  readonly clock: ManualClock;
  setWorld(world: ScreeningWorld): void;
}

/** A screener whose world getter advances the clock by `screeningMs`, so every screening takes exactly that long. */
function harness(opts: { world?: ScreeningWorld; logLevel?: string; screeningMs?: number } = {}): Harness {
  let world = opts.world ?? buildWorld();
  const cdr = new FakeCdrSink();
  const metrics = new RecordingMetrics();
  const log = new RecordingLogger(opts.logLevel ?? 'info');
  const clock = new ManualClock();
  const deps: InviteScreenerDeps = {
    world: () => {
      clock.advance(opts.screeningMs ?? 0);
      return world;
    },
    cdr,
    metrics,
    log,
    clock,
    node: 'gate-test-1',
    firstSeq: FIRST_SEQ,
    sipStatus: answerStatus,
  };
  const screener = createInviteScreener(deps);
  // As both fronts do: the decision, then its rendered answer.
  const screen = (facts: InviteFacts): Screened => {
    const decision = screener(facts);
    return { decision, reply: toSipReply(decision, { verdictHeader: 'X-RMDGate-Verdict' }, facts.requestUri) };
  };
  return { screen, cdr, metrics, log, clock, setWorld: (w) => { world = w; } };
}

/** A world whose trunk table throws on lookup (a bug inside screening). */
function brokenWorld(policy: PolicyOverrides = {}): ScreeningWorld {
  const world = buildWorld({ policy: buildPolicy(policy) });
  return { ...world, trunks: { size: 1, hasSource: () => true, lookup: () => { throw new Error('trie corrupted'); } } };
}

const header = (headers: readonly (readonly [string, string])[], name: string): string | undefined => headers.find(([n]) => n === name)?.[1];

describe('createInviteScreener', () => {
  it('writes one CDR and one metric observation per INVITE, numbering CDRs from firstSeq', () => {
    const h = harness();

    h.screen(buildFacts({ callId: 'c1' }));
    h.screen(buildFacts({ callId: 'c2', sourceAddress: '198.51.100.77' }));
    h.screen(buildFacts({ callId: 'c3' }));

    expect(h.cdr.records.map((r) => [r.callId, r.seq])).toEqual([['c1', FIRST_SEQ], ['c2', FIRST_SEQ + 1], ['c3', FIRST_SEQ + 2]]);
    expect(h.metrics.observations).toHaveLength(3);
    expect(h.metrics.screeningErrors).toBe(0);
  });

  it('allows a clean call with a 302 to the default route and records reason none', () => {
    const h = harness({ screeningMs: 2.5 });

    const { decision, reply } = h.screen(buildFacts());

    expect(decision.kind).toBe('allow');
    expect(reply).toEqual({
      status: 302,
      phrase: 'Moved Temporarily',
      headers: [['Contact', '<sip:+12025550123@127.0.0.1:5070;transport=udp>'], ['X-RMDGate-Verdict', 'allow']],
    });
    expect(h.metrics.observations).toEqual([{ trunk: 'trunk-1', decision: 'allow', reason: 'none', mode: 'enforce', seconds: 0.0025 }]);
    expect(h.cdr.records[0]).toMatchObject({ decision: 'allow', wouldBlock: false, reason: null, sipStatus: 302, trunkId: 'trunk-1', providerId: 'prov-1' });
  });

  it('fills the CDR context from the deps, the clock and the current world', () => {
    const h = harness({ world: buildWorld({ configVersion: 'cfgabc', rmd: buildSnapshot(undefined, { loadedAt: Date.UTC(2026, 1, 28) }) }), screeningMs: 4 });

    h.screen(buildFacts({ receivedAt: 1_699_999_999_990 }));

    expect(h.cdr.records[0]).toMatchObject({
      node: 'gate-test-1',
      receivedAtMs: 1_699_999_999_990,
      decidedAtMs: 1_700_000_000_004,
      configVersion: 'cfgabc',
      mode: 'enforce',
      rmdSnapshotId: DEFAULTS.snapshotId,
      rmdSnapshotLoadedAt: '2026-02-28T00:00:00.000Z',
      providerName: DEFAULTS.providerName,
      providerRmdNumber: DEFAULTS.rmdNumber,
      rmdMatch: 'rmd-number',
    });
  });

  const absentProvider = buildProvider({ rmdNumber: 'RMD0990099', frn: '0099000099' });

  it.each([
    { name: 'unknown-trunk', world: () => buildWorld(), facts: { sourceAddress: '198.51.100.77' }, status: 403, trunk: 'unknown' },
    { name: 'provider-not-in-rmd', world: () => buildWorld({ providers: [absentProvider] }), facts: {}, status: 603, trunk: 'trunk-1' },
    { name: 'provider-designated', world: () => buildWorld({ entries: [buildEntry()] }), facts: {}, status: 603, trunk: 'trunk-1' },
    { name: 'rmd-unavailable', world: () => buildWorld({ rmd: undefined, policy: buildPolicy({ reasons: { 'rmd-unavailable': { action: 'block' } } }) }), facts: {}, status: 503, trunk: 'trunk-1' },
    { name: 'screening-error', world: () => brokenWorld({ reasons: { 'screening-error': { action: 'block' } } }), facts: {}, status: 500, trunk: 'unknown' },
  ])('uses the one token $name for X-Reason, the CDR reason and the metric reason label', ({ name, world, facts, status, trunk }) => {
    const h = harness({ world: world() });

    const { reply } = h.screen(buildFacts(facts));

    expect(reply.status).toBe(status);
    expect(header(reply.headers, 'X-Reason')).toBe(name);
    expect(h.cdr.records[0]?.reason).toBe(name);
    expect(h.cdr.records[0]?.sipStatus).toBe(status);
    expect(h.cdr.records[0]?.decision).toBe('reject');
    expect(h.metrics.observations[0]).toMatchObject({ decision: 'reject', reason: name, trunk });
  });

  it('answers a would-block in monitor mode with a 302, the verdict header, and a would-block CDR and metric', () => {
    const h = harness({ world: buildWorld({ providers: [absentProvider], policy: buildPolicy({ mode: 'monitor' }) }) });

    const { decision, reply } = h.screen(buildFacts());

    expect(decision).toMatchObject({ kind: 'allow', wouldBlock: true, reason: 'provider-not-in-rmd' });
    expect(reply.status).toBe(302);
    expect(header(reply.headers, 'X-RMDGate-Verdict')).toBe('would-block;reason=provider-not-in-rmd');
    expect(header(reply.headers, 'X-Reason')).toBeUndefined();
    expect(h.cdr.records[0]).toMatchObject({ decision: 'allow', wouldBlock: true, reason: 'provider-not-in-rmd', sipStatus: 302, mode: 'monitor' });
    expect(h.metrics.observations[0]).toEqual({ trunk: 'trunk-1', decision: 'would-block', reason: 'provider-not-in-rmd', mode: 'monitor', seconds: 0 });
  });

  it('fails open by default when screening throws: 302, screening-error recorded and counted', () => {
    const h = harness({ world: brokenWorld() });

    const { decision, reply } = h.screen(buildFacts({ callId: 'bug-1' }));

    expect(decision).toEqual({ kind: 'allow', reason: 'screening-error', wouldBlock: false, evidence: {}, route: [DEFAULTS.defaultRoute] });
    expect(reply.status).toBe(302);
    expect(header(reply.headers, 'Contact')).toBe('<sip:+12025550123@127.0.0.1:5070;transport=udp>');
    expect(h.metrics.screeningErrors).toBe(1);
    expect(h.metrics.observations[0]).toMatchObject({ trunk: 'unknown', reason: 'screening-error' });
    expect(h.cdr.records[0]).toMatchObject({ decision: 'allow', reason: 'screening-error', sipStatus: 302, trunkId: null });
    const errorLog = h.log.entries.find((e) => e.level === 'error');
    expect(errorLog?.msg).toBe('screening failed');
    expect(errorLog?.obj).toMatchObject({ callId: 'bug-1', err: expect.objectContaining({ message: 'trie corrupted' }) });
  });

  it('rejects with 500 screening-error when screening throws and screening-error is set to block', () => {
    const h = harness({ world: brokenWorld({ reasons: { 'screening-error': { action: 'block' } } }) });

    const { reply } = h.screen(buildFacts());

    expect(reply).toEqual({
      status: 500,
      phrase: 'Server Internal Error',
      headers: [['Reason', 'SIP;cause=500;text="screening-error"'], ['X-Reason', 'screening-error']],
    });
    expect(h.metrics.screeningErrors).toBe(1);
  });

  it('records a screening-error would-block when screening throws under monitor mode with block configured', () => {
    const h = harness({ world: brokenWorld({ mode: 'monitor', reasons: { 'screening-error': { action: 'block' } } }) });

    const { reply } = h.screen(buildFacts());

    expect(reply.status).toBe(302);
    expect(header(reply.headers, 'X-RMDGate-Verdict')).toBe('would-block;reason=screening-error');
    expect(h.metrics.observations[0]?.decision).toBe('would-block');
  });

  it('never throws out of screen() when the world\'s trunk table throws', () => {
    const h = harness({ world: brokenWorld() });

    expect(() => h.screen(buildFacts())).not.toThrow();
  });

  it('uses the world current at each call (reloads swap it whole)', () => {
    const h = harness();

    const first = h.screen(buildFacts());
    h.setWorld(buildWorld({ providers: [absentProvider], configVersion: 'cfg-2' }));
    const second = h.screen(buildFacts());

    expect([first.reply.status, second.reply.status]).toEqual([302, 603]);
    expect(h.cdr.records.map((r) => r.configVersion)).toEqual(['cfg000000001', 'cfg-2']);
  });

  it('logs a reject at info on a child logger bound to the callId, with trunk, reason and status', () => {
    const h = harness({ world: buildWorld({ providers: [absentProvider] }) });

    h.screen(buildFacts({ callId: 'reject-1', sourcePort: 5071 }));

    expect(h.log.entries).toHaveLength(1);
    expect(h.log.entries[0]).toMatchObject({
      level: 'info',
      bindings: { callId: 'reject-1' },
      msg: 'invite rejected',
      obj: { trunkId: 'trunk-1', providerId: 'prov-1', reason: 'provider-not-in-rmd', sipStatus: 603, source: '203.0.113.10:5071' },
    });
  });

  it('logs a reject from a source no trunk covers with trunkId "unknown"', () => {
    const h = harness();

    h.screen(buildFacts({ callId: 'stray-1', sourceAddress: '198.51.100.99' }));

    expect(h.log.entries).toHaveLength(1);
    expect(h.log.entries[0]).toMatchObject({ level: 'info', msg: 'invite rejected', obj: { trunkId: 'unknown', reason: 'unknown-trunk', sipStatus: 403 } });
  });

  it('hands the CDR sink the request URI and selector headers with the record (the drachtio front keeps them for the disposition)', () => {
    const h = harness();

    h.screen(buildFacts({ requestUri: 'sip:+12025550123;tgrp=TG1@gw', selectorHeaders: { 'x-trunk': 'blue' } }));

    expect(h.cdr.extras).toEqual([{ requestUri: 'sip:+12025550123;tgrp=TG1@gw', selectorHeaders: { 'x-trunk': 'blue' } }]);
  });

  it('answers screening-error when the work after the decision throws (the CDR sink), and logs it with the callId', () => {
    const h = harness();
    h.cdr.failWith = new Error('sink exploded');

    const { decision } = h.screen(buildFacts({ callId: 'late-1' }));

    expect(decision).toMatchObject({ kind: 'allow', reason: 'screening-error' });
    expect(h.metrics.screeningErrors).toBe(1);
    const errorLog = h.log.entries.find((e) => e.level === 'error');
    expect(errorLog?.msg).toBe('screening failed after the decision');
    expect(errorLog?.obj).toMatchObject({ callId: 'late-1', err: expect.objectContaining({ message: 'sink exploded' }) });
  });

  it('logs nothing for an allow when debug is not enabled', () => {
    const h = harness({ logLevel: 'info' });

    h.screen(buildFacts());

    expect(h.log.entries).toEqual([]);
  });

  it('logs an allow at debug when debug is enabled', () => {
    const h = harness({ logLevel: 'debug' });

    h.screen(buildFacts({ callId: 'allow-1' }));

    expect(h.log.entries).toHaveLength(1);
    expect(h.log.entries[0]).toMatchObject({
      level: 'debug',
      msg: 'invite allowed',
      bindings: { callId: 'allow-1' },
      obj: { trunkId: 'trunk-1', reason: 'none', sipStatus: 302, wouldBlock: false },
    });
  });

  it('logs nothing for a reject when the level is warn', () => {
    const h = harness({ world: buildWorld({ providers: [absentProvider] }), logLevel: 'warn' });

    h.screen(buildFacts());

    expect(h.log.entries).toEqual([]);
    expect(h.cdr.records).toHaveLength(1);
  });
});

describe('screeningErrorDecision', () => {
  it.each([
    { name: 'allows cleanly (reason recorded) when screening-error is allow', policy: {}, expected: { kind: 'allow', wouldBlock: false } },
    { name: 'allows as a would-block when screening-error is monitor', policy: { reasons: { 'screening-error': { action: 'monitor' } } }, expected: { kind: 'allow', wouldBlock: true } },
    { name: 'rejects when screening-error is block in enforce mode', policy: { reasons: { 'screening-error': { action: 'block' } } }, expected: { kind: 'reject' } },
    { name: 'allows as a would-block when screening-error is block in monitor mode', policy: { mode: 'monitor', reasons: { 'screening-error': { action: 'block' } } }, expected: { kind: 'allow', wouldBlock: true } },
  ] satisfies { name: string; policy: PolicyOverrides; expected: object }[])('$name', ({ policy, expected }) => {
    const decision = screeningErrorDecision(buildWorld({ policy: buildPolicy(policy) }));

    expect(decision).toMatchObject({ ...expected, reason: 'screening-error', evidence: {} });
  });
});

describe('createInviteScreener with calling-number screening and emergency protection', () => {
  const dno = (() => {
    const b = new DnoListBuilder('operator-dno');
    b.addNumber(2025550166, b.meta({ source: 'subscriber-request', effectiveAt: 0, note: 'bank' }));
    return b.build();
  })();
  const world = (entries = [buildEntry()]): ScreeningWorld => buildWorld({ entries, callingNumber: { source: 'pai-then-from', invalid: true, dno: [dno] } });

  it('records the DNO finding in the CDR and the log line, and answers 603 with its reason', () => {
    const h = harness({ world: world([]) });

    const { reply } = h.screen(buildFacts({ callId: 'dno-1', from: '<sip:+12025550166@carrier.example.com>;tag=1' }));

    expect(reply.status).toBe(603);
    expect(header(reply.headers, 'X-Reason')).toBe('calling-number-dno');
    expect(h.cdr.records[0]).toMatchObject({
      reason: 'calling-number-dno', callingNumberList: 'operator-dno', callingNumberEntry: '+12025550166', callingNumberSource: 'subscriber-request', protectedCall: null, sipStatus: 603,
    });
    expect(h.log.entries[0]?.obj).toMatchObject({ reason: 'calling-number-dno', callingNumberEntry: '+12025550166' });
  });

  it('lets a 911 call on a designated trunk through as would-block, counted as protected', () => {
    const h = harness({ world: world() });

    const { reply } = h.screen(buildFacts({ requestUri: 'sip:911@gw.example.net' }));

    expect(reply.status).toBe(302);
    expect(header(reply.headers, 'X-RMDGate-Verdict')).toBe('would-block;reason=provider-designated');
    expect(h.metrics.observations[0]).toMatchObject({ decision: 'would-block', reason: 'provider-designated', protectedCall: 'emergency' });
    expect(h.cdr.records[0]).toMatchObject({ decision: 'allow', wouldBlock: true, reason: 'provider-designated', protectedCall: 'emergency', listEntryId: 'fcc-k4:1' });
  });

  it('lets a 911 call from a trunk source through when screening throws and screening-error is set to block', () => {
    const h = harness({ world: brokenWorld({ reasons: { 'screening-error': { action: 'block' } } }) });

    const { decision, reply } = h.screen(buildFacts({ requestUri: 'sip:911@gw' }));

    expect(decision).toEqual({ kind: 'allow', reason: 'screening-error', wouldBlock: true, evidence: { protectedCall: 'emergency' }, route: [DEFAULTS.defaultRoute] });
    expect(reply.status).toBe(302);
    expect(h.metrics.observations[0]).toMatchObject({ decision: 'would-block', protectedCall: 'emergency' });
  });

  it('still answers 500 to that 911 call when its source is no trunk source, or that cannot be told', () => {
    const world = brokenWorld({ reasons: { 'screening-error': { action: 'block' } } });
    const unknown = harness({ world: { ...world, trunks: { ...world.trunks, hasSource: () => false } } });
    const broken = harness({ world: { ...world, trunks: { ...world.trunks, hasSource: () => { throw new Error('also broken'); } } } });

    expect(unknown.screen(buildFacts({ requestUri: 'sip:911@gw' })).reply.status).toBe(500);
    expect(broken.screen(buildFacts({ requestUri: 'sip:911@gw' })).reply.status).toBe(500);
    expect(screeningErrorDecision(world)).toMatchObject({ kind: 'reject', reason: 'screening-error' });
  });

  it('reports no protection for ordinary calls', () => {
    const h = harness({ world: world() });

    h.screen(buildFacts());

    expect(h.metrics.observations[0]?.protectedCall).toBeUndefined();
  });
});
