/**
 * Test data builders: each returns a valid default that a test overrides only where its behaviour depends on it
 * (`buildFacts({ sourceAddress: '198.51.100.9' })`). Defaults are fictional and consistent with each other:
 * trunk `trunk-1` (203.0.113.10/32) → provider `prov-1` → RMD filing RMD0990001 / FRN 0099000001.
 */
import { Buffer } from 'node:buffer';
import { parseConfig } from '../../src/config/parse.js';
import type { CdrRecord } from '../../src/screening/cdr-record.js';
import type { CallingNumberScreening, EmergencyProtection } from '../../src/screening/calling-number.js';
import { toPolicy } from '../../src/config/to-world-inputs.js';
import type {
  Action, BlocklistEntry, InviteFacts, ListKind, Mode, Provider, Reason, RmdFiling, RmdSnapshot, Trunk,
} from '../../src/screening/model.js';
import { compileWorld, type Policy, type ScreeningWorld } from '../../src/screening/policy.js';
import type { AnswerStyle, Redress, RejectStatus } from '../../src/screening/reject-reasons.js';
import type { RmdGraceMap } from '../../src/screening/provider-status.js';

/** 2023-11-14T22:13:20.000Z — the default `receivedAt`. */
export const T0 = 1_700_000_000_000;
export const DAY_MS = 86_400_000;

export const DEFAULTS = {
  trunkId: 'trunk-1',
  providerId: 'prov-1',
  providerName: 'Harborline Communications LLC',
  source: '203.0.113.10',
  rmdNumber: 'RMD0990001',
  frn: '0099000001',
  snapshotId: 'snap0000deadbeef',
  defaultRoute: 'sip:127.0.0.1:5070;transport=udp',
} as const;

export function buildFacts(overrides: Partial<InviteFacts> = {}): InviteFacts {
  return {
    callId: 'a84b4c76e66710@pc33.example.com',
    receivedAt: T0,
    transport: 'udp',
    sourceAddress: DEFAULTS.source,
    sourcePort: 5060,
    localAddress: '198.51.100.1',
    localPort: 5060,
    requestUri: 'sip:+12025550123@gw.example.net;user=phone',
    from: '"Alice" <sip:+13035550100@carrier.example.com;user=phone>;tag=9fxced76sl',
    to: '<sip:+12025550123@gw.example.net;user=phone>',
    ...overrides,
  };
}

export function buildTrunk(overrides: Partial<Trunk> = {}): Trunk {
  return { id: DEFAULTS.trunkId, providerId: DEFAULTS.providerId, sources: [`${DEFAULTS.source}/32`], ...overrides };
}

export function buildProvider(overrides: Partial<Provider> = {}): Provider {
  return {
    id: DEFAULTS.providerId,
    name: DEFAULTS.providerName,
    rmdNumber: DEFAULTS.rmdNumber,
    frn: DEFAULTS.frn,
    rmdRequired: true,
    ...overrides,
  };
}

export function buildFiling(overrides: Partial<RmdFiling> = {}): RmdFiling {
  return {
    rmdNumber: DEFAULTS.rmdNumber,
    frn: DEFAULTS.frn,
    otherFrns: [],
    businessName: DEFAULTS.providerName,
    otherNames: [],
    implementation: 'complete',
    implementationText: 'Complete STIR/SHAKEN Implementation',
    roles: { voiceServiceProvider: true, gateway: false, intermediate: false },
    foreign: false,
    lastRecertified: '2026-02-20',
    lastUpdated: '2026-02-20',
    contactName: 'Pat Example',
    contactPhone: '+12025550100',
    filingUrl: 'https://fccprod.servicenowservices.com/rmd?id=rmd_form&table=x_g_fmc_rmd_robocall_mitigation_database&sys_id=0123456789abcdef0123456789abcdef&view=sp',
    ...overrides,
  };
}

