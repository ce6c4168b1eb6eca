/** Day files written by an earlier version get the columns added since, so today's file keeps taking records. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CDR_COLUMNS } from '../../../src/cdr/columns.js';
import { addMissingColumns, dayFilePath } from '../../../src/cdr/sqlite/day-files.js';
import { createSqliteCdrReader } from '../../../src/cdr/sqlite/query.js';
import { createSqliteWriter } from '../../../src/cdr/sqlite/writer.js';
import { AT, buildCdr } from '../../support/builders.js';

const NEW_COLUMNS = ['calling_number_list', 'calling_number_entry', 'calling_number_source', 'protected_call'];

describe('SQLite day files from an earlier version', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rmdgate-dayfile-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('gain the new calling-number columns and take records that fill them; old rows read back null', async () => {
    const old = new Database(dayFilePath(dir, '2026-11-20'));
    const oldColumns = CDR_COLUMNS.filter((c) => !NEW_COLUMNS.includes(c));
    old.exec(`CREATE TABLE cdr (${oldColumns.join(', ')})`);
    old.prepare(`INSERT INTO cdr (node, seq, received_at_ms, call_id, called_key) VALUES ('gate-1', 1, ${AT}, 'old@test', 12025550123)`).run();
    old.close();
    const writer = createSqliteWriter({ dir });

    const r = writer.write([{ r: buildCdr({ seq: 2, callId: 'new@test', reason: 'calling-number-dno', decision: 'reject', callingNumberList: 'op-dno', callingNumberEntry: '+12025550166', callingNumberSource: 'subscriber-request', protectedCall: null }) }]);
    writer.close();
    const calls = [...createSqliteCdrReader(dir).scan(AT - 1, AT + 1)];

    expect(r).toEqual({ written: 1, lost: 0 });
    expect(calls.map((c) => [c.record.callId, c.record.callingNumberList, c.record.callingNumberEntry, c.record.callingNumberSource, c.record.protectedCall])).toEqual([
      ['old@test', null, null, null, null],
      ['new@test', 'op-dno', '+12025550166', 'subscriber-request', null],
    ]);
  });

  it('adds nothing to a current file', () => {
    const db = new Database(':memory:');
    db.exec(`CREATE TABLE cdr (${CDR_COLUMNS.join(', ')})`);

    expect(addMissingColumns(db)).toEqual([]);
    db.close();
  });
});
