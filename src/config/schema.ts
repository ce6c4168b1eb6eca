/**
 * The YAML config schema (zod): the reference documentation of every key, its unit and default. Pure: no file or env
 * access (load.ts does that); parse.ts validates a file against it.
 */
import { z } from 'zod';
import { LIST_KINDS, parseCidr, POLICY_REASONS, REJECT_STATUSES, type RejectStatus, toAddressKey, toE164 } from '../screening/index.js';

const action = z.enum(['block', 'monitor', 'allow']);
const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/, 'must be a SIP header name (token characters)');
const sipUri = z.string().regex(/^sips?:[^\s<>"]+$/i, 'must be a sip: or sips: URI without spaces, quotes or angle brackets');
const cidr = z.string().superRefine((s, ctx) => {
  const r = parseCidr(s);
  if (typeof r === 'string') ctx.addIssue({ code: 'custom', message: r });
});
const ipAddress = z.string().refine((s) => toAddressKey(s) !== undefined, 'must be an IPv4 or IPv6 address');
const rmdNumber = z.string().regex(/^RMD\d{7}$/, 'must be RMD followed by 7 digits, e.g. RMD0001410');
const frn = z.string({ error: (iss) => (iss.input === undefined ? 'required' : 'must be a quoted string of 10 digits, e.g. "0026495937" (unquoted YAML numbers lose leading zeros)') }).regex(/^\d{10}$/, 'must be 10 digits with leading zeros, quoted in YAML, e.g. "0026495937"');
const port = z.number().int().min(0).max(65535);
const safeText = z.string().regex(/^[^"\\;\r\n\0]+$/, 'must not contain quotes, backslashes, semicolons or line breaks');

const listen = z.strictObject({
  transport: z.enum(['udp', 'tcp']),
  address: z.string().min(1),
  port,
});

/** The drachtio front (`sip.front: drachtio`, docs/drachtio.md); every key has a default, the secret comes from the env. */
const drachtio = z.strictObject({
  /** inbound: rmdgate connects to drachtio-server's admin port; outbound: drachtio-server connects to rmdgate (`listen`). */
  mode: z.enum(['inbound', 'outbound']).default('inbound'),
  /** inbound: drachtio-server's admin address and port. */
  host: z.string().min(1).default('127.0.0.1'),
  port: port.default(9022),
  /** outbound: where rmdgate listens for drachtio-server's connections. */
  listen: z.strictObject({ address: z.string().min(1), port }).default({ address: '127.0.0.1', port: 9023 }),
  /** Name of the env var holding the shared secret (secrets never go in this file). */
  secretEnv: z.string().regex(/^[A-Z_][A-Z0-9_]{0,63}$/, 'an env var name: upper-case letters, digits, _').default('DRACHTIO_SECRET'),
  /** inbound: ping drachtio-server this often to detect a dead link, ms (5000..300000); 0 = no pings. */
  pingIntervalMs: z.union([z.literal(0), z.number().int().min(5000).max(300000)]).default(15000),
  /** inbound: cap of drachtio-srf's reconnect backoff (150 ms × 1.7^n, uncapped by default), ms. */
  reconnectMaxDelayMs: z.number().int().min(200).max(60000).default(5000),
  /** Allowed calls: proxied through drachtio-server, or answered with the 302 the built-in front sends. */
  allowAction: z.enum(['proxy', 'redirect']).default('proxy'),
  /** Per-trunk override of `allowAction`, keyed by trunk id. */
  trunkAllowAction: z.record(z.string(), z.enum(['proxy', 'redirect'])).default({}),
  proxy: z.strictObject({
    /** Tried in order; default: the trunk's `route`, else `sip.defaultRoute` (the 302 Contacts). */
    destinations: z.array(sipUri).min(1).optional(),
    /** Stay in the dialog (Record-Route) so BYEs pass drachtio-server and releases are recorded. */
    recordRoute: z.boolean().default(true),
    /** Next destination when one sends no provisional response within this, ms; 0 = only SIP timer B (32 s). */
    provisionalTimeoutMs: z.number().int().min(0).max(60000).default(2000),
  }).prefault({}),
  /** Unknown-trunk rejections get no final response at all (drachtio-server has already sent 100 Trying). */
  silentDropUnknown: z.boolean().default(false),
}).prefault({});

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
  /** Open TCP connections of the built-in front, all listeners together; more are closed at accept. */
  maxTcpConnections: z.number().int().min(1).max(100000).default(1024),
  /** Of `maxTcpConnections`, how many only configured trunk source addresses may use (less than maxTcpConnections). */
  tcpTrunkReserve: z.number().int().min(0).max(100000).default(128),
  /** Open TCP connections per source address that is no configured trunk source. */
  maxTcpConnectionsPerSource: z.number().int().min(1).max(100000).default(8),
  /** Open TCP connections per configured trunk source address. */
  maxTcpConnectionsPerTrunkSource: z.number().int().min(1).max(100000).default(64),
  /** A TCP connection with no complete message or keepalive ping for this long is closed, ms; bytes alone do not count. */
  tcpIdleTimeoutMs: z.number().int().min(1000).default(120000),
  /** A TCP message must be complete this long after its first byte, ms; else the connection is closed (slowloris). */
  tcpMessageTimeoutMs: z.number().int().min(100).max(60000).default(5000),
  /** Unframed input plus unsent responses held per TCP connection, bytes (at least 2 × maxMessageBytes); beyond it the connection is closed. */
  tcpMaxBufferedBytes: z.number().int().min(2048).max(16777216).default(131072),
  /** How long a final response is kept to answer retransmissions (RFC 3261 Timer H/J ≈ 32 s); after the ACK only T4 = 5 s over UDP, 0 over TCP (Timer I). */
  transactionTtlMs: z.number().int().min(1000).max(300000).default(32000),
  maxTransactions: z.number().int().min(1000).default(200000),
  /** Bound of the transaction table's memory, bytes (byte slabs off the JS heap; ~0.5 KB per answered call). */
  maxTransactionBytes: z.number().int().min(1048576).max(4294967296).default(67108864),
  /** Flood control of the built-in front: per-source rate limit for addresses that match no configured trunk. */
  flood: z.strictObject({
    /** Off: every request is screened (and recorded) whatever its rate. */
    enabled: z.boolean().default(true),
    /** Sustained requests per second allowed from one unknown source address. */
    ratePerSecond: z.number().positive().max(100000).default(2),
    /** Requests an unknown source may send at once before its rate applies. */
    burst: z.number().int().min(1).max(1000000).default(10),
    /** `drop`: no answer (an attacker learns nothing, spends nothing of ours); `reject`: 503 with Retry-After. */
    action: z.enum(['drop', 'reject']).default('drop'),
    /** Retry-After of the 503 when `action` is `reject`, seconds. */
    retryAfterSeconds: z.number().int().min(1).max(86400).default(60),
    /** Unknown sources tracked at once (LRU; ~200 bytes each). */
    maxSources: z.number().int().min(1000).max(10000000).default(65536),
  }).prefault({}),
  /** `Server:` header value; false = none. */
  serverHeader: z.union([z.string().regex(/^[\x20-\x7e]{1,64}$/), z.literal(false)]).default('rmdgate'),
  /** Header carrying the verdict on allowed (302) calls. */
  verdictHeader: headerName.default('X-RMDGate-Verdict'),
  /** Optional header whose value narrows trunks that set `headerValue` (only after the source IP matched). */
  trunkHeader: headerName.optional(),
  /** 302 Contact targets for allowed calls on trunks without a `route`. The called user is inserted when absent. */
  defaultRoute: z.array(sipUri).min(1),
  drachtio,
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
  receivedOn: z.strictObject({ address: ipAddress.optional(), port: port.optional() }).optional(),
  tgrp: z.string().min(1).optional(),
  trunkContext: z.string().min(1).optional(),
  headerValue: z.string().min(1).optional(),
  route: z.array(sipUri).min(1).optional(),
});

const reasonSetting = z.strictObject({
  action: action.optional(),
  status: z
    .number({ error: `must be one of ${REJECT_STATUSES.join(', ')} (a number)` })
    .int()
    .refine((v) => (REJECT_STATUSES as readonly number[]).includes(v), { message: `must be one of ${REJECT_STATUSES.join(', ')}` })
    .transform((v) => v as RejectStatus)
    .optional(),
  style: z.enum(['plain', '603plus']).optional(),
  phrase: z.string().regex(/^[\x20-\x7e]{1,64}$/, 'printable ASCII, at most 64 characters').optional(),
});

const policy = z.strictObject({
  reasons: z.partialRecord(z.enum(POLICY_REASONS), reasonSetting).default({}),
  /** Action per designation list kind for `provider-designated` (the milder of this and the reason's action applies). */
  designated: z.partialRecord(z.enum(LIST_KINDS), action).default({}),
  /** Redress methods for 603+ answers (ATIS-1000099). */
  redress: z.strictObject({ url: safeText.optional(), tel: safeText.optional(), email: safeText.optional() }).default({}),
}).default({ reasons: {}, designated: {}, redress: {} });

/** Live feed source: an http(s) URL (see docs/feeds.md). */
const feedUrl = z.string().regex(/^https?:\/\/[^\s]+$/i, 'must be an http:// or https:// URL without spaces');
/** Largest accepted shrink of a feed's row count vs the last good snapshot (0.2 = 20 %); overrides `feeds.maxShrinkFraction`. */
const shrinkFraction = z.number().min(0).max(1);

const data = z.strictObject({
  /**
   * RMD CSV export. `path` (relative to the config file) is the source; with `url` the feed is fetched from there
   * and `path` is only the seed used at first boot when neither the state dir nor the URL has data.
   */
  rmd: z.strictObject({
    path: z.string().min(1),
    url: feedUrl.optional(),
    maxShrinkFraction: shrinkFraction.optional(),
    /** Largest share of bad rows (skipped and reported) before the export is refused until `rmdgate feed accept` (0.01 = 1 %). */
    maxBadRowFraction: z.number().min(0).max(1).default(0.01),
  }),
  blocklists: z.array(z.strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'lower-case letters, digits, _ - (max 32)').refine((n) => n !== 'rmd', '"rmd" is the RMD feed\'s name'),
    /** The list file; its extension gives its format: `.yaml`/`.yml` or `.csv`. */
    path: z.string().regex(/\.(ya?ml|csv)$/i, 'must end in .yaml, .yml or .csv (the extension gives the list\'s format)'),
    kind: z.enum(LIST_KINDS).optional(),
    /** Fetch the list from here (format from `path`'s extension); `path` is then the first-boot seed. */
    url: feedUrl.optional(),
    maxShrinkFraction: shrinkFraction.optional(),
  })).default([]),
  /**
   * Do-not-originate lists of calling numbers (47 CFR 64.1200(o)): the operator's own and any industry list
   * subscribed to. CSV (`number` or `prefix`, optional `source`, `effective`, `note`) or YAML; see config/README.md.
   */
  dno: z.array(z.strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'lower-case letters, digits, _ - (max 32)').refine((n) => n !== 'rmd' && n !== 'allocation', '"rmd" and "allocation" are reserved feed names'),
    /** The list file; `.csv`, or `.yaml`/`.yml` for small hand-kept lists. */
    path: z.string().regex(/\.(ya?ml|csv)$/i, 'must end in .yaml, .yml or .csv (the extension gives the list\'s format)'),
    url: feedUrl.optional(),
    maxShrinkFraction: shrinkFraction.optional(),
  })).default([]),
  /**
   * Allocated NANP codes (NPA-NXX) and thousands blocks (NPA-NXX-X) from the numbering administrators' reports, CSV
   * with `npa`,`nxx` and optional `x` columns (or `npa-nxx`); a calling number outside them is unallocated. Absent = check off.
   */
  allocation: z.strictObject({ path: z.string().regex(/\.(csv|txt)$/i, 'must end in .csv or .txt'), url: feedUrl.optional(), maxShrinkFraction: shrinkFraction.optional() }).optional(),
});

