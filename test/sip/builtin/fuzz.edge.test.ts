/**
 * Issue #12 item 7: grammar-mutated SIP against `rmdgate serve` (the built CLI) as a separate process. The fuzzer
 * (test/support/sip-fuzz.mjs, its own process) sends > 100,000 messages over UDP and TCP while valid calls from the
 * trunk 127.0.0.1 and from an unknown source are placed in between. The gate must not crash or log an unhandled
 * error, keep its memory within a stated bound, count every message it took in exactly once (or, for streams that
 * cannot be framed, within the bounds framing allows), answer every answer as a well-formed SIP response, answer
 * clean requests with the right status, and decide every valid call right. All traffic stays on 127.0.0.0/8.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testConfigYaml } from '../../support/app-harness.js';
import { account, establishedOn, type FuzzSummary, parseMetrics, sumOf, type TransportAccount, udpDrops } from '../../support/fuzz-accounting.js';
import { repoPath } from '../../support/paths.js';
import { recordReliability } from '../../support/reliability.js';
import { CLI, rssBytes, startServe, type ServeProcess } from '../../support/serve-process.js';
import { connectTcpSipClient, createUdpSipClient, sipRequest, type SipTestClient } from '../../support/sip-client.js';
import { waitUntil } from '../../support/wait.js';

const FUZZ = repoPath('test/support/sip-fuzz.mjs');
const MIB = 1024 * 1024;
const MAX_MESSAGE_BYTES = 16_384;
/** The fuzz run's memory bound: peak RSS at most this far above the baseline taken after start-up and warm-up. */
const RSS_BOUND_BYTES = 112 * MIB;
/** "Flat": the last third of the run's RSS samples may exceed the first third's peak by at most this much. */
const RSS_FLAT_BYTES = 32 * MIB;
/** The seed: FUZZ_SEED=<n> replays a run (the seed of each run is in the reliability row and the failure message). */
const SEED = process.env['FUZZ_SEED'] !== undefined ? Number(process.env['FUZZ_SEED']) : (Date.now() % 2 ** 31);
const TRUNK = '127.0.0.1';
const UNKNOWN = '127.0.0.4';
/**
 * What the gate may answer with flood control off: 200 (OPTIONS, CANCEL of a kept transaction), 400/416/513
 * (malformed, unusable Request-URI, oversize), 403 (unknown-trunk), 405, 481, 483; a trunk source may also get 302.
 * Never 500 (a handler that threw) and never a redirect for a source no trunk covers.
 */
const ANSWERS = { other: new Set([200, 400, 403, 405, 416, 481, 483, 513]), trunk: new Set([200, 302, 400, 403, 405, 416, 481, 483, 513]) };
const BAD_LOG = /invite handler failed|sip message handling failed|invite handler returned no final reply/;

/** The account of `transport` since `base` (a scrape), less what the valid-call client sent. */
function since(text: string, base: string, transport: 'udp' | 'tcp', validSent: number): TransportAccount {
  const now = account(text, transport);
  const then = account(base, transport);
  return {
    counted: now.counted - then.counted - validSent,
    requests: now.requests - then.requests - validSent,
    responses: now.responses - then.responses,
    rejects: now.rejects - then.rejects,
    flood: now.flood - then.flood,
    oversize: now.oversize - then.oversize,
  };
}

/** Answers outside {@link ANSWERS}, as `asker status × count`. */
function unexpectedAnswers(...tallies: Record<string, number>[]): string[] {
  const out: string[] = [];
  for (const tally of tallies) {
    for (const [key, count] of Object.entries(tally)) {
      const [asker = '', status = ''] = key.split(' ');
      if (!(asker === 'trunk' ? ANSWERS.trunk : ANSWERS.other).has(Number(status))) out.push(`${key} × ${count}`);
    }
  }
  return out;
}

/** Running fuzzer processes; afterEach aborts (kills) any a failed test left behind. */
const fuzzers = new Set<AbortController>();

async function fuzz(args: Record<string, unknown>, maxMs: number): Promise<FuzzSummary> {
  const abort = new AbortController();
  fuzzers.add(abort);
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [FUZZ, JSON.stringify({ ...args, maxMs })], { timeout: maxMs + 30_000, maxBuffer: 16 * MIB, signal: abort.signal });
    return JSON.parse(stdout) as FuzzSummary;
  } finally {
    fuzzers.delete(abort);
  }
}

