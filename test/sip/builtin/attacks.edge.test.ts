/**
 * Issue #12 findings 1 and 3, at small scale, against `rmdgate serve` (the built CLI) as a separate process:
 * - fat INVITEs (≈1,900 characters in each of Via branch, From, To and Call-ID) cannot grow the transaction table
 *   past `sip.maxTransactionBytes`, and its memory is given back once the transactions expire;
 * - a flood from 250 unknown sources costs the configured trunk none of its calls, and the CDR and log bytes it
 *   causes stay under the bound the per-source rate sets.
 * The flood runs in its own process (test/support/udp-flood.mjs); all traffic stays on 127.0.0.0/8.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { metric } from '../../feeds/harness.js';
import { testConfigYaml } from '../../support/app-harness.js';
import { repoPath } from '../../support/paths.js';
import { recordReliability } from '../../support/reliability.js';
import { CLI, rssBytes, startServe, type ServeProcess } from '../../support/serve-process.js';
import { type SipTestClient, createUdpSipClient, parseSipResponse, sipRequest } from '../../support/sip-client.js';

const FLOOD = repoPath('test/support/udp-flood.mjs');
const MIB = 1024 * 1024;
/** A trunk call's latency budget under flood: one UDP retransmission (T1) plus processing. */
const BUDGET_MS = 750;

async function flood(port: number, opts: { sources: string[]; durationMs: number; maxMessages: number; bytes?: number; rate?: number }): Promise<number> {
  const { stdout } = await promisify(execFile)(process.execPath, [FLOOD, JSON.stringify({ port, ...opts })], { timeout: opts.durationMs + 20_000 });
  return (JSON.parse(stdout) as { sent: number }).sent;
}

/** The status of the answer to the request with `branch`; answers to earlier requests (late duplicates) are skipped. */
async function answerTo(client: SipTestClient, branch: string, timeoutMs: number): Promise<number> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const raw = await client.next(Math.max(1, until - performance.now()));
    if (raw.includes(`branch=${branch};`)) return parseSipResponse(raw).status;
  }
}

function dirBytes(dir: string): number {
  if (!existsSync(dir)) return 0;
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).reduce((n, e) => n + statSync(join(e.parentPath, e.name)).size, 0);
}

