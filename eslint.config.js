// @ts-check
/**
 * Lint: typescript-eslint's recommended rules, and the architecture's boundaries (docs/architecture.md):
 * - one folder per subsystem; a subsystem imports another only through that one's index.ts;
 * - screening (the pure core) imports nothing outside itself: no node:*, no drachtio-srf, pino, prom-client, ...;
 * - lib (domain-free building blocks) imports no subsystem;
 * - the two SIP fronts never import each other; both may use sip/shared;
 * - only config reads process.env; main.ts is the one composition root, imported by the CLI alone.
 */
import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import tseslint from 'typescript-eslint';

/** The subsystems, each a folder with an index.ts (its public surface). */
const SUBSYSTEMS = ['screening', 'sip-shared', 'sip-builtin', 'sip-drachtio', 'feeds', 'cdr', 'ops', 'lib', 'config', 'cli'];

/** Which subsystems each may import (always through their index.ts). */
const ALLOWED = {
  screening: [],
  lib: [],
  config: ['screening'],
  'sip-shared': ['screening'],
  'sip-builtin': ['screening', 'sip-shared', 'lib'],
  'sip-drachtio': ['screening', 'sip-shared', 'lib', 'config'],
  feeds: ['screening', 'config', 'lib'],
  cdr: ['screening', 'config', 'lib'],
  ops: ['screening', 'config', 'lib', 'feeds', 'cdr', 'sip-shared', 'sip-builtin', 'sip-drachtio'],
  cli: ['screening', 'config', 'lib', 'feeds', 'cdr', 'ops', 'main', 'version'],
  main: ['screening', 'config', 'lib', 'feeds', 'cdr', 'ops', 'sip-shared', 'sip-builtin', 'sip-drachtio', 'version'],
  version: [],
};

/** Modules the pure core may not use: I/O, clocks, the SIP stack, logging, metrics. */
const IMPURE = ['node:*', 'fs', 'net', 'dgram', 'http', 'https', 'child_process', 'worker_threads', 'drachtio-srf', 'drachtio-srf/*', 'pino', 'prom-client', 'lru-cache', 'better-sqlite3', 'pg', 'undici'];

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'node_modules/', 'reports/', '.stryker-tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', performance: 'readonly', URL: 'readonly', TextDecoder: 'readonly', atob: 'readonly', fetch: 'readonly', NodeJS: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-duplicate-imports': 'off',
      'no-control-regex': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'import/resolver': { typescript: { project: './tsconfig.json' } },
      'boundaries/include': ['src/**/*.ts'],
      'boundaries/elements': [
        { type: 'sip-shared', pattern: 'src/sip/shared', mode: 'folder' },
        { type: 'sip-builtin', pattern: 'src/sip/builtin', mode: 'folder' },
        { type: 'sip-drachtio', pattern: 'src/sip/drachtio', mode: 'folder' },
        ...SUBSYSTEMS.filter((s) => !s.startsWith('sip-')).map((s) => ({ type: s, pattern: `src/${s}`, mode: 'folder' })),
        { type: 'cli', pattern: 'src/cli.ts', mode: 'full' },
        { type: 'main', pattern: 'src/main.ts', mode: 'full' },
        { type: 'version', pattern: 'src/version.ts', mode: 'full' },
      ],
    },
    rules: {
      'boundaries/no-unknown-files': 'error',
      'boundaries/no-unknown': 'error',
      'boundaries/element-types': ['error', {
        default: 'disallow',
        message: '${file.type} may not import ${dependency.type} (docs/architecture.md, boundary rules)',
        rules: Object.entries(ALLOWED).map(([from, allow]) => ({ from, allow: [from, ...allow] })),
      }],
      'boundaries/entry-point': ['error', {
        default: 'disallow',
        message: 'import ${dependency.type} through its index.ts, its public surface (docs/architecture.md)',
        rules: [
          { target: SUBSYSTEMS, allow: 'index.ts' },
          { target: ['main', 'version', 'cli'], allow: '*' },
        ],
      }],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'only src/config reads the environment' }],
    },
  },
  {
    // Inside a subsystem, files import each other directly (entry-point applies across subsystems only).
    files: ['src/**/*.ts'],
    rules: {},
  },
  {
    files: ['src/config/**/*.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['src/screening/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: IMPURE, message: 'the screening core is pure: no I/O, clock, SIP stack, logging or metrics' }] }],
      'no-restricted-properties': ['error',
        { object: 'process', message: 'the screening core reads no process state' },
        { object: 'Date', property: 'now', message: 'the screening core reads no clock: time arrives as data' },
        { object: 'performance', property: 'now', message: 'the screening core reads no clock: time arrives as data' },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'scripts/**/*.ts', 'vitest.config.ts', 'eslint.config.js', 'stryker.config.mjs'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
