/**
 * Doc-sync: config/README.md documents every key of the config schema (as a `key` in a table's first column),
 * and nothing the schema does not have.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toConfigJsonSchema } from '../../src/config/json-schema.js';
import { repoPath } from '../support/paths.js';

const ROOT = repoPath();

interface Node {
  properties?: Record<string, Node>;
  items?: Node;
  anyOf?: Node[];
  oneOf?: Node[];
  allOf?: Node[];
  additionalProperties?: Node | boolean;
  propertyNames?: Node;
}

function keyPaths(node: Node, prefix: string, out: Set<string>): Set<string> {
  for (const [k, v] of Object.entries(node.properties ?? {})) {
    const path = prefix ? `${prefix}.${k}` : k;
    out.add(path);
    keyPaths(v, path, out);
  }
  if (node.items) keyPaths(node.items, `${prefix}[]`, out);
  for (const alt of [...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])]) keyPaths(alt, prefix, out);
  if (typeof node.additionalProperties === 'object') {
    if (!node.additionalProperties.properties) out.add(`${prefix}.<key>`);
    keyPaths(node.additionalProperties, `${prefix}.<key>`, out);
  }
  return out;
}

describe('config/README.md', () => {
  const documented = new Set(
    readFileSync(resolve(ROOT, 'config/README.md'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('| `'))
      .map((l) => /^\| `([^`]+)`/.exec(l)?.[1])
      .filter((k): k is string => k !== undefined && /^[a-z]/.test(k) && !/^[A-Z_]+$/.test(k)),
  );
  const schemaKeys = keyPaths(toConfigJsonSchema() as Node, '', new Set());

  it('documents every config key', () => {
    expect([...schemaKeys].filter((k) => !documented.has(k))).toEqual([]);
  });

  it('documents no key the schema does not have', () => {
    expect([...documented].filter((k) => !schemaKeys.has(k))).toEqual([]);
  });
});
