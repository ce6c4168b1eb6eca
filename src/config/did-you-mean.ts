/**
 * "Did you mean" for unknown config keys: the known keys at the unknown key's level (read from the zod schema) and
 * the closest of them by edit distance or shared prefix. Pure.
 */
import type { z } from 'zod';

/** Largest edit distance still offered as a suggestion. */
const MAX_DISTANCE = 2;
/** Shortest shared prefix that makes a key a suggestion whatever its distance (e.g. `flush` → `flushIntervalMs`). */
const MIN_PREFIX = 4;

/** Levenshtein distance of two strings, case-insensitive (the config's keys are camelCase and short). */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const row = [i];
    for (let j = 1; j <= t.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (s[i - 1] === t[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[t.length]!;
}

function sharedPrefix(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let n = 0;
  while (n < s.length && n < t.length && s[n] === t[n]) n++;
  return n;
}

/**
 * The known key closest to `unknown`: the smallest edit distance within {@link MAX_DISTANCE} (1 for keys of up
 * to 3 characters), else the longest shared prefix of at least
 * {@link MIN_PREFIX} characters, else undefined.
 */
export function suggestKey(unknown: string, known: readonly string[]): string | undefined {
  let best: { key: string; d: number } | undefined;
  for (const key of known) {
    const d = editDistance(unknown, key);
    const limit = Math.min(unknown.length, key.length) <= 3 ? 1 : MAX_DISTANCE;
    if (d <= limit && (best === undefined || d < best.d)) best = { key, d };
  }
  if (best !== undefined) return best.key;
  let byPrefix: { key: string; n: number } | undefined;
  for (const key of known) {
    const n = sharedPrefix(unknown, key);
    if (n >= MIN_PREFIX && (byPrefix === undefined || n > byPrefix.n)) byPrefix = { key, n };
  }
  return byPrefix?.key;
}

interface Def {
  readonly type: string;
  readonly shape?: Record<string, z.ZodType>;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly out?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly element?: z.ZodType;
  readonly keyType?: z.ZodType;
  readonly valueType?: z.ZodType;
  readonly entries?: Readonly<Record<string, string | number>>;
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { def: Def }).def;

/** The key sets an object at `path` may have: object shapes and enum-keyed records (wrappers unwrapped, every union branch followed). */
function keySetsAt(schema: z.ZodType, path: readonly PropertyKey[]): string[][] {
  const def = defOf(schema);
  switch (def.type) {
    case 'optional': case 'nullable': case 'default': case 'prefault': case 'readonly': case 'catch': case 'nonoptional':
      return def.innerType ? keySetsAt(def.innerType, path) : [];
    case 'pipe':
      return def.in ? keySetsAt(def.in, path) : [];
    case 'union':
      return (def.options ?? []).flatMap((o) => keySetsAt(o, path));
    default:
      break;
  }
  if (path.length === 0) {
    if (def.type === 'object') return [Object.keys(def.shape ?? {})];
    const keys = def.type === 'record' && def.keyType ? defOf(def.keyType).entries : undefined;
    return keys === undefined ? [] : [Object.values(keys).map(String)];
  }
  const [head, ...rest] = path;
  if (def.type === 'object' && typeof head === 'string' && def.shape?.[head] !== undefined) return keySetsAt(def.shape[head], rest);
  if (def.type === 'array' && typeof head === 'number' && def.element) return keySetsAt(def.element, rest);
  if (def.type === 'record' && def.valueType) return keySetsAt(def.valueType, rest);
  return [];
}

/** The keys an object at `path` of `schema` may have (empty when the path leads to no object). */
export function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  return [...new Set(keySetsAt(schema, path).flat())];
}
