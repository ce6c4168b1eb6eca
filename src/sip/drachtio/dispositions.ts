/**
 * drachtio front: turns drachtio-server's CDR events (`cdr:attempt|start|stop`) about proxied calls, and the front's
 * own silent drops, into DispositionRecords joined to the screening record by Call-ID.
 */
import type Srf from 'drachtio-srf';
import { CDR_SCHEMA_VERSION, type DispositionEvent, type DispositionRecord, type Logger } from '../../screening/index.js';
import { sanitiseHeaderValue } from '../shared/index.js';

/** The parts of a CDR event's SIP message read here. */
export type CdrSipMessage = Pick<Srf.SipMessage, 'get'> & { readonly status?: number; readonly method?: string };

/** Options of {@link createDispositionRecorder}. */
export interface DispositionRecorderOptions {
  readonly node: string;
  readonly write: (record: DispositionRecord) => void;
  /** Epoch ms. */
  readonly now: () => number;
  readonly log: Logger;
  /** Proxied calls remembered until their outcome (or release, with Record-Route) arrives; oldest dropped first. */
  readonly maxTracked: number;
  /** Forget a tracked call after this long, ms (its release, if any, is then recorded without `releasedBy`). */
  readonly maxTrackedAgeMs: number;
  /** Whether BYEs pass drachtio-server (proxy Record-Route): otherwise answered calls are forgotten at once. */
  readonly expectRelease: boolean;
}

/** Records dispositions; the `on*` methods are the srf CDR listeners. */
export interface DispositionRecorder {
  /** The front handed this call to drachtio-server's proxy; `callerTag` is the INVITE's From tag. */
  proxied(callId: string, callerTag: string | undefined): void;
  /** Something the front itself did instead of sending the screened answer: `dropped` (no answer, silentDropUnknown). */
  own(callId: string, event: 'dropped', sipStatus: number | null, cause: string): void;
  onAttempt(source: string, time: string, msg: CdrSipMessage): void;
  onStart(source: string, time: string, role: string, msg: CdrSipMessage): void;
  onStop(source: string, time: string, reason: string, msg: CdrSipMessage): void;
  /** Calls currently tracked (tests, metrics). */
  tracked(): number;
}

interface Tracked {
  readonly callerTag: string | undefined;
  readonly at: number;
  attempts: number;
  answered: boolean;
}

/** Bound of the memory the tracked calls hold (keys and entries, estimated), bytes. */
export const MAX_TRACKED_BYTES = 32 * 1024 * 1024;
const TRACKED_OVERHEAD_BYTES = 96;

/** Creates the recorder. Unknown Call-IDs are ignored for outcomes: drachtio also reports the front's own rejects. */
export function createDispositionRecorder(opts: DispositionRecorderOptions): DispositionRecorder {
  const calls = new Map<string, Tracked>();
  const record = (callId: string, event: DispositionEvent, fields: Partial<Omit<DispositionRecord, 'callId' | 'event'>>): void => {
    const atMs = opts.now();
    opts.write({
      schemaVersion: CDR_SCHEMA_VERSION, type: 'disposition', node: opts.node, callId, event,
      at: new Date(atMs).toISOString(), atMs, serverTime: null, sipStatus: null, cause: null, releasedBy: null, attempts: null,
      ...fields,
    });
  };
  // Bytes held by the keys (Call-IDs are request text, up to 2,048 characters each): bounded too, not only entries.
  let keyBytes = 0;
  const forget = (callId: string): void => {
    if (calls.delete(callId)) keyBytes -= TRACKED_OVERHEAD_BYTES + 2 * callId.length;
  };
  const prune = (): void => {
    const oldest = opts.now() - opts.maxTrackedAgeMs;
    for (const [callId, t] of calls) {
      if (calls.size <= opts.maxTracked && keyBytes <= MAX_TRACKED_BYTES && t.at >= oldest) break;
      forget(callId);
    }
  };
  return {
    proxied(callId, callerTag) {
      forget(callId);
      calls.set(callId, { callerTag, at: opts.now(), attempts: 0, answered: false });
      keyBytes += TRACKED_OVERHEAD_BYTES + 2 * callId.length;
      prune();
    },
    own: (callId, event, sipStatus, cause) => record(callId, event, { sipStatus, cause }),
    onAttempt(source, _time, msg) {
      const t = source === 'application' ? calls.get(callIdOf(msg)) : undefined;
      if (t) t.attempts++;
    },
    onStart(source, time, role, msg) {
      const callId = callIdOf(msg);
      const t = calls.get(callId);
      if (source !== 'application' || role !== 'proxy-uas' || !t || t.answered) return;
      t.answered = true;
      if (!opts.expectRelease) forget(callId);
      record(callId, 'answered', { serverTime: time, sipStatus: statusOf(msg), attempts: t.attempts });
    },
    onStop(source, time, reason, msg) {
      const callId = callIdOf(msg);
      const t = calls.get(callId);
      if (reason !== 'call-rejected' && reason !== 'call-canceled') {
        // A release (normal-release, session-expired, ...): drachtio reports the BYE as received, then as forwarded.
        if (!t && source !== 'network') return;
        forget(callId);
        record(callId, 'released', { serverTime: time, cause: reason, releasedBy: releasedBy(msg, t) });
      } else if (t && !t.answered && source === 'application') {
        // What the caller got; `network` stops are single failed attempts while drachtio may still fail over.
        forget(callId);
        const status = statusOf(msg);
        const event = reason === 'call-canceled' || status === 487 ? 'canceled' : 'failed';
        record(callId, event, { serverTime: time, sipStatus: status, cause: reason, attempts: t.attempts });
      }
    },
    tracked: () => calls.size,
  };
}

function callIdOf(msg: CdrSipMessage): string {
  return sanitiseHeaderValue(String(msg.get('call-id') ?? ''));
}

function statusOf(msg: CdrSipMessage): number | null {
  return typeof msg.status === 'number' && msg.status >= 100 ? msg.status : null;
}

/** Who sent the BYE: the caller's From tag (remembered at proxy time) is in the BYE's From only when the caller hung up. */
function releasedBy(msg: CdrSipMessage, t: Tracked | undefined): DispositionRecord['releasedBy'] {
  if (t?.callerTag === undefined) return null;
  return tagOf(String(msg.get('from') ?? '')) === t.callerTag ? 'caller' : 'callee';
}

/** The `tag` parameter of a From/To value, or undefined. */
export function tagOf(nameAddr: string): string | undefined {
  const params = nameAddr.slice(nameAddr.lastIndexOf('>') + 1);
  return /;\s*tag=([^;\s,]+)/i.exec(params)?.[1];
}
