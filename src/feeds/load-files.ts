/**
 * Reads data files from disk and hands their contents to the RMD CSV and blocklist parsers.
 * ADAPTER: the only file-system access for data files; read failures become DataFileError ERR_DATA_READ.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { BlocklistEntry, ListKind, RmdSnapshot } from '../screening/model.js';
import { parseBlocklist } from './lists/blocklist.js';
import { DataFileError, parseRmdCsv } from './rmd/csv.js';

/** Blocklist format for a file extension (case-insensitive). */
const FORMAT_BY_EXTENSION: Readonly<Record<string, 'yaml' | 'csv'>> = { '.yaml': 'yaml', '.yml': 'yaml', '.csv': 'csv' };

/** Plain words for the common read failures; others show the errno code. */
const READ_FAILURES: Readonly<Record<string, string>> = {
  ENOENT: 'file not found',
  EACCES: 'permission denied',
  EISDIR: 'is a directory',
};

async function readData(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = (code === undefined ? undefined : READ_FAILURES[code]) ?? code ?? String(err);
    throw new DataFileError('ERR_DATA_READ', `${path}: cannot read data file: ${why}`, { file: path, cause: err });
  }
}

/**
 * Reads and parses an RMD CSV export; `path` becomes the snapshot source.
 * @throws DataFileError ERR_DATA_READ, or any parseRmdCsv error.
 */
export async function loadRmdFile(path: string, loadedAt: number): Promise<RmdSnapshot> {
  const bytes = await readData(path);
  return parseRmdCsv(bytes, { source: path, loadedAt });
}

/**
 * Reads and validates a blocklist; the format follows the extension (`.yaml`, `.yml`, `.csv`).
 * @throws DataFileError ERR_DATA_READ (unreadable file or unsupported extension), or any parseBlocklist error.
 */
export async function loadBlocklistFile(path: string, list: string, defaultKind?: ListKind): Promise<BlocklistEntry[]> {
  const format = FORMAT_BY_EXTENSION[extname(path).toLowerCase()];
  if (format === undefined) {
    throw new DataFileError('ERR_DATA_READ', `${path}: unsupported blocklist file type (use .yaml, .yml or .csv)`, { file: path });
  }
  const text = (await readData(path)).toString('utf8');
  return parseBlocklist(text, { file: path, list, format, defaultKind });
}
