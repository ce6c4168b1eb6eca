/**
 * The YAML config schema (zod) and parseConfig(): raw YAML value → frozen typed AppConfig, every problem listed.
 * Pure: no file or env access (load.ts does that). The schema is the reference documentation of each key.
 */
import { z } from 'zod';
import { parseCidr } from '../core/ip-address.js';
import { LIST_KINDS, REASONS } from '../core/model.js';
import { REJECT_STATUSES, type RejectStatus } from '../core/reject-reasons.js';
import { checkSemantics } from './semantics.js';

const action = z.enum(['block', 'monitor', 'allow']);
const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/, 'must be a SIP header name (token characters)');
const sipUri = z.string().regex(/^sips?:[^\s<>"]+$/i, 'must be a sip: or sips: URI without spaces, quotes or angle brackets');
const cidr = z.string().superRefine((s, ctx) => {
  const r = parseCidr(s);
  if (typeof r === 'string') ctx.addIssue({ code: 'custom', message: r });
});
const rmdNumber = z.string().regex(/^RMD\d{7}$/, 'must be RMD followed by 7 digits, e.g. RMD0001410');
const frn = z.string().regex(/^\d{10}$/, 'must be 10 digits with leading zeros, quoted in YAML, e.g. "0026495937"');
const port = z.number().int().min(0).max(65535);
const safeText = z.string().regex(/^[^"\\;\r\n\0]+$/, 'must not contain quotes, backslashes, semicolons or line breaks');

const listen = z.strictObject({
  transport: z.enum(['udp', 'tcp']),
  address: z.string().min(1),
  port,
});

const sip = z.strictObject({
  /** Which SIP front runs: the built-in stateless redirect/reject server, or a drachtio-srf app. */
  front: z.enum(['builtin', 'drachtio']).default('builtin'),
  /** Built-in front listeners. */
  listen: z.array(listen).min(1).default([
    { transport: 'udp', address: '127.0.0.1', port: 5060 },
    { transport: 'tcp', address: '127.0.0.1', port: 5060 },
  ]),
  /** Largest SIP message accepted, bytes (UDP datagram or TCP message). */
  maxMessageBytes: z.number().int().min(1024).max(65535).default(65535),
  maxTcpConnections: z.number().int().min(1).max(100000).default(1024),
  tcpIdleTimeoutMs: z.number().int().min(1000).default(120000),
  /** How long a final response is kept to answer retransmissions (RFC 3261 Timer H/J ≈ 32 s). */
  transactionTtlMs: z.number().int().min(1000).max(300000).default(32000),
  maxTransactions: z.number().int().min(1000).default(200000),
  /** `Server:` header value; false = none. */
  serverHeader: z.union([z.string().regex(/^[\x20-\x7e]{1,64}$/), z.literal(false)]).default('rmdgate'),
  /** Header carrying the verdict on allowed (302) calls. */
  verdictHeader: headerName.default('X-RMDGate-Verdict'),
  /** Optional header whose value narrows trunks that set `headerValue` (only after the source IP matched). */
  trunkHeader: headerName.optional(),
  /** 302 Contact targets for allowed calls on trunks without a `route`. The called user is inserted when absent. */
  defaultRoute: z.array(sipUri).min(1),
});

const provider = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, . _ - (max 64)'),
  name: z.string().min(1),
  dba: z.array(z.string().min(1)).optional(),
  rmdNumber: rmdNumber.optional(),
  frn: frn.optional(),
  /** false for peers that are not voice service providers (e.g. an enterprise PBX): RMD status is recorded, not enforced. */
  rmdRequired: z.boolean().default(true),
});

const trunk = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, . _ - (max 64); it is a metric label'),
  provider: z.string(),
  /** Source CIDRs (IPv4 or IPv6); a bare address is a host route. */
  sources: z.array(cidr).min(1),
  receivedOn: z.strictObject({ address: z.string().min(1).optional(), port: port.optional() }).optional(),
  tgrp: z.string().min(1).optional(),
  trunkContext: z.string().min(1).optional(),
  headerValue: z.string().min(1).optional(),
  route: z.array(sipUri).min(1).optional(),
});

