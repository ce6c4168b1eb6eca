/**
 * Reading a gate's accounting for the fuzz suite and the soak script: metric series summed by label, the UDP
 * socket's kernel drops and the gate's established TCP connections from /proc/net (Linux), and the fuzzer's summary.
 */
import { readFileSync } from 'node:fs';

/** One sample of a Prometheus text exposition. */
export interface Series {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Every sample of a Prometheus text exposition (comments skipped). */
export function parseMetrics(text: string): Series[] {
  const out: Series[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m === null) continue;
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1] ?? '', x[2] ?? '']));
    out.push({ name: m[1] ?? '', labels, value: Number(m[3]) });
  }
  return out;
}

/** Sum of the samples of `name` whose labels pass `where` (all samples when omitted). */
export function sumOf(series: readonly Series[], name: string, where: (labels: Readonly<Record<string, string>>) => boolean = () => true): number {
  return series.filter((s) => s.name === name && where(s.labels)).reduce((n, s) => n + s.value, 0);
}

/** What the gate counted per transport, the way dispatch.ts and listeners.ts count each message once. */
export interface TransportAccount {
  /** Messages the gate took in and counted exactly once: messages_total + malformed{parse} + malformed{oversize} + flood. */
  readonly counted: number;
  /** Requests (messages_total without responses). */
  readonly requests: number;
  /** Final responses sent (retransmission answers are not in it). */
  readonly responses: number;
  /** Framing or size rejects (malformed oversize + content-length): each may be answered 400/513 without a request count. */
  readonly rejects: number;
  readonly flood: number;
  readonly oversize: number;
}

/**
 * The per-transport account. Each whole message handled by dispatch.ts is counted once: dropped or answered by flood
 * control (`flood`), unparseable (`malformed{parse}`), or parsed (`messages_total`, a request's own malformed kinds
 * are counted on top of that). A message taken whole only to be refused (oversize datagram or TCP head) is
 * `flood` or `malformed{oversize}`; a TCP head refused for its Content-Length is `malformed{content-length}`, which a
 * parsed request with a bad Content-Length also counts, so TCP framing errors are not part of `counted`.
 */
export function account(text: string, transport: 'udp' | 'tcp'): TransportAccount {
  const series = parseMetrics(text);
  const on = (extra: (l: Readonly<Record<string, string>>) => boolean = () => true) => (l: Readonly<Record<string, string>>) => l['transport'] === transport && extra(l);
  const messages = sumOf(series, 'rmdgate_sip_messages_total', on());
  const parse = sumOf(series, 'rmdgate_sip_malformed_total', on((l) => l['kind'] === 'parse'));
  const oversize = sumOf(series, 'rmdgate_sip_malformed_total', on((l) => l['kind'] === 'oversize'));
  const contentLength = sumOf(series, 'rmdgate_sip_malformed_total', on((l) => l['kind'] === 'content-length'));
  const flood = sumOf(series, 'rmdgate_sip_flood_total', on());
  return {
    counted: messages + parse + (transport === 'udp' ? oversize : 0) + flood,
    requests: messages - sumOf(series, 'rmdgate_sip_messages_total', on((l) => l['method'] === 'response')),
    responses: sumOf(series, 'rmdgate_sip_responses_total', on()),
    rejects: oversize + contentLength,
    flood,
    oversize,
  };
}

/** Datagrams the kernel dropped on the UDP socket bound to `port` (receive buffer full), from /proc/net/udp. */
export function udpDrops(port: number): number {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const line of readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols[1]?.endsWith(`:${hex}`)) return Number(cols[cols.length - 1]);
  }
  return 0;
}

/** Established TCP connections whose local port is `port` (the gate's side), from /proc/net/tcp. */
export function establishedOn(port: number): number {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  return readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1).filter((line) => {
    const cols = line.trim().split(/\s+/);
    return cols[1]?.endsWith(`:${hex}`) === true && cols[3] === '01';
  }).length;
}

/** Per-lane-kind counts of the fuzzer's TCP run. */
export interface FuzzLanes {
  readonly connections: number;
  readonly sent: number;
  readonly blank: number;
  readonly closedByGate: number;
}

/** The JSON line test/support/sip-fuzz.mjs prints. */
export interface FuzzSummary {
  readonly seed: number;
  readonly durationMs: number;
  readonly udp?: {
    readonly sent: number; readonly blank: number; readonly sendErrors: number; readonly bytes: number;
    readonly answers: number; readonly badAnswers: number;
    readonly clean: number; readonly cleanRight: number; readonly cleanWrong: number; readonly cleanUnanswered: number;
    readonly wrongSamples: readonly unknown[];
    /** Answers by asker and status: `trunk 302`, `other 403` ... */
    readonly statuses: Readonly<Record<string, number>>;
  };
  readonly tcp?: {
    readonly sent: number; readonly bytes: number; readonly connections: number; readonly refused: number;
    readonly splitWrites: number; readonly pipelined: number; readonly answers: number; readonly badAnswers: number;
    readonly badSamples: readonly string[]; readonly framed: FuzzLanes; readonly raw: FuzzLanes;
    readonly statuses: Readonly<Record<string, number>>;
  };
  readonly generators: Readonly<Record<string, number>>;
  readonly mutations: Readonly<Record<string, number>>;
}