/** Calling-number screening (47 CFR 64.1200(o)); the DNO and allocation feeds are under `data`. */
const callingNumber = z.strictObject({
  /** Which number is screened: `pai-then-from` (P-Asserted-Identity when it holds a number, else From; the CDR's callingE164), `from` or `pai`. */
  number: z.enum(['pai-then-from', 'from', 'pai']).default('pai-then-from'),
  /** Refuse NANP numbers that cannot exist (NPA/NXX starting 0 or 1, N11/N9X/37X/96X NPAs, N11 NXX, +1 without 10 digits): `calling-number-invalid`. */
  invalid: z.boolean().default(false),
}).prefault({});

const OFF_REFUSED = 'emergency protection cannot be turned off or narrowed: calls to 911 and 933 on a configured trunk are never refused (domain.md §9.2); config can only add called numbers and PSAP calling numbers';
const calledNumber = z.string().regex(/^\+?[0-9]{2,15}$/, 'digits (2–15), optionally with a leading +, e.g. 988');
const psapNumber = z.string().refine((s) => toE164(s) !== undefined, 'must be a phone number in E.164 (+12025550199) or 10-digit NANP form');

/**
 * Emergency and PSAP protection: on a configured trunk, calls to these numbers (and always 911, 933) and calls from
 * these PSAP numbers are let through whatever blocking rule fires, recorded as would-block. It can only be widened.
 */
