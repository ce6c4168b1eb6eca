/**
 * Config hot reload while SIP traffic flows: the real app (start() from main.ts, built-in UDP front on 127.0.0.1:0)
 * takes 3,000 INVITEs over about 3 s while its config is swapped between two versions that move a trunk from an
 * RMD-listed provider (302) to an unlisted one (603). Every INVITE gets exactly one final response, and each call's
 * CDR names one of the two config versions and agrees with the response sent.
 */
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { start, type App } from '../../src/main.js';
import { configYaml, logSink, rmdCsv, rows, tempDir } from '../feeds/harness.js';

const CALLS = 3000;
const BATCH = 30;
const BATCH_EVERY_MS = 30;
const SWAP_AT_BATCHES = [15, 35, 55, 75, 90];

function invite(callId: string, port: number): string {
  return [
    `INVITE sip:+12025550123@127.0.0.1:${port} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.2;branch=z9hG4bK-${callId};rport`,
    'Max-Forwards: 70',
    'From: <sip:+13035550100@example.net>;tag=f1',
    'To: <sip:+12025550123@example.com>',
    `Call-ID: ${callId}`,
    'CSeq: 1 INVITE',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/** The two configs: the trunk from 127.0.0.2 belongs to a listed provider (v1) or to one missing from the RMD (v2). */
function versions(dir: string): { text: string; version: string }[] {
  const base = configYaml({ rmd: 'rmd.csv' }).replace(/^ {2}listen: \[.*\]$/m, '  listen: [{ transport: udp, address: 127.0.0.1, port: 0 }]');
  const v2 = base.replace('{ id: t-listed, provider: p-listed,', '{ id: t-listed, provider: p-missing,');
  return [base, v2].map((text) => ({ text, version: parseConfigText(text, join(dir, 'gate.yaml')).version }));
}

describe('config reload under SIP load', () => {
  let app: App | undefined;
  const tmp = tempDir();
  afterEach(async () => {
    await app?.stop();
    tmp.cleanup();
  });

  it('answers every INVITE exactly once and records a config version consistent with each answer', async () => {
    writeFileSync(join(tmp.dir, 'rmd.csv'), rmdCsv(rows(10)));
    const [v1, v2] = versions(tmp.dir) as [{ text: string; version: string }, { text: string; version: string }];
    const file = join(tmp.dir, 'gate.yaml');
    writeFileSync(file, v1.text);
    const logs = logSink();
    app = await start(parseConfigText(v1.text, file), { logDestination: logs.stream, defaultMetrics: false, watchConfig: false, handleSignals: false });
    const port = app.sip[0]?.port ?? 0;

    const finals = new Map<string, number[]>();
    const socket = createSocket('udp4');
    socket.on('message', (msg) => {
      const text = msg.toString('utf8');
      const status = Number(/^SIP\/2\.0 (\d{3})/.exec(text)?.[1]);
      const callId = /\r\nCall-ID: *([^\r\n]+)/i.exec(text)?.[1] ?? '';
      if (status >= 200) finals.set(callId, [...(finals.get(callId) ?? []), status]);
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.2', resolve));

    const sent: string[] = [];
    const reloads: Promise<unknown>[] = [];
    for (let batch = 0; batch < CALLS / BATCH; batch++) {
      if (SWAP_AT_BATCHES.includes(batch)) {
        const next = SWAP_AT_BATCHES.indexOf(batch) % 2 === 0 ? v2 : v1;
        writeFileSync(file, next.text);
        reloads.push(app.feeds.reload().then((r) => expect(r).toMatchObject({ ok: true, configVersion: next.version })));
      }
      for (let i = 0; i < BATCH; i++) {
        const callId = `${randomBytes(6).toString('hex')}@load`;
        sent.push(callId);
        socket.send(invite(callId, port), port, '127.0.0.1');
      }
      await new Promise((resolve) => setTimeout(resolve, BATCH_EVERY_MS));
    }
    await Promise.all(reloads);
    await vi.waitFor(() => expect(finals.size).toBe(CALLS), { timeout: 10_000, interval: 50 });
    socket.close();
    await app.stop();

    expect(sent.filter((id) => finals.get(id)?.length !== 1)).toEqual([]);
    const cdrDir = join(tmp.dir, 'cdr');
    const records = readdirSync(cdrDir).filter((f) => f.endsWith('.jsonl')).flatMap((f) =>
      readFileSync(join(cdrDir, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { callId: string; configVersion: string; sipStatus: number }));
    expect(records).toHaveLength(CALLS);
    const expected: Record<string, number> = { [v1.version]: 302, [v2.version]: 603 };
    const inconsistent = records.filter((r) => expected[r.configVersion] !== r.sipStatus || finals.get(r.callId)?.[0] !== r.sipStatus);
    expect(inconsistent).toEqual([]);
    const perVersion = Object.fromEntries([v1.version, v2.version].map((v) => [v, records.filter((r) => r.configVersion === v).length]));
    expect(perVersion[v1.version]).toBeGreaterThan(0);
    expect(perVersion[v2.version]).toBeGreaterThan(0);
    expect(logs.lines.filter((l) => l.msg === 'config reloaded')).toHaveLength(SWAP_AT_BATCHES.length);
  });
});
