/**
 * Micro-benchmark of FNV-1a over a transaction key against node:crypto's one-shot sha1 (what a hash table would
 * otherwise use for a well-spread key hash). `npm run bench:lib`.
 */
import { hash } from 'node:crypto';
import { bench, describe } from 'vitest';
import { fnv1aBytes, fnv1aString } from '../../src/lib/fnv1a.js';

const KEY = 'b\x00z9hG4bK-776asdhds\x00192.0.2.10:5060\x00a84b4c76e66710@pc33.example.net\x00314159';
const BYTES = Buffer.from(KEY);

describe('hashing one transaction key', () => {
  bench('lib/fnv1a fnv1aBytes', () => void fnv1aBytes(BYTES));
  bench('lib/fnv1a fnv1aString', () => void fnv1aString(KEY));
  bench('crypto.hash sha1 (reference)', () => void hash('sha1', KEY, 'hex'));
});
