/**
 * The fuzzer of the edge suite (test/support/sip-fuzz.mjs) is reproducible: the same seed sends the same messages
 * (same byte count, same generators and mutations drawn), another seed others. Its datagrams go to a UDP socket of
 * this test on 127.0.0.1 that only reads them.
 */
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FuzzSummary } from './fuzz-accounting.js';
import { repoPath } from './paths.js';

const FUZZ = repoPath('test/support/sip-fuzz.mjs');

describe('sip-fuzz.mjs', () => {
  const sink = createSocket('udp4');
  let port = 0;
  beforeAll(async () => {
    sink.on('message', () => undefined);
    await new Promise<void>((resolve) => sink.bind(0, '127.0.0.1', () => resolve()));
    port = sink.address().port;
  });
  afterAll(() => new Promise<void>((resolve) => sink.close(() => resolve())));

  const run = async (seed: number): Promise<FuzzSummary> => {
    const args = { udpPort: port, seed, maxMs: 10_000, udp: { messages: 2000, rate: 4000, sources: ['127.0.2.1', '127.0.2.2'] } };
    const { stdout } = await promisify(execFile)(process.execPath, [FUZZ, JSON.stringify(args)], { timeout: 20_000 });
    return JSON.parse(stdout) as FuzzSummary;
  };

  it('sends the same messages for the same seed and others for another', async () => {
    const [a, b, c] = [await run(4242), await run(4242), await run(4243)];
    const drawn = (s: FuzzSummary): unknown => ({ bytes: s.udp?.bytes, blank: s.udp?.blank, clean: s.udp?.clean, generators: s.generators, mutations: s.mutations });

    expect(a.seed).toBe(4242);
    expect(a.udp?.sent).toBe(2000);
    expect(drawn(b)).toEqual(drawn(a));
    expect(drawn(c)).not.toEqual(drawn(a));
  });

  it('refuses sources outside 127.0.0.0/8', async () => {
    const args = { udpPort: port, seed: 1, maxMs: 1000, udp: { messages: 1, rate: 0, sources: ['192.0.2.1'] } };

    await expect(promisify(execFile)(process.execPath, [FUZZ, JSON.stringify(args)], { timeout: 10_000 })).rejects.toThrow(/loopback sources only/);
  });
});