const emergency = z.strictObject({
  /** Called numbers protected in addition to the built-in 911 and 933. */
  calledNumbers: z.array(calledNumber).default([]),
  /** Calling numbers of PSAPs and government emergency lines (From or PAI). */
  psapCallingNumbers: z.array(psapNumber).default([]),
  /** Only `true` is accepted: the protection cannot be switched off. */
  enabled: z.literal(true, { error: OFF_REFUSED }).optional(),
}, { error: (iss) => (iss.code === 'unrecognized_keys' ? OFF_REFUSED : undefined) }).prefault({});

/** Live feed behaviour (docs/feeds.md): refresh, validation, last-good state, staleness, removal grace, second opinion. */
const feeds = z.strictObject({
  /** Last good snapshots, refused candidates, grace state and diff reports (relative to the config file). Restart to change. */
  stateDir: z.string().min(1).default('var/state/feeds'),
  /** Refresh interval of every feed, minutes. */
  refreshMinutes: z.number().min(1).max(10080).default(60),
  /** Random delay added to each refresh, as a fraction of the interval. */
  jitterFraction: z.number().min(0).max(0.5).default(0.1),
  /** Deadline of one fetch attempt, body included, ms. */
  timeoutMs: z.number().int().min(100).max(600000).default(30000),
  /** Further attempts after a transient failure (timeout, network, 5xx, 429, truncated body). */
  retries: z.number().int().min(0).max(10).default(3),
  /** First retry delay, ms; doubles per attempt, plus up to 50 % jitter. */
  retryBackoffMs: z.number().int().min(0).max(600000).default(2000),
  /** Largest feed body accepted (after decompression), bytes. */
  maxBytes: z.number().int().min(1024).max(2 ** 31).default(256 * 1024 * 1024),
  /** A snapshot with fewer rows than (1 - this) × the last good one is refused until `rmdgate feed accept`. */
  maxShrinkFraction: shrinkFraction.default(0.2),
  /** Data older than this (since its source last confirmed it) raises the stale alarm, hours. */
  maxAgeHours: z.number().positive().max(8760).default(48),
  /** true: a stale RMD counts as no RMD (`rmd-unavailable`); false: decisions continue on the last good data. */
  failClosedWhenStale: z.boolean().default(false),
  /** A configured provider that leaves the RMD is only monitored (would-block) for this long, hours; 0 = enforce at once. */
  removalGraceHours: z.number().min(0).max(8760).default(48),
  /** Ask the RMD JSON endpoint by FRN about configured providers missing from the snapshot (background only). */
  secondOpinion: z.strictObject({
    enabled: z.boolean().default(false),
    url: feedUrl.default('https://fccprod.servicenowservices.com/api/x_g_fmc_rmd/rmd/public'),
    /** Deadline of one lookup, ms; a late answer still lands in the cache. */
    deadlineMs: z.number().int().min(1).max(60000).default(50),
    /** How long an answer is fresh, minutes (negative answers: `negativeTtlMinutes`). */
    ttlMinutes: z.number().min(1).default(60),
    negativeTtlMinutes: z.number().min(1).default(15),
    maxEntries: z.number().int().min(1).max(1000000).default(10000),
    /** Background re-check interval, minutes. */
    intervalMinutes: z.number().min(1).default(15),
  }).prefault({}),
}).prefault({});