const reasonSetting = z.strictObject({
  action: action.optional(),
  status: z.custom<RejectStatus>((v) => (REJECT_STATUSES as readonly unknown[]).includes(v), {
    message: `must be one of ${REJECT_STATUSES.join(', ')}`,
  }).optional(),
  style: z.enum(['plain', '603plus']).optional(),
  phrase: z.string().regex(/^[\x20-\x7e]{1,64}$/, 'printable ASCII, at most 64 characters').optional(),
});

const policy = z.strictObject({
  reasons: z.partialRecord(z.enum(REASONS), reasonSetting).default({}),
  /** Action per designation list kind for `provider-designated` (the milder of this and the reason's action applies). */
  designated: z.partialRecord(z.enum(LIST_KINDS), action).default({}),
  /** Redress methods for 603+ answers (ATIS-1000099). */
  redress: z.strictObject({ url: safeText.optional(), tel: safeText.optional(), email: safeText.optional() }).default({}),
}).default({ reasons: {}, designated: {}, redress: {} });

const data = z.strictObject({
  /** RMD CSV export (path relative to the config file). */
  rmd: z.strictObject({ path: z.string().min(1) }),
  blocklists: z.array(z.strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'lower-case letters, digits, _ - (max 32)'),
    path: z.string().min(1),
    kind: z.enum(LIST_KINDS).optional(),
  })).default([]),
});

/** The whole config file. */
export const configSchema = z.strictObject({
  /** `enforce` answers blocks; `monitor` lets every call through and records would-blocks (rollouts). */
  mode: z.enum(['enforce', 'monitor']).default('enforce'),
  node: z.strictObject({ id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/) }).default({ id: 'rmdgate' }),
  sip,
  data,
  providers: z.array(provider).min(1),
  trunks: z.array(trunk),
  policy,
  cdr: z.strictObject({
    /** Directory of daily JSON-lines CDR files (`cdr-YYYY-MM-DD.jsonl`, UTC days), relative to the config file. */
    dir: z.string().min(1).default('var/cdr'),
    flushIntervalMs: z.number().int().min(10).max(10000).default(200),
    /** Records buffered before new ones are counted as lost (the SIP path never waits on disk). */
    maxQueue: z.number().int().min(100).default(100000),
  }).default({ dir: 'var/cdr', flushIntervalMs: 200, maxQueue: 100000 }),
  log: z.strictObject({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') }).default({ level: 'info' }),
  ops: z.strictObject({
    /** Ops HTTP listener (/metrics, /healthz, /readyz); false disables it. */
    listen: z.union([z.strictObject({ address: z.string().min(1), port }), z.literal(false)]).default({ address: '127.0.0.1', port: 9464 }),
  }).default({ listen: { address: '127.0.0.1', port: 9464 } }),
});

/** The config as written (after defaults). */
export type ConfigFile = z.infer<typeof configSchema>;

/** One problem found in a config: where and what. */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

/** Thrown by parseConfig with every problem found. */
export class ConfigError extends Error {
  readonly code = 'ERR_CONFIG_INVALID';
  constructor(readonly problems: readonly ConfigProblem[], readonly file?: string) {
    super(`${file ?? 'config'}: ${problems.length} problem(s):\n${problems.map((p) => `  ${p.path || '(root)'}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Formats a zod issue path as `trunks[3].sources[0]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)), '');
}

/** Validates a parsed YAML value: shape, then cross-references. Throws ConfigError listing every problem. */
export function parseConfig(raw: unknown, file?: string): ConfigFile {
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })), file);
  }
  const problems = checkSemantics(result.data);
  if (problems.length > 0) throw new ConfigError(problems, file);
  return deepFreeze(result.data);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