/** Valid calls placed one after another until `until()`: trunk over UDP and TCP (302), unknown source over UDP (403). */
async function validCalls(udpPort: number, tcpPort: number, until: () => boolean, unknownEveryMs: number): Promise<{ placed: number; wrong: string[]; sent: { udp: number; tcp: number } }> {
  const trunk = await createUdpSipClient(TRUNK, udpPort);
  const unknown = await createUdpSipClient(UNKNOWN, udpPort);
  const tcp = await connectTcpSipClient(TRUNK, tcpPort);
  const wrong: string[] = [];
  const sent = { udp: 0, tcp: 0 };
  let placed = 0;
  let lastUnknown = 0;
  // A UDP INVITE is retransmitted (same bytes, RFC 3261 17.1.1.2) when no answer comes within 1 s, as a UAC would.
  const call = async (client: SipTestClient, transport: 'UDP' | 'TCP', expected: number, i: number): Promise<void> => {
    const request = sipRequest({ via: `SIP/2.0/${transport} ${client.localAddress}:${client.localPort};branch=z9hG4bK-valid${i}-${SEED};rport` });
    placed++;
    for (let attempt = 0; attempt < (transport === 'UDP' ? 4 : 1); attempt++) {
      await client.send(request);
      sent[transport === 'UDP' ? 'udp' : 'tcp']++;
      const answer = await client.response(transport === 'UDP' ? 1000 : 4000).catch(() => undefined);
      if (answer === undefined) continue;
      if (answer.status !== expected) wrong.push(`${transport} ${client.localAddress} #${i}: ${answer.status} (want ${expected})`);
      return;
    }
    wrong.push(`${transport} ${client.localAddress} #${i}: no answer`);
  };
  try {
    for (let i = 0; !until() && i < 20_000; i++) {
      await call(trunk, 'UDP', 302, i);
      await call(tcp, 'TCP', 302, i);
      if (Date.now() - lastUnknown >= unknownEveryMs) {
        lastUnknown = Date.now();
        await call(unknown, 'UDP', 403, i);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    await Promise.all([trunk.close(), unknown.close(), tcp.close()]);
  }
  return { placed, wrong, sent };
}

describe.runIf(existsSync(CLI) && existsSync('/proc/net/udp'))('built-in front under grammar-mutated SIP (serve as its own process)', () => {
  let dir: string;
  let gate: ServeProcess | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rmdgate-fuzz-'));
  });
  afterEach(async () => {
    for (const abort of fuzzers) abort.abort();
    gate?.killAll();
    if (gate !== undefined) await gate.noneLeft();
    gate = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  async function serve(sip: string): Promise<{ udpPort: number; tcpPort: number; scrape: () => Promise<string> }> {
    gate = startServe(dir, testConfigYaml(join(dir, 'cdr'), { sip: `  maxMessageBytes: ${MAX_MESSAGE_BYTES}\n  maxTransactionBytes: 8388608\n${sip}`, extra: '' }));
    const started = await gate.started();
    const opsUrl = `http://127.0.0.1:${started.ops?.port ?? 0}/metrics`;
    const port = (t: string): number => started.sip.find((l) => l.transport === t)?.port ?? 0;
    return { udpPort: port('udp'), tcpPort: port('tcp'), scrape: async () => (await fetch(opsUrl)).text() };
  }

  function healthy(): void {
    expect(gate!.child.exitCode).toBeNull();
    expect(gate!.stderr.join('')).not.toMatch(/fatal|unhandled/i);
    expect(gate!.stdout.join('')).not.toMatch(BAD_LOG);
  }

  it('> 100,000 fuzzed messages over UDP and TCP, flood control off: no crash, flat memory, every message counted, valid calls decided right', async () => {
    const { udpPort, tcpPort, scrape } = await serve('  flood: { enabled: false }');
    const pid = gate!.child.pid!;
    let warmed = 0;
    const warm = await validCalls(udpPort, tcpPort, () => warmed++ >= 20, 0); // warm-up: baseline after the first calls
    expect(warm.wrong).toEqual([]);
    const baselineSamples: number[] = [];
    for (let i = 0; i < 5; i++) {
      baselineSamples.push(rssBytes(pid));
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const baseline = Math.max(...baselineSamples);
    const base = await scrape();
    const samples: number[] = [];
    const sampler = setInterval(() => samples.push(rssBytes(pid)), 1000);

    let fuzzing = true;
    const t0 = Date.now();
    const fuzzed = fuzz({
      udpPort, tcpPort, seed: SEED,
      trunks: [TRUNK],
      udp: { messages: 62_000, rate: 800, sources: [TRUNK, '127.0.2.1', '127.0.2.2'] },
      tcp: { messages: 40_000, rate: 520, connections: 6, raw: 0, maxMessageBytes: MAX_MESSAGE_BYTES, sources: [TRUNK, '127.0.2.50', '127.0.2.51'] },
    }, 150_000).finally(() => (fuzzing = false));
    fuzzed.catch(() => undefined); // awaited below; handled here too in case a failure aborts it first
    const calls = await validCalls(udpPort, tcpPort, () => !fuzzing, 250);
    const run = await fuzzed;
    const udp = run.udp!;
    const tcp = run.tcp!;

    // Settle: every datagram taken in is counted or was dropped by the kernel; every framed TCP message is counted.
    let text = '';
    await waitUntil(async () => {
      text = await scrape();
      const settled = since(text, base, 'udp', calls.sent.udp).counted + udpDrops(udpPort) >= udp.sent - udp.blank;
      return settled && since(text, base, 'tcp', calls.sent.tcp).counted >= tcp.framed.sent && establishedOn(tcpPort) === 0;
    }, 10_000, 'the gate to count every message').catch(() => undefined);
    clearInterval(sampler);
    const drops = udpDrops(udpPort);
    const u = since(text, base, 'udp', calls.sent.udp);
    const t = since(text, base, 'tcp', calls.sent.tcp);
    const series = parseMetrics(text);
    const seconds = (Date.now() - t0) / 1000;
    const peak = Math.max(...samples);
    const third = Math.max(1, Math.floor(samples.length / 3));
    const early = Math.max(...samples.slice(0, third));
    const late = Math.max(...samples.slice(-third));
    const context = `seed ${run.seed}: ${JSON.stringify({ udp: { ...udp, wrongSamples: udp.wrongSamples.slice(0, 3) }, tcp, drops, u, t })}`;

    healthy();
    expect(udp.sent + tcp.sent, context).toBeGreaterThanOrEqual(100_000);
    expect(udp.sendErrors, context).toBe(0);
    expect(u.counted + drops, context).toBe(udp.sent - udp.blank);
    expect(t.counted, context).toBe(tcp.framed.sent);
    expect(tcp.framed.closedByGate, context).toBe(0);
    expect(u.responses, context).toBeLessThanOrEqual(u.requests + u.rejects);
    expect(t.responses, context).toBeLessThanOrEqual(t.requests + t.rejects);
    expect(udp.badAnswers + tcp.badAnswers, context).toBe(0);
    expect(unexpectedAnswers({ ...udp.statuses }, { ...tcp.statuses }), context).toEqual([]);
    expect(udp.cleanWrong, context).toBe(0);
    expect(udp.cleanRight, context).toBeGreaterThan(udp.clean / 2);
    // Every screened INVITE has its CDR written; none lost.
    await waitUntil(async () => sumOf(parseMetrics(await scrape()), 'rmdgate_cdr_written_total') >= sumOf(parseMetrics(await scrape()), 'rmdgate_invites_total'), 5000, 'CDRs written').catch(() => undefined);
    const cdr = parseMetrics(await scrape());
    expect(sumOf(cdr, 'rmdgate_cdr_written_total'), context).toBe(sumOf(cdr, 'rmdgate_invites_total'));
    expect(sumOf(cdr, 'rmdgate_cdr_lost_total'), context).toBe(0);
    expect(udp.cleanUnanswered, context).toBeLessThanOrEqual(drops + Math.ceil(udp.clean * 0.01));
    expect(sumOf(series, 'rmdgate_screening_errors_total'), context).toBe(0);
    expect(calls.wrong, context).toEqual([]);
    expect(calls.placed, context).toBeGreaterThan(100);
    expect(peak - baseline, context).toBeLessThan(RSS_BOUND_BYTES);
    expect(late - early, context).toBeLessThan(RSS_FLAT_BYTES);

    const rss = `RSS baseline ${Math.round(baseline / MIB)} MiB, peak ${Math.round(peak / MIB)} MiB (bound +${RSS_BOUND_BYTES / MIB} MiB), last third ${Math.round((late - early) / MIB)} MiB over first`;
    recordReliability(import.meta.url, {
      attack: 'grammar-mutated SIP over UDP (seeded; flood control off) with valid calls interleaved',
      tried: udp.sent, unit: 'messages', result: 'held',
      detail: `seed ${run.seed}; ${u.counted} counted + ${drops} kernel drops + ${udp.blank} blank = sent; ${udp.cleanRight}/${udp.clean} clean requests answered right; ${calls.placed} valid calls decided right; ${rss}; ${Math.round(seconds)} s`,
    });
    recordReliability(import.meta.url, {
      attack: 'grammar-mutated SIP over TCP (framed, split and pipelined over many connections) with valid calls interleaved',
      tried: tcp.sent, unit: 'messages', result: 'held',
      detail: `seed ${run.seed}; ${t.counted} counted of ${tcp.framed.sent} framed (+${tcp.framed.blank} keepalive/blank) on ${tcp.connections} connections, ${tcp.splitWrites} split, ${tcp.pipelined} pipelined; none closed by the gate`,
    });

    // Streams that cannot be framed (wrong, missing or huge Content-Length, garbage heads): bounds only.
    const before = account(text, 'tcp');
    const raw = await fuzz({ tcpPort, seed: SEED + 1, tcp: { messages: 6000, rate: 1500, connections: 4, raw: 1, maxMessageBytes: MAX_MESSAGE_BYTES, sources: ['127.0.2.52', '127.0.2.53'] } }, 30_000);
    await waitUntil(() => establishedOn(tcpPort) === 0, 5000, 'the gate to close or finish every raw connection');
    const after = account(await scrape(), 'tcp');
    const rawTcp = raw.tcp!;
    healthy();
    expect(after.oversize - before.oversize).toBeLessThanOrEqual(rawTcp.connections); // one framing error per connection at most
    expect(after.responses - before.responses).toBeLessThanOrEqual(after.requests - before.requests + after.rejects - before.rejects);
    expect(rawTcp.badAnswers).toBe(0);
    recordReliability(import.meta.url, {
      attack: 'unframeable TCP streams (raw fuzzed messages, Content-Length wrong or missing)',
      tried: rawTcp.sent, unit: 'messages', result: 'held',
      detail: `seed ${raw.seed}; ${rawTcp.connections} connections, ${rawTcp.raw.closedByGate} closed by the gate, ${after.counted - before.counted} messages framed and counted, none left open`,
    });
  }, 240_000);

  it('fuzzing with the default flood settings: over-rate messages are counted as flood, the trunk keeps its calls', async () => {
    const { udpPort, tcpPort, scrape } = await serve('');
    const base = await scrape();
    let fuzzing = true;
    const fuzzed = fuzz({
      udpPort, tcpPort, seed: SEED + 2,
      udp: { messages: 12_000, rate: 1500, sources: ['127.0.3.1', '127.0.3.2'] },
      tcp: { messages: 6000, rate: 750, connections: 4, raw: 0, maxMessageBytes: MAX_MESSAGE_BYTES, sources: ['127.0.3.50', '127.0.3.51'] },
    }, 40_000).finally(() => (fuzzing = false));
    fuzzed.catch(() => undefined);
    const calls = await validCalls(udpPort, tcpPort, () => !fuzzing, 1000); // the unknown source stays under 2/s
    const run = await fuzzed;
    const udp = run.udp!;
    const tcp = run.tcp!;
    let text = '';
    await waitUntil(async () => {
      text = await scrape();
      const settled = since(text, base, 'udp', calls.sent.udp).counted + udpDrops(udpPort) >= udp.sent - udp.blank;
      return settled && since(text, base, 'tcp', calls.sent.tcp).counted >= tcp.framed.sent;
    }, 10_000, 'the gate to count every message').catch(() => undefined);
    const drops = udpDrops(udpPort);
    const u = since(text, base, 'udp', calls.sent.udp);
    const t = since(text, base, 'tcp', calls.sent.tcp);
    const context = `seed ${run.seed}: ${JSON.stringify({ udp, tcp, drops, u, t })}`;

    healthy();
    expect(u.counted + drops, context).toBe(udp.sent - udp.blank);
    expect(t.counted, context).toBe(tcp.framed.sent);
    expect(u.flood, context).toBeGreaterThan((udp.sent - udp.blank) / 2);
    expect(t.flood, context).toBeGreaterThan(tcp.framed.sent / 2);
    expect(udp.badAnswers + tcp.badAnswers, context).toBe(0);
    expect(unexpectedAnswers({ ...udp.statuses }, { ...tcp.statuses }), context).toEqual([]);
    expect(udp.cleanWrong, context).toBe(0);
    expect(calls.wrong, context).toEqual([]);
    expect(sumOf(parseMetrics(text), 'rmdgate_screening_errors_total')).toBe(0);
    recordReliability(import.meta.url, {
      attack: 'grammar-mutated SIP over UDP and TCP with the default flood settings, valid calls interleaved',
      tried: udp.sent + tcp.sent, unit: 'messages', result: 'held',
      detail: `seed ${run.seed}; ${u.flood + t.flood} over-rate messages dropped and counted; UDP ${u.counted} counted + ${drops} kernel drops; TCP ${t.counted} counted of ${tcp.framed.sent}; ${calls.placed} valid calls decided right`,
    });
  }, 120_000);
});
