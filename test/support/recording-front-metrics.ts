/**
 * Test fake of FrontMetrics that records every call, for asserting what a SIP front counted.
 */
import type { FrontMetrics } from '../../src/sip/shared/ports.js';

/** One recorded counter call; `label` is the method, status or kind, `transport` the transport label. */
export interface RecordedFrontMetric {
  readonly name: 'message' | 'response' | 'malformed' | 'retransmission';
  readonly label: string;
  readonly transport: string;
}

/** FrontMetrics that remembers its calls. */
export interface RecordingFrontMetrics extends FrontMetrics {
  readonly calls: RecordedFrontMetric[];
  /** How many calls match; omitted filters match anything. */
  count(name: RecordedFrontMetric['name'], label?: string | number, transport?: string): number;
  reset(): void;
}

/** Creates an empty recording fake. */
export function createRecordingFrontMetrics(): RecordingFrontMetrics {
  const calls: RecordedFrontMetric[] = [];
  const record = (name: RecordedFrontMetric['name'], label: string | number, transport: string): void => {
    calls.push({ name, label: String(label), transport });
  };
  return {
    calls,
    message: (method, transport) => record('message', method, transport),
    response: (status, transport) => record('response', status, transport),
    malformed: (kind, transport) => record('malformed', kind, transport),
    retransmission: (method, transport) => record('retransmission', method, transport),
    count: (name, label, transport) =>
      calls.filter(
        (c) =>
          c.name === name &&
          (label === undefined || c.label === String(label)) &&
          (transport === undefined || c.transport === transport),
      ).length,
    reset: () => {
      calls.length = 0;
    },
  };
}
