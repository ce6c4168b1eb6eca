/**
 * The one module augmentation for gaps in drachtio-srf 5.0.29's shipped types (lib/@types/index.d.ts), each
 * checked against the library's JavaScript (lib/request.js, lib/wire-protocol.js, lib/drachtio-agent.js).
 */
import 'drachtio-srf';

declare module 'drachtio-srf' {
  interface SrfRequest {
    /** `address:port` of the drachtio-server listener the request arrived on (meta fields 10–11), when sent. */
    receivedOn?: string;
    /** drachtio's transaction id of the request (meta field 8). */
    stackTxnId: string;
  }

  interface SrfConfig {
    /** Send `ping` every `pingInterval` ms (lib/wire-protocol.js `_evalPingOpts`); inbound mode only. */
    enablePing?: boolean;
    /** 5000..300000 ms; asserted by drachtio-srf. */
    pingInterval?: number;
    /** Reconnect tuning: `maxAttempts` and `retryMaxDelay` (ms) are honoured; unset means retry forever. */
    reconnect?: { readonly maxAttempts?: number; readonly retryMaxDelay?: number | null };
  }

  interface ProxyRequestOptions {
    /** Extra headers drachtio-server adds to each forwarded INVITE (lib/drachtio-agent.js `proxy`). */
    headers?: Record<string, string>;
  }

  /** One response of a proxy attempt as drachtio-srf collects it (lib/request.js `proxy`). */
  interface ProxyResponse {
    readonly time: string;
    readonly status: number;
  }

  /**
   * What the `proxyRequest` callback really receives (typed `string`). drachtio-srf groups `msgs` by target with an
   * inverted port test (`port === last.port`), so the grouping is wrong; only the flat order of `msgs` is reliable.
   */
  interface ProxyResults {
    readonly connected: boolean;
    readonly finalStatus?: number;
    readonly responses: readonly { readonly address: string; readonly port: number; readonly msgs: readonly ProxyResponse[] }[];
  }
}