/** A snapshot indexed as the CSV loader does: by RMD number, by main FRN, then by other FRNs (first filing keeps a key). */
export function buildSnapshot(filings: readonly RmdFiling[] = [buildFiling()], overrides: Partial<RmdSnapshot> = {}): RmdSnapshot {
  const byRmdNumber = new Map<string, RmdFiling>();
  for (const f of filings) byRmdNumber.set(f.rmdNumber, f);
  const byFrn = new Map<string, RmdFiling>();
  for (const f of byRmdNumber.values()) if (f.frn !== '' && !byFrn.has(f.frn)) byFrn.set(f.frn, f);
  for (const f of byRmdNumber.values()) for (const o of f.otherFrns) if (!byFrn.has(o)) byFrn.set(o, f);
  return { id: DEFAULTS.snapshotId, source: 'test://rmd.csv', loadedAt: T0 - DAY_MS, rows: byRmdNumber.size, byRmdNumber, byFrn, ...overrides };
}

/** A K4 entry naming the default provider by RMD number, effective 2022-07-07 (DA 22-727), never expiring. */
export function buildEntry(overrides: Partial<BlocklistEntry> = {}): BlocklistEntry {
  return {
    id: 'fcc-k4:1',
    list: 'fcc-k4',
    kind: 'k4',
    rmdNumber: DEFAULTS.rmdNumber,
    source: 'DA 22-727',
    effectiveAt: Date.UTC(2022, 6, 7),
    ...overrides,
  };
}

/** Operator-facing reason settings, as written under `policy.reasons.<reason>` in the YAML. */
export interface ReasonSettingOverrides {
  readonly action?: Action;
  readonly status?: RejectStatus;
  readonly style?: AnswerStyle;
  readonly phrase?: string;
}

export interface PolicyOverrides {
  readonly mode?: Mode;
  readonly reasons?: Partial<Record<Reason, ReasonSettingOverrides>>;
  readonly designated?: Partial<Record<ListKind, Action>>;
  readonly redress?: Redress;
  readonly defaultRoute?: readonly string[];
}

/** A Policy exactly as the app derives it: a minimal config through parseConfig (defaults applied) and toPolicy. */
export function buildPolicy(overrides: PolicyOverrides = {}): Policy {
  const cfg = parseConfig({
    mode: overrides.mode ?? 'enforce',
    sip: { defaultRoute: overrides.defaultRoute ?? [DEFAULTS.defaultRoute] },
    data: { rmd: { path: 'rmd.csv' } },
    providers: [{ id: 'p', name: 'P', rmdNumber: 'RMD0000001' }],
    trunks: [],
    policy: { reasons: overrides.reasons ?? {}, designated: overrides.designated ?? {}, redress: overrides.redress ?? {} },
  });
  return toPolicy(cfg);
}

export interface WorldOptions {
  readonly trunks?: readonly Trunk[];
  readonly providers?: readonly Provider[];
  /** Pass `undefined` explicitly for "no RMD snapshot loaded". */
  readonly rmd?: RmdSnapshot | undefined;
  readonly entries?: readonly BlocklistEntry[];
  readonly policy?: Policy;
  readonly trunkHeader?: string;
  readonly configVersion?: string;
  readonly callingNumber?: CallingNumberScreening;
  readonly emergency?: EmergencyProtection;
  /** Providers in their removal grace (provider id → grace end, RMD number). */
  readonly rmdGrace?: RmdGraceMap;
}

export function buildWorld(opts: WorldOptions = {}): ScreeningWorld {
  return compileWorld({
    trunks: opts.trunks ?? [buildTrunk()],
    providers: opts.providers ?? [buildProvider()],
    rmd: 'rmd' in opts ? opts.rmd : buildSnapshot(),
    blocklists: opts.entries ?? [],
    policy: opts.policy ?? buildPolicy(),
    trunkHeader: opts.trunkHeader,
    configVersion: opts.configVersion ?? 'cfg000000001',
    callingNumber: opts.callingNumber,
    emergency: opts.emergency,
    ...(opts.rmdGrace === undefined ? {} : { rmdGrace: opts.rmdGrace }),
  });
}

/** base64url of a UTF-8 text (no padding), as PASSporT parts are encoded. */
export function b64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** The SHAKEN payload of domain.md §6.1 (a real-shaped PASSporT). */
export const SHAKEN_PAYLOAD = {
  attest: 'A',
  dest: { tn: ['12125551234'] },
  iat: 1629357305,
  orig: { tn: '19205551234' },
  origid: 'c1375035-add9-48d3-8052-c48c2977bc60',
} as const;

