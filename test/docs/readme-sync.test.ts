/**
 * Doc-sync: the README's reason table and CDR field table, and config/rmdgate.schema.json, must match the code.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toConfigJsonSchema } from '../../src/config/json-schema.js';
import { POLICY_REASONS, REASONS } from '../../src/screening/model.js';
import { DEFAULT_PHRASES, DEFAULT_REASON_SETTINGS, REASON_MEANINGS } from '../../src/screening/reject-reasons.js';
import { UNUSABLE_REQUEST_URI_ANSWERS } from '../../src/screening/request-uri.js';
import { buildFacts } from '../support/builders.js';
import { toCdrRecord, toFloodSummaryRecord } from '../../src/screening/cdr-record.js';
import { repoPath } from '../support/paths.js';

const ROOT = repoPath();
const readme = readFileSync(resolve(ROOT, 'README.md'), 'utf8');

/** Rows of the first markdown table after `heading`, as arrays of trimmed cells (header and rule rows dropped). */
function tableAfter(heading: string): string[][] {
  const start = readme.indexOf(heading);
  expect(start, `README has no "${heading}"`).toBeGreaterThanOrEqual(0);
  const lines = readme.slice(start).split('\n');
  const first = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.slice(1, -1).split(' | ').map((c) => c.trim().replace(/^\|\s*|\s*\|$/g, '')));
  }
  return rows;
}

describe('README reason table', () => {
  const rows = tableAfter('### Reasons');

  it('lists exactly the reason tokens of the code, in order', () => {
    expect(rows.map((r) => r[0])).toEqual(REASONS.map((r) => `\`${r}\``));
  });

  it.each(POLICY_REASONS.map((reason) => ({ reason })))('states the default action, answer, meaning and rule of $reason', ({ reason }) => {
    const row = rows.find((r) => r[0] === `\`${reason}\``)!;
    const d = DEFAULT_REASON_SETTINGS[reason];

    expect(row[1]).toBe(d.action);
    expect(row[2]).toBe(`${d.status} ${DEFAULT_PHRASES[d.status]}`);
    expect(row[3]).toBe(REASON_MEANINGS[reason].meaning);
    expect(row[4]).toBe(REASON_MEANINGS[reason].rule);
  });

  it('states that unusable-request-uri is always refused, with its statuses, meaning and rule', () => {
    const row = rows.find((r) => r[0] === '`unusable-request-uri`')!;
    const a = UNUSABLE_REQUEST_URI_ANSWERS;

    expect(row[1]).toBe('block, in any mode (no setting)');
    expect(row[2]).toBe(`${a.tooLong.status}, or ${a.scheme.status} for a scheme other than sip/sips/tel`);
    expect([a.notUserCharacters.status, a.encodedControl.status]).toEqual([a.tooLong.status, a.tooLong.status]);
    expect(row[3]).toBe(REASON_MEANINGS['unusable-request-uri'].meaning);
    expect(row[4]).toBe(REASON_MEANINGS['unusable-request-uri'].rule);
  });

  it('states that flood-limit follows sip.flood.action, with its answer, meaning and rule', () => {
    const row = rows.find((r) => r[0] === '`flood-limit`')!;

    expect(row[1]).toBe('per `sip.flood.action` (not a policy reason): drop, or reject');
    expect(row[2]).toBe(`none (dropped), or 503 ${DEFAULT_PHRASES[503]} with Retry-After`);
    expect(row[3]).toBe(REASON_MEANINGS['flood-limit'].meaning);
    expect(row[4]).toBe(REASON_MEANINGS['flood-limit'].rule);
  });
});

describe('README CDR table', () => {
  it('documents every CDR field and no other', () => {
    const documented = tableAfter('## CDRs').flatMap((r) => [...(r[0] ?? '').matchAll(/`([A-Za-z0-9]+)`/g)].map((m) => m[1]));
    const record = toCdrRecord(buildFacts({}), { kind: 'reject', reason: 'unknown-trunk', evidence: {}, answer: { status: 403, phrase: 'Forbidden' } }, {
      node: 'n', seq: 1, decidedAt: 1, sipStatus: 403, mode: 'enforce', configVersion: 'v', provider: undefined, rmdLoadedAt: undefined,
    });

    expect(new Set(documented)).toEqual(new Set(Object.keys(record)));
  });
});

describe('README flood summary table', () => {
  it('documents every flood summary field and no other', () => {
    const documented = tableAfter('### Flood summary records').flatMap((r) => [...(r[0] ?? '').matchAll(/`([A-Za-z0-9]+)`/g)].map((m) => m[1]));
    const record = toFloodSummaryRecord({ sourceAddress: '198.51.100.7', sources: 1, transport: 'udp', intervalStartMs: 1, intervalEndMs: 2, requests: 3, action: 'dropped' }, 'n');

    expect(new Set(documented)).toEqual(new Set(Object.keys(record)));
  });
});

describe('config/rmdgate.schema.json', () => {
  it('is the schema the code generates (run `node dist/cli.js schema > config/rmdgate.schema.json`)', () => {
    const onDisk: unknown = JSON.parse(readFileSync(resolve(ROOT, 'config/rmdgate.schema.json'), 'utf8'));

    expect(onDisk).toEqual(toConfigJsonSchema());
  });
});
