/**
 * parseConfig(): a raw YAML value → the frozen typed config, every problem listed (removed keys, shape, then the
 * cross-references of semantics.ts and the drachtio front's own limits). Pure.
 */
import type { z } from 'zod';
import { configSchema, type ConfigFile } from './schema.js';
import { knownKeysAt, suggestKey } from './did-you-mean.js';
import { checkSemantics } from './semantics.js';

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

/**
 * Keys that existed and were removed: a config that still sets one is refused with what to do instead (rather than
 * zod's generic "unrecognized key").
 */
const REMOVED_KEYS: readonly { readonly path: readonly string[]; readonly message: string }[] = [
  { path: ['sip', 'drachtio', 'decisionDeadlineMs'], message: 'removed: screening is synchronous, so there is no deadline to wait for; delete this key' },
  { path: ['sip', 'drachtio', 'onDeadline'], message: 'removed: screening is synchronous, so there is no deadline; a failed screening is answered by policy.reasons.screening-error; delete this key' },
];

/** The raw config without removed keys, and a problem for each one it set. */
function withoutRemovedKeys(raw: unknown): { raw: unknown; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  let out = raw;
  for (const { path, message } of REMOVED_KEYS) {
    const parent = path.slice(0, -1).reduce<unknown>((node, key) => (isRecord(node) ? node[key] : undefined), out);
    const key = path[path.length - 1]!;
    if (!isRecord(parent) || !(key in parent)) continue;
    problems.push({ path: path.join('.'), message });
    out = withoutKey(out, path);
  }
  return { raw: out, problems };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A copy of `node` with the key at `path` deleted (the objects along the path copied, the rest shared). */
function withoutKey(node: unknown, path: readonly string[]): unknown {
  if (!isRecord(node) || path.length === 0) return node;
  const [head, ...rest] = path as [string, ...string[]];
  const copy = { ...node };
  if (rest.length === 0) delete copy[head];
  else copy[head] = withoutKey(copy[head], rest);
  return copy;
}

/** Validates a parsed YAML value: removed keys, shape, then cross-references. Throws ConfigError listing every problem. */
export function parseConfig(input: unknown, file?: string): ConfigFile {
  const { raw, problems: removed } = withoutRemovedKeys(input);
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError([...removed, ...result.error.issues.flatMap(toProblems)], file);
  }
  if (removed.length > 0) throw new ConfigError(removed, file);
  const problems = [...checkSemantics(result.data), ...checkDrachtioFront(result.data)];
  if (problems.length > 0) throw new ConfigError(problems, file);
  return deepFreeze(result.data);
}

/** A zod issue as config problems: an unrecognized key is one problem per key, at the key, with the closest known key. */
function toProblems(issue: z.core.$ZodIssue): ConfigProblem[] {
  if (issue.code !== 'unrecognized_keys') return [{ path: formatPath(issue.path), message: issue.message }];
  const known = knownKeysAt(configSchema, issue.path);
  // A schema's own message for unknown keys (e.g. `emergency`: the protection can only be widened) wins over the hint.
  if (!issue.message.startsWith('Unrecognized key')) return issue.keys.map((key) => ({ path: formatPath([...issue.path, key]), message: issue.message }));
  return issue.keys.map((key) => {
    const suggestion = suggestKey(key, known);
    return { path: formatPath([...issue.path, key]), message: suggestion === undefined ? 'unknown key' : `unknown key; did you mean "${suggestion}"?` };
  });
}

/**
 * Checks that only matter when the drachtio front runs: drachtio-srf 5.0.29 cannot send 607/608 (`Response#send`
 * throws for statuses missing from its `sip-status` map, whatever the phrase), and per-trunk actions name real trunks.
 */
function checkDrachtioFront(cfg: ConfigFile): ConfigProblem[] {
  if (cfg.sip.front !== 'drachtio') return [];
  const problems: ConfigProblem[] = [];
  for (const [reason, setting] of Object.entries(cfg.policy.reasons)) {
    if (setting?.status === 607 || setting?.status === 608) {
      problems.push({ path: `policy.reasons.${reason}.status`, message: `${setting.status} cannot be sent through drachtio-srf (sip.front: drachtio); use 603 or style: 603plus` });
    }
  }
  const trunks = new Set(cfg.trunks.map((t) => t.id));
  for (const id of Object.keys(cfg.sip.drachtio.trunkAllowAction)) {
    if (!trunks.has(id)) problems.push({ path: `sip.drachtio.trunkAllowAction.${id}`, message: `no trunk with id "${id}"` });
  }
  return problems;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
