// sipp load driver for scripts/bench-feed.mjs (--driver sipp): runs `sipp -sf <scenario> -r RATE -m N` against the
// gate on 127.0.0.1 with a minimal INVITE → 302 → ACK scenario (response time traced with -trace_rtt), and returns
// the same shape as bench-feed-load.mjs: per wall-clock second answered calls and p50/p99/max response time (ms;
// sipp's trace has millisecond resolution and a relative clock, aligned here to the spawn time).
// Bounded: -m caps the calls, -recv_timeout fails a call without an answer, -timeout caps the whole run.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SCENARIO = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="bench-302">
  <send start_rtd="1"><![CDATA[
      INVITE sip:+1[service]@[remote_ip]:[remote_port];user=phone SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
      From: <sip:+12025550100@[local_ip]:[local_port]>;tag=[pid]B[call_number]
      To: <sip:+1[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Max-Forwards: 70
      Content-Length: 0

  ]]></send>
  <recv response="302" rtd="1"/>
  <send><![CDATA[
      ACK sip:+1[service]@[remote_ip]:[remote_port];user=phone SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch-3];rport
      [last_From:]
      [last_To:]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0

  ]]></send>
</scenario>
`;

const q = (sorted, p) => (sorted.length === 0 ? null : +sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))].toFixed(3));

/** Runs sipp from 127.0.0.2 at `rate` calls/s for `seconds`; `dir` holds the scenario and sipp's trace files. */
export async function runSipp({ port, rate, seconds, dir }) {
  const scenario = join(dir, 'bench-302.xml');
  writeFileSync(scenario, SCENARIO);
  const calls = Math.round(rate * seconds);
  const args = ['127.0.0.1:' + port, '-sf', scenario, '-i', '127.0.0.2', '-s', '2025550123', '-r', String(rate), '-m', String(calls),
    '-l', String(rate * 2), '-recv_timeout', '2000', '-timeout', `${seconds + 20}s`, '-trace_rtt', '-rtt_freq', '1', '-nostdin'];
  const startedAt = Date.now();
  const child = spawn('sipp', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise((resolve) => child.on('exit', resolve));
  const rttFile = readdirSync(dir).find((f) => f.endsWith('_rtt.csv'));
  if (rttFile === undefined) throw new Error(`sipp produced no rtt trace (exit ${code}): ${stderr.slice(0, 500)}`);
  const buckets = new Map();
  for (const line of readFileSync(join(dir, rttFile), 'utf8').split('\n').slice(1)) {
    const [dateMs, rttMs] = line.split(';');
    if (!rttMs) continue;
    const sec = Math.floor((startedAt + Number(dateMs)) / 1000);
    (buckets.get(sec) ?? buckets.set(sec, []).get(sec)).push(Number(rttMs));
  }
  const perSecond = [...buckets].sort((a, b) => a[0] - b[0]).map(([sec, lat]) => {
    lat.sort((x, y) => x - y);
    return { sec, answered: lat.length, lost: 0, p50: q(lat, 0.5), p99: q(lat, 0.99), max: q(lat, 1) };
  });
  const answered = perSecond.reduce((a, s) => a + s.answered, 0);
  // sipp's trace has no per-second send count: losses are reported as a total (sent - answered) on the last second.
  if (perSecond.length > 0) perSecond[perSecond.length - 1].lost = calls - answered;
  return { driver: 'sipp', exitCode: code, sent: calls, answered, duplicates: 0, perSecond };
}
