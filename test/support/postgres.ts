/**
 * A throwaway PostgreSQL server for tests: initdb into a temp dir, postgres on 127.0.0.1 with a free port and its
 * socket in the temp dir, stop/start for outage tests, and removal. As root the binaries run as the `postgres` user.
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where the server binaries are looked for: PG_BIN, else the newest /usr/lib/postgresql/<major>/bin (Debian package `postgresql`). */
export const PG_BIN = process.env['PG_BIN'] ?? newestDebianPgBin();

function newestDebianPgBin(): string {
  const root = '/usr/lib/postgresql';
  let majors: number[] = [];
  try {
    majors = readdirSync(root).map(Number).filter((n) => Number.isInteger(n) && existsSync(join(root, String(n), 'bin', 'initdb')));
  } catch {
    /* no PostgreSQL installed */
  }
  return join(root, String(majors.sort((a, b) => b - a)[0] ?? 15), 'bin');
}

/** Why PostgreSQL tests cannot run here, or undefined when they can. */
export function pgUnavailableReason(): string | undefined {
  if (!existsSync(join(PG_BIN, 'initdb')) || !existsSync(join(PG_BIN, 'pg_ctl'))) {
    return `PostgreSQL server binaries not found in ${PG_BIN}: install the Debian package "postgresql" (apt-get install postgresql) or set PG_BIN`;
  }
  if (process.getuid?.() === 0 && !existsSync('/usr/sbin/runuser') && !existsSync('/sbin/runuser')) return 'running as root without runuser to drop to the postgres user';
  return undefined;
}

/** A running test server. */
export interface TestPostgres {
  readonly url: string;
  readonly port: number;
  /** Fast shutdown (connections are cut), keeping the data for start(). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /** Stops it and deletes the temp dir. Idempotent. */
  destroy(): Promise<void>;
}

/** Runs a PostgreSQL binary, as `postgres` when this process is root (initdb refuses to run as root). */
async function pgExec(bin: string, args: readonly string[]): Promise<string> {
  const path = join(PG_BIN, bin);
  const asRoot = process.getuid?.() === 0;
  const { stdout } = asRoot
    ? await run('runuser', ['-u', 'postgres', '--', path, ...args], { timeout: 60_000 })
    : await run(path, [...args], { timeout: 60_000 });
  return stdout;
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** initdb + start. Throws (after cleaning up) when the server does not come up within 60 s. */
export async function startTestPostgres(): Promise<TestPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'rmdgate-pg-'));
  if (process.getuid?.() === 0) {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const port = await freePort();
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=40 -c shared_buffers=32MB`;
  const start = async (): Promise<void> => void (await pgExec('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', '-o', opts, 'start']));
  const stop = async (): Promise<void> => void (await pgExec('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']));
  let destroyed = false;
  const destroy = async (): Promise<void> => {
    if (destroyed) return;
    destroyed = true;
    await stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await pgExec('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
    await start();
  } catch (err) {
    await destroy();
    throw err;
  }
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, port, stop, start, destroy };
}