describe.runIf(existsSync(CLI) && existsSync('/proc/self/status'))('built-in front under attack (serve as its own process)', () => {
  let dir: string;
  let gate: ServeProcess | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rmdgate-attack-'));
  });
  afterEach(() => {
    gate?.killAll();
    gate = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  async function serve(sip: string): Promise<{ udpPort: number; scrape: () => Promise<string> }> {
    gate = startServe(dir, testConfigYaml(join(dir, 'cdr'), { sip, extra: '' }));
    const started = await gate.started();
    const opsUrl = `http://127.0.0.1:${started.ops?.port ?? 0}/metrics`;
    return { udpPort: started.sip.find((l) => l.transport === 'udp')?.port ?? 0, scrape: async () => (await fetch(opsUrl)).text() };
  }

  it('fat INVITEs: the transaction table stays within maxTransactionBytes and gives its memory back after expiry', async () => {
    const { udpPort, scrape } = await serve('  maxTransactionBytes: 1048576\n  transactionTtlMs: 3000\n  flood: { enabled: false }');
    const pid = gate!.child.pid!;
    const before = rssBytes(pid);

    const sent = await flood(udpPort, { sources: ['127.0.0.9'], durationMs: 20_000, maxMessages: 12_000, bytes: 1900, rate: 2000 });
    const during = await scrape();
    const peakTable = metric(during, 'rmdgate_sip_transaction_bytes') ?? -1;
    const rssAfterFlood = rssBytes(pid);
    const answered = metric(during, 'rmdgate_sip_responses_total', { status: '403', transport: 'udp' }) ?? 0;
    const notKept = metric(during, 'rmdgate_sip_transactions_not_kept_total') ?? -1;

    expect(sent).toBe(12_000);
    // Some datagrams may be dropped by the kernel on a busy host; 3 s of transactions at 2,000/s still pass the bound.
    expect(answered).toBeGreaterThan(9_000);
    expect(peakTable).toBeGreaterThan(0);
    expect(peakTable).toBeLessThanOrEqual(1 * MIB);
    expect(notKept).toBe(0); // the bound made room by dropping the oldest transactions, not by refusing new ones
    // Before: each ~7.9 KB answer took a 16 KiB slot, ~190 MB for these 12,000. Margin: CDR queue, heap growth.
    expect(rssAfterFlood - before).toBeLessThan(1 * MIB + 100 * MIB);

    // Past the TTL a trickle of normal calls sweeps the table; emptied chunks are released.
    await new Promise((resolve) => setTimeout(resolve, 3500));
    const client = await createUdpSipClient('127.0.0.1', udpPort);
    try {
      for (let i = 0; i < 5; i++) {
        await client.send(sipRequest({ via: `SIP/2.0/UDP 127.0.0.1:${client.localPort};branch=z9hG4bK-after${i};rport` }));
        expect((await client.response(3000)).status).toBe(302);
      }
    } finally {
      await client.close();
    }
    const after = await scrape();
    expect(metric(after, 'rmdgate_sip_transactions')).toBe(5);
    expect(metric(after, 'rmdgate_sip_transaction_bytes')).toBeLessThanOrEqual(2 * 256 * 1024);
    recordReliability(import.meta.url, {
      attack: 'fat INVITEs (1,900 chars in branch, From, To, Call-ID) from one source, 2,000/s',
      tried: sent, unit: 'messages', result: 'held',
      detail: `${answered} answered; transaction table peak ${peakTable} B (bound 1 MiB), ${metric(after, 'rmdgate_sip_transaction_bytes')} B after expiry; RSS +${Math.round((rssAfterFlood - before) / MIB)} MiB`,
    });
  }, 60_000);

  it('a flood from 250 unknown sources: the trunk keeps its calls, the CDR and log bytes stay bounded', async () => {
    const { udpPort, scrape } = await serve('');
    const sources = Array.from({ length: 250 }, (_, i) => `127.0.1.${i + 1}`);
    const durationMs = 4000;
    const flooding = flood(udpPort, { sources, durationMs, maxMessages: 400_000 });

    // The configured trunk 127.0.0.1 places calls one after another while the flood runs.
    const client = await createUdpSipClient('127.0.0.1', udpPort);
    const latencies: number[] = [];
    let lost = 0;
    try {
      const until = Date.now() + durationMs;
      for (let i = 0; Date.now() < until && i < 2000; i++) {
        // Like a real UAC over UDP, the trunk retransmits an unanswered INVITE after T1 = 500 ms (RFC 3261 Timer A):
        // a datagram the kernel dropped from a receive buffer full of flood is not a lost call.
        const t0 = performance.now();
        const branch = `z9hG4bK-trunk${i}`;
        const request = sipRequest({ via: `SIP/2.0/UDP 127.0.0.1:${client.localPort};branch=${branch};rport` });
        await client.send(request);
        const status = await answerTo(client, branch, 500).catch(async () => (await client.send(request), answerTo(client, branch, 1000))).catch(() => undefined);
        if (status === 302) latencies.push(performance.now() - t0);
        else lost++;
      }
    } finally {
      await client.close();
    }
    const sent = await flooding;
    const text = await scrape();

    const calls = latencies.length + lost;
    const withinBudget = latencies.filter((ms) => ms <= BUDGET_MS).length;
    const dropped = metric(text, 'rmdgate_sip_flood_total', { reason: 'flood-limit', action: 'dropped', transport: 'udp' }) ?? 0;
    // Each unknown source gets its burst (10) plus 2/s through: the CDR and log bytes follow from that, not the flood.
    const admittedBound = sources.length * (10 + 2 * (durationMs / 1000 + 5));
    const screenedUnknown = metric(text, 'rmdgate_invites_total', { trunk: 'unknown', decision: 'reject', reason: 'unknown-trunk', mode: 'enforce' }) ?? 0;
    const bytesWritten = dirBytes(join(dir, 'cdr')) + gate!.stdout.join('').length;

    expect(sent).toBeGreaterThan(20_000);
    expect(calls).toBeGreaterThan(50);
    expect(withinBudget / calls).toBeGreaterThanOrEqual(0.99);
    expect(dropped).toBeGreaterThan(sent * 0.5);
    expect(screenedUnknown).toBeLessThanOrEqual(admittedBound);
    expect(bytesWritten).toBeLessThan(admittedBound * 3000);
    recordReliability(import.meta.url, {
      attack: 'UDP INVITE flood from 250 unknown sources while a trunk places calls',
      tried: sent, unit: 'messages', result: lost === 0 ? 'held' : `lost ${lost} of ${calls} trunk calls`,
      detail: `${withinBudget}/${calls} trunk calls answered within ${BUDGET_MS} ms (one retransmission at T1 allowed), p99 ${latencies.sort((a, b) => a - b)[Math.floor(latencies.length * 0.99)]?.toFixed(1)} ms; ${dropped} flood messages dropped unparsed; ${screenedUnknown} screened (bound ${admittedBound}); ${(bytesWritten / 1e6).toFixed(1)} MB CDR+log`,
    });
  }, 60_000);
});