export const SHAKEN_HEADER = { alg: 'ES256', typ: 'passport', ppt: 'shaken', x5u: 'https://cert.example.org/passport.cer' } as const;

export interface PassportParts {
  /** Protected header object, or a raw (already encoded or deliberately broken) first part. */
  readonly header?: object | string;
  /** Payload object, or a raw second part. */
  readonly payload?: object | string;
  /** Everything after the token, without the leading `;`. */
  readonly params?: string;
}

/** A full-form RFC 8224 Identity header value: `b64(header).b64(payload).b64(sig);info=<…>;alg=ES256;ppt=shaken`. */
export function buildPassport(parts: PassportParts = {}): string {
  const enc = (v: object | string): string => (typeof v === 'string' ? v : b64url(JSON.stringify(v)));
  const header = enc(parts.header ?? SHAKEN_HEADER);
  const payload = enc(parts.payload ?? SHAKEN_PAYLOAD);
  const sig = Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 0xff)).toString('base64url');
  const params = parts.params ?? 'info=<https://cert.example.org/passport.cer>;alg=ES256;ppt=shaken';
  return `${header}.${payload}.${sig}${params === '' ? '' : `;${params}`}`;
}

// --- CDR records (store, traceback and what-if tests) ---

/** 2026-11-20T19:03:00.000Z — 14:03 in New York (EST). */
export const AT = Date.UTC(2026, 10, 20, 19, 3, 0);

/** A screening CDR; `receivedAt` follows `receivedAtMs` unless given. */
export function buildCdr(overrides: Partial<CdrRecord> = {}): CdrRecord {
  const receivedAtMs = overrides.receivedAtMs ?? AT;
  return {
    schemaVersion: 1,
    type: 'screening',
    node: 'gate-1',
    seq: 1,
    receivedAt: new Date(receivedAtMs).toISOString(),
    receivedAtMs,
    decidedAtMs: receivedAtMs + 1,
    callId: 'call-1@test',
    sourceAddress: '203.0.113.10',
    sourcePort: 5060,
    transport: 'udp',
    localAddress: '198.51.100.1',
    localPort: 5060,
    trunkId: 'trunk-1',
    providerId: 'prov-1',
    providerName: 'Harborline Communications LLC',
    providerRmdNumber: 'RMD0990001',
    providerFrn: '0099000001',
    fromUser: '+13035550100',
    fromE164: '+13035550100',
    paiUser: '',
    paiE164: null,
    callingE164: '+13035550100',
    ruriUser: '+12025550123',
    calledE164: '+12025550123',
    identityStatus: 'absent',
    attest: null,
    origid: null,
    identityOrigTn: null,
    identityDestTn: null,
    identityIat: null,
    identityVerified: false,
    decision: 'allow',
    wouldBlock: false,
    reason: null,
    listEntryId: null,
    listKind: null,
    listSource: null,
    rmdSnapshotId: 'snap0000deadbeef',
    rmdSnapshotLoadedAt: '2026-11-20T00:00:00.000Z',
    rmdMatch: 'rmd-number',
    callingNumberList: null,
    callingNumberEntry: null,
    callingNumberSource: null,
    protectedCall: null,
    sipStatus: 302,
    mode: 'enforce',
    configVersion: 'cfg000000001',
    ...overrides,
  };
}

/** `n` records with consecutive seq from `firstSeq`, one per `stepMs` from `startMs`, distinct called numbers. */
export function buildCdrs(n: number, opts: { firstSeq?: number; startMs?: number; stepMs?: number; node?: string } = {}): CdrRecord[] {
  const first = opts.firstSeq ?? 1;
  return Array.from({ length: n }, (_, i) => {
    const ms = (opts.startMs ?? AT) + i * (opts.stepMs ?? 1);
    const called = `+1202555${String(i % 10000).padStart(4, '0')}`;
    return buildCdr({ seq: first + i, node: opts.node ?? 'gate-1', receivedAtMs: ms, callId: `call-${first + i}@test`, ruriUser: called, calledE164: called });
  });
}
