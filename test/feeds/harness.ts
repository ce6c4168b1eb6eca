/**
 * Shared parts of the feed tests: a manual clock and timers, a pino line sink, RMD CSV and config builders, a metric
 * reader, and startHarness() which boots the real feed system (real fetcher, parser, state dir, metrics) on a temp dir.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DestinationStream } from 'pino';
import { createFeedFetcher } from '../../src/feeds/fetch/fetcher.js';
import { createFeedParser } from '../../src/feeds/parser.js';
import type { FeedParser } from '../../src/feeds/ports.js';
import { createFeedStore } from '../../src/feeds/state-dir.js';
import { createMetrics } from '../../src/ops/metrics.js';
import type { SecondOpinionLookup, Timers } from '../../src/feeds/ports.js';
import { toPreparedConfig, type PreparedConfig } from '../../src/feeds/plan.js';
import { startFeedSystem, type FeedSystem } from '../../src/feeds/system.js';
import type { Clock } from '../../src/screening/ports.js';
import { parseConfigText } from '../../src/config/load.js';
import { createLogger } from '../../src/ops/logger.js';

/** 2026-04-01T00:00:00Z: after the 2026 recertification deadline. */
export const T0 = Date.UTC(2026, 3, 1);
export const HOUR_MS = 3_600_000;

/** A clock the test moves. */
export interface ManualClock extends Clock {
  t: number;
}

export function manualClock(t = T0): ManualClock {
  const c: ManualClock = { t, now: () => c.t, monotonicMs: () => c.t };
  return c;
}

/** Timers driven by the manual clock: `advance(ms)` moves time and runs what fell due, in order. */
export interface ManualTimers extends Timers {
  advance(ms: number): void;
  pending(): number;
}

export function manualTimers(clock: ManualClock): ManualTimers {
  let queue: { at: number; fn: () => void; live: boolean }[] = [];
  return {
    setTimeout(fn, ms) {
      const entry = { at: clock.t + ms, fn, live: true };
      queue.push(entry);
      return { cancel: () => void (entry.live = false) };
    },
    advance(ms) {
      const end = clock.t + ms;
      for (let guard = 0; guard < 10_000; guard++) {
        queue = queue.filter((e) => e.live);
        const next = queue.filter((e) => e.at <= end).sort((a, b) => a.at - b.at)[0];
        if (next === undefined) break;
        next.live = false;
        clock.t = Math.max(clock.t, next.at);
        next.fn();
      }
      clock.t = end;
    },
    pending: () => queue.filter((e) => e.live).length,
  };
}

/** One captured pino line. */
export type LogLine = Record<string, unknown> & { msg?: string; level: number };

/** A pino destination that keeps parsed lines. */
export function logSink(): { stream: DestinationStream; lines: LogLine[]; find(msg: string, fields?: Record<string, unknown>): LogLine | undefined } {
  const lines: LogLine[] = [];
  return {
    stream: { write: (s: string) => void lines.push(JSON.parse(s) as LogLine) },
    lines,
    find: (msg, fields = {}) => lines.find((l) => l.msg === msg && Object.entries(fields).every(([k, v]) => l[k] === v)),
  };
}

/** One RMD row (defaults fill the rest). */
export interface Row {
  readonly number: string;
  readonly frn: string;
  readonly name?: string;
  readonly implementation?: string;
  readonly vsp?: string;
  readonly gateway?: string;
  readonly intermediate?: string;
  readonly lastUpdated?: string;
  readonly lastRecertified?: string;
}

export const RMD_COLUMNS = ['number', 'frn', 'business_name', 'implementation', 'voice_service_provider_choice', 'gateway_provider_choice', 'intermediate_provider_choice', 'last_updated', 'last_recertified'];

/** Rows RMD0990001… with FRNs 0099000001…; `n` rows. */
export function rows(n: number, from = 1): Row[] {
  return Array.from({ length: n }, (_, i) => ({ number: `RMD${String(990000 + from + i).padStart(7, '0')}`, frn: String(99000000 + from + i).padStart(10, '0') }));
}