/** The whole config file. */
export const configSchema = z.strictObject({
  /** `enforce` answers blocks; `monitor` lets every call through and records would-blocks (rollouts). */
  mode: z.enum(['enforce', 'monitor']).default('enforce'),
  node: z.strictObject({ id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/) }).default({ id: 'rmdgate' }),
  sip,
  data,
  feeds,
  providers: z.array(provider).min(1),
  trunks: z.array(trunk),
  policy,
  callingNumber,
  emergency,
  cdr: z.strictObject({
    /** CDR directory (relative to the config file): SQLite day files `cdr-YYYY-MM-DD.sqlite` and JSON-lines `cdr-YYYY-MM-DD.jsonl`, UTC days. */
    dir: z.string().min(1).default('var/cdr'),
    /** How often queued CDRs are handed to the stores, ms (a full batch goes at once). */
    flushIntervalMs: z.number().int().min(10).max(10000).default(200),
    /** Records buffered per sink before new ones are counted as lost (the SIP path never waits on disk). */
    maxQueue: z.number().int().min(100).default(100000),
    /** Bound of each sink's queue in bytes (estimated from the records' text), 64 MiB: a run of fat requests cannot make it hold gigabytes. */
    maxQueueBytes: z.number().int().min(1048576).max(4294967296).default(67108864),
    /**
     * Records of failed writes (disk full, read-only) wait here, per local sink, and are written back in order once
     * writing works again: first in memory, then in a spool on another path. Beyond both bounds records are lost.
     */
    backlog: z.strictObject({
      memoryRecords: z.number().int().min(100).default(20000),
      memoryBytes: z.number().int().min(65536).default(32 * 1024 * 1024),
      /** Spool of held records (relative to the config file; one subfolder per sink). Put it on another filesystem than `cdr.dir`. */
      spoolDir: z.string().min(1).default('var/cdr-backlog'),
      spoolRecords: z.number().int().min(0).default(500000),
      spoolBytes: z.number().int().min(0).default(1024 * 1024 * 1024),
      /** How often held records are written back, ms. */
      retryIntervalMs: z.number().int().min(100).max(60000).default(1000),
    }).prefault({}),
    /** Where CDRs go; several sinks may be on at once. See docs/traceback.md. */
    sinks: z.strictObject({
      /** Embedded store for tracebacks and what-if: one SQLite file per UTC day, written by a worker thread. */
      sqlite: z.strictObject({
        enabled: z.boolean().default(true),
        /** Defaults to `cdr.dir`. */
        dir: z.string().min(1).optional(),
        /** Days kept; whole day files are deleted at start and daily. 548 ≈ 18 months (47 CFR 42.6). */
        retentionDays: z.number().int().min(1).max(3650).default(548),
      }).prefault({}),
      /** One JSON object per line, daily files (the pre-store format). */
      jsonl: z.strictObject({ enabled: z.boolean().default(false), dir: z.string().min(1).optional() }).prefault({}),
      /** Shared store for a fleet: day-partitioned table, local fsync'd spool covering outages, idempotent on (node, seq). */
      postgres: z.strictObject({
        enabled: z.boolean().default(false),
        /** Name of the environment variable holding the connection URL (secrets never go in this file). */
        urlEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name, e.g. CDR_PG_URL').default('CDR_PG_URL'),
        table: z.string().regex(/^[a-z_][a-z0-9_]{0,29}$/, 'lower-case letters, digits, _ (max 30)').default('rmdgate_cdr'),
        /** Local spool for records not yet in the database (relative to the config file). */
        spoolDir: z.string().min(1).default('var/cdr-spool'),
        /** Day partitions created ahead of today. */
        partitionDaysAhead: z.number().int().min(1).max(60).default(3),
        retentionDays: z.number().int().min(1).max(3650).default(548),
        /** Rows per INSERT. */
        batchSize: z.number().int().min(1).max(10000).default(2000),
        /** How often an unreachable database is retried, ms. */
        retryIntervalMs: z.number().int().min(100).max(60000).default(1000),
      }).prefault({}),
    }).prefault({}),
  }).prefault({}),
  log: z.strictObject({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') }).default({ level: 'info' }),
  ops: z.strictObject({
    /** Ops HTTP listener (/metrics, /healthz, /readyz); false disables it. */
    listen: z.union([z.strictObject({ address: z.string().min(1), port }), z.literal(false)]).default({ address: '127.0.0.1', port: 9464 }),
  }).default({ listen: { address: '127.0.0.1', port: 9464 } }),
  admin: z.strictObject({
    /** Admin HTTP(S) listener (/admin/reload, /admin/feeds/{name}/refresh, /admin/status); false disables it. */
    listen: z.union([z.strictObject({ address: z.string().min(1), port }), z.literal(false)]).default({ address: '127.0.0.1', port: 9465 }),
    /** Name of the env var holding the bearer token; without a token set there the admin listener does not start. */
    tokenEnv: z.string().regex(/^[A-Z_][A-Z0-9_]{0,63}$/, 'an env var name: upper-case letters, digits, _').default('RMDGATE_ADMIN_TOKEN'),
    /** Optional TLS: PEM certificate chain and private key files (relative to the config file). */
    tls: z.strictObject({ cert: z.string().min(1), key: z.string().min(1) }).optional(),
  }).default({ listen: { address: '127.0.0.1', port: 9465 }, tokenEnv: 'RMDGATE_ADMIN_TOKEN' }),
});

/** The config as written (after defaults). */
export type ConfigFile = z.infer<typeof configSchema>;
