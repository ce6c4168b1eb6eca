/**
 * Parses the allocation feed: the numbering administrators' reports of assigned central office codes (NPA-NXX) and
 * thousands blocks (NPA-NXX-X), as CSV or tab-separated text, into a compiled AllocationTable.
 */
import { AllocationTableBuilder, type AllocationTable } from '../../screening/index.js';
import { dataFileErrorFrom, type DataFileProblem } from '../errors.js';

/**
 * Recognised columns (header cells compared in lower case without spaces, `_`, `-` or `/`): `npa` + `nxx` (or one
 * `npanxx` column, `201-555` or `201555`), and optionally `x` (also `block`, `thousandsblock`): the block digit;
 * blank = the whole code. Other columns (state, OCN, company, rate center, dates) are ignored, so NANPA's CO code
 * report (`State, NPA-NXX, OCN, Company, RateCenter, …`) and the pooling administrator's block report load as exported.
 */
const COLUMN_ALIASES: ReadonlyMap<string, 'npa' | 'nxx' | 'npanxx' | 'x'> = new Map([
  ['npa', 'npa'], ['nxx', 'nxx'], ['npanxx', 'npanxx'], ['x', 'x'], ['block', 'x'], ['thousandsblock', 'x'], ['blockx', 'x'],
]);

const MAX_LISTED = 20;

/** Parses an allocation report. @throws DataFileError ERR_DATA_COLUMNS or ERR_DATA_ROW (bad rows counted, first 20 listed). */
export function parseAllocation(body: string, file: string): AllocationTable {
  const lines = body.replace(/^\uFEFF/, '').split(/\r?\n/);
  const headerAt = lines.findIndex((l) => l.trim() !== '');
  const header = lines[headerAt] ?? '';
  const sep = header.includes('\t') ? '\t' : ',';
  const cols = header.split(sep).map((h) => COLUMN_ALIASES.get(h.trim().replace(/^"|"$/g, '').toLowerCase().replace(/[\s_\-/]+/g, '')));
  const at = (name: 'npa' | 'nxx' | 'npanxx' | 'x'): number => cols.indexOf(name);
  if (headerAt < 0 || (at('npanxx') < 0 && (at('npa') < 0 || at('nxx') < 0))) {
    throw dataFileErrorFrom('ERR_DATA_COLUMNS', file, 'an allocation feed needs npa and nxx columns (or npa-nxx)', [{ file, line: headerAt + 1, message: 'columns: npa, nxx, x (or npa-nxx, x)' }]);
  }
  const builder = new AllocationTableBuilder();
  const problems: DataFileProblem[] = [];
  let bad = 0;
  for (let i = headerAt + 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '') continue;
    const cells = line.split(sep).map((c) => c.trim().replace(/^"|"$/g, ''));
    const code = at('npanxx') >= 0 ? (cells[at('npanxx')] ?? '').replace(/[-\s]/g, '') : `${cells[at('npa')] ?? ''}${cells[at('nxx')] ?? ''}`;
    const x = at('x') >= 0 ? (cells[at('x')] ?? '') : '';
    if (!/^\d{6}$/.test(code) || !/^\d?$/.test(x)) {
      bad++;
      if (problems.length < MAX_LISTED) problems.push({ file, line: i + 1, message: `line ${i + 1}: not NPA-NXX (6 digits) with an optional block digit: ${line.slice(0, 60)}` });
      continue;
    }
    builder.add(Number(code.slice(0, 3)), Number(code.slice(3)), x === '' ? undefined : Number(x));
  }
  if (bad > 0) throw dataFileErrorFrom('ERR_DATA_ROW', file, `${bad} bad row(s) in the allocation feed${bad > problems.length ? ` (first ${problems.length} listed)` : ''}`, problems);
  return builder.build();
}