/** An RMD CSV export text. */
export function rmdCsv(list: readonly Row[], opts: { bom?: boolean; columns?: readonly string[]; eol?: string } = {}): string {
  const eol = opts.eol ?? '\n';
  const cells = (r: Row): string[] => [
    r.number, r.frn, r.name ?? `Provider ${r.number} LLC`, r.implementation ?? 'Complete STIR/SHAKEN Implementation',
    r.vsp ?? 'Yes', r.gateway ?? 'No', r.intermediate ?? 'No', r.lastUpdated ?? '2026-02-10', r.lastRecertified ?? '2026-02-10',
  ].map((c) => (/[",\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c));
  const text = [(opts.columns ?? RMD_COLUMNS).join(','), ...list.map((r) => cells(r).join(','))].join(eol) + eol;
  return opts.bom ? `\uFEFF${text}` : text;
}

/** The test config: three providers on three trunks (listed, later removed, never listed), ports 0; `feeds` overrides. */
export function configYaml(opts: { rmd: string; rmdUrl?: string | undefined; feeds?: Record<string, unknown> | undefined; lists?: string | undefined; mode?: string | undefined; extra?: string | undefined }): string {
  const feeds = { stateDir: 'state', retries: 0, timeoutMs: 2000, ...opts.feeds };
  return `mode: ${opts.mode ?? 'enforce'}
sip:
  listen: [{ transport: udp, address: 127.0.0.1, port: 0 }]
  defaultRoute: [sip:127.0.0.1:5070]
data:
  rmd: { path: ${opts.rmd}${opts.rmdUrl ? `, url: "${opts.rmdUrl}"` : ''} }
  blocklists: ${opts.lists ?? '[]'}
feeds: ${JSON.stringify(feeds)}
providers:
  - { id: p-listed, name: Listed Voice LLC, rmdNumber: RMD0990001, frn: "0099000001" }
  - { id: p-removed, name: Removed Voice LLC, rmdNumber: RMD0990002, frn: "0099000002" }
  - { id: p-missing, name: Missing Voice LLC, frn: "0099000099" }
trunks:
  - { id: t-listed, provider: p-listed, sources: [127.0.0.2/32] }
  - { id: t-removed, provider: p-removed, sources: [127.0.0.3/32] }
  - { id: t-missing, provider: p-missing, sources: [127.0.0.4/32] }
cdr: { dir: cdr, sinks: { sqlite: { enabled: false }, jsonl: { enabled: true } } }
ops: { listen: false }
admin: { listen: false }
${opts.extra ?? ''}
`;
}

/** Reads one sample from Prometheus text (labels must match exactly as written, in any order). */
export function metric(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m === null || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.keys(labels).length === Object.keys(got).length && Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return undefined;
}

/** A temp dir removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'rmdgate-feeds-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A booted feed system and its observable parts. */
export interface Harness {
  readonly system: FeedSystem;
  readonly clock: ManualClock;
  readonly timers: ManualTimers;
  readonly logs: ReturnType<typeof logSink>;
  readonly configFile: string;
  readonly prepared: PreparedConfig;
  metricsText(): Promise<string>;
  stop(): Promise<void>;
}

/** Writes `yaml` to `<dir>/gate.yaml` and boots the feed system on it (real adapters, manual time). */
export async function startHarness(dir: string, yaml: string, opts: { clock?: ManualClock; secondOpinion?: SecondOpinionLookup; wrapParser?: (real: FeedParser) => FeedParser } = {}): Promise<Harness> {
  const configFile = join(dir, 'gate.yaml');
  writeFileSync(configFile, yaml);
  const loaded = parseConfigText(yaml, configFile);
  const prepared = toPreparedConfig(loaded.config, loaded.version, loaded.resolvePath);
  const clock = opts.clock ?? manualClock();
  const timers = manualTimers(clock);
  const logs = logSink();
  const log = createLogger({ level: 'debug', version: 'test', destination: logs.stream });
  const metrics = createMetrics('test', { defaultMetrics: false, now: clock.now });
  const parser = createFeedParser({ maxBytes: prepared.plan.settings.maxBytes });
  const system = await startFeedSystem({
    fetcher: createFeedFetcher({ userAgent: 'rmdgate-test', maxBytes: prepared.plan.settings.maxBytes }),
    parser: opts.wrapParser?.(parser) ?? parser, store: createFeedStore(prepared.plan.stateDir), clock, timers, random: () => 0, log, metrics: metrics.feeds, secondOpinion: opts.secondOpinion,
  }, prepared);
  metrics.watchWorld(() => system.holder.current());
  return {
    system, clock, timers, logs, configFile, prepared,
    metricsText: () => metrics.registry.metrics(),
    async stop() {
      await system.stop();
      await parser.close();
    },
  };
}
