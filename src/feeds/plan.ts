/**
 * Pure conversion of a validated config into what the feed system runs on: the world's config part (trunks,
 * providers, policy) and the feed plan (specs, settings in milliseconds). Paths are resolved by the caller's resolver
 * (relative to the config file).
 */
import { toCallingNumberSettings, toEmergency, toPolicy, toProviders, toTrunks, type ConfigFile } from '../config/index.js';
import type { WorldConfigPart } from './world.js';
import { ALLOCATION_FEED, RMD_FEED, type FeedSettings, type FeedSpec } from './ports.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** Second-opinion settings in milliseconds. */
export interface SecondOpinionSettings {
  readonly enabled: boolean;
  readonly url: string;
  readonly deadlineMs: number;
  readonly ttlMs: number;
  readonly negativeTtlMs: number;
  readonly maxEntries: number;
  readonly intervalMs: number;
}

/** Everything the feed subsystem reads from one config. */
export interface FeedPlan {
  readonly stateDir: string;
  readonly settings: FeedSettings;
  readonly specs: readonly FeedSpec[];
  readonly secondOpinion: SecondOpinionSettings;
}

/** A blocklist's format from its file name: `.yaml`/`.yml` or `.csv` (config validation refuses other names). */
export function listFormatOf(path: string): 'csv' | 'yaml' | undefined {
  return /\.ya?ml$/i.test(path) ? 'yaml' : /\.csv$/i.test(path) ? 'csv' : undefined;
}

/** Builds the feed plan of a config; `resolvePath` resolves config-relative paths. */
export function toFeedPlan(cfg: ConfigFile, resolvePath: (p: string) => string): FeedPlan {
  const f = cfg.feeds;
  const source = (path: string, url: string | undefined): Pick<FeedSpec, 'source' | 'seedPath'> =>
    url === undefined ? { source: { kind: 'file', path: resolvePath(path) } } : { source: { kind: 'http', url }, seedPath: resolvePath(path) };
  const rmd: FeedSpec = {
    name: RMD_FEED,
    kind: 'rmd',
    ...source(cfg.data.rmd.path, cfg.data.rmd.url),
    format: 'csv',
    maxShrinkFraction: cfg.data.rmd.maxShrinkFraction ?? f.maxShrinkFraction,
    maxBadRowFraction: cfg.data.rmd.maxBadRowFraction,
    origin: { key: 'data.rmd.path', path: cfg.data.rmd.path },
  };
  const lists = cfg.data.blocklists.map((l, i): FeedSpec => ({
    name: l.name,
    kind: 'list',
    ...source(l.path, l.url),
    format: listFormatOf(l.path) ?? 'csv',
    listKind: l.kind,
    maxShrinkFraction: l.maxShrinkFraction ?? f.maxShrinkFraction,
    origin: { key: `data.blocklists[${i}].path`, path: l.path },
  }));
  return {
    stateDir: resolvePath(f.stateDir),
    settings: {
      refreshMs: f.refreshMinutes * MINUTE_MS,
      jitterFraction: f.jitterFraction,
      timeoutMs: f.timeoutMs,
      retries: f.retries,
      retryBackoffMs: f.retryBackoffMs,
      maxBytes: f.maxBytes,
      maxAgeMs: f.maxAgeHours * HOUR_MS,
      failClosedWhenStale: f.failClosedWhenStale,
      removalGraceMs: f.removalGraceHours * HOUR_MS,
    },
    specs: [rmd, ...lists, ...callingNumberSpecs(cfg, source)],
    secondOpinion: {
      enabled: f.secondOpinion.enabled,
      url: f.secondOpinion.url,
      deadlineMs: f.secondOpinion.deadlineMs,
      ttlMs: f.secondOpinion.ttlMinutes * MINUTE_MS,
      negativeTtlMs: f.secondOpinion.negativeTtlMinutes * MINUTE_MS,
      maxEntries: f.secondOpinion.maxEntries,
      intervalMs: f.secondOpinion.intervalMinutes * MINUTE_MS,
    },
  };
}

/** The DNO list feeds and the allocation feed of a config. */
function callingNumberSpecs(cfg: ConfigFile, source: (path: string, url: string | undefined) => Pick<FeedSpec, 'source' | 'seedPath'>): FeedSpec[] {
  const shrink = cfg.feeds.maxShrinkFraction;
  const dno = cfg.data.dno.map((l): FeedSpec => ({
    name: l.name, kind: 'dno', ...source(l.path, l.url), format: listFormatOf(l.path) ?? 'csv', maxShrinkFraction: l.maxShrinkFraction ?? shrink,
  }));
  const a = cfg.data.allocation;
  return a === undefined ? dno : [...dno, { name: ALLOCATION_FEED, kind: 'allocation', ...source(a.path, a.url), format: 'csv', maxShrinkFraction: a.maxShrinkFraction ?? shrink }];
}

/** True when two specs describe the same feed (same source, format and limits; where the config names it aside). */
export function sameSpec(a: FeedSpec, b: FeedSpec): boolean {
  const { origin: _a, ...x } = a;
  const { origin: _b, ...y } = b;
  return JSON.stringify(x) === JSON.stringify(y);
}

/** A validated config as the feed system needs it. */
export interface PreparedConfig {
  readonly version: string;
  readonly part: WorldConfigPart;
  readonly plan: FeedPlan;
}

/** The feed system's view of a validated config. */
export function toPreparedConfig(config: ConfigFile, version: string, resolvePath: (p: string) => string): PreparedConfig {
  return {
    version,
    part: {
      trunks: toTrunks(config), providers: toProviders(config), policy: toPolicy(config), trunkHeader: config.sip.trunkHeader, configVersion: version,
      callingNumber: toCallingNumberSettings(config), emergency: toEmergency(config),
    },
    plan: toFeedPlan(config, resolvePath),
  };
}
