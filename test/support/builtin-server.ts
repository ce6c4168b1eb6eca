/**
 * Options of a built-in SIP server for tests: UDP and TCP on ephemeral loopback ports, small limits, flood control
 * off (flood.test.ts and attacks.edge.test.ts test it), every metric recorded. Tests override what they are about.
 */
import type { BuiltinSipServerOptions } from '../../src/sip/builtin/server.js';
import { recordingLog } from './fakes.js';
import { createRecordingFrontMetrics } from './recording-front-metrics.js';

/** Built-in server options with test defaults; `onInvite` is required, the rest can be overridden. */
export function builtinServerOptions(onInvite: BuiltinSipServerOptions['onInvite'], overrides: Partial<BuiltinSipServerOptions> = {}): BuiltinSipServerOptions {
  const metrics = createRecordingFrontMetrics();
  return {
    listen: [
      { transport: 'udp', address: '127.0.0.1', port: 0 },
      { transport: 'tcp', address: '127.0.0.1', port: 0 },
    ],
    onInvite,
    metrics,
    builtinMetrics: metrics,
    log: recordingLog([]),
    now: () => Date.now(),
    monotonicMs: () => performance.now(),
    maxMessageBytes: 4096,
    maxTcpConnections: 16,
    tcpTrunkReserve: 0,
    maxTcpConnectionsPerSource: 16,
    maxTcpConnectionsPerTrunkSource: 16,
    tcpIdleTimeoutMs: 10_000,
    tcpMessageTimeoutMs: 5_000,
    tcpMaxBufferedBytes: 1 << 20,
    isTrunkSource: () => false,
    tcpMetrics: { refused: () => undefined, closed: () => undefined },
    selectorHeaderNames: [],
    transactionTtlMs: 32_000,
    maxTransactions: 1000,
    maxTransactionBytes: 16 * 1024 * 1024,
    flood: { enabled: false, ratePerSecond: 2, burst: 10, action: 'drop', retryAfterSeconds: 60, maxSources: 1000 },
    ...overrides,
  };
}
