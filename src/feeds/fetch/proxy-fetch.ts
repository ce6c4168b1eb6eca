/**
 * A fetch that honours the standard proxy variables: URLs that need a proxy go through undici's ProxyAgent
 * (CONNECT tunnel), the rest through the global fetch. Node's global fetch ignores HTTP(S)_PROXY on Node 20.
 */
import { ProxyAgent, fetch as undiciFetch } from 'undici';
import type { FetchFn } from './http.js';
import { proxyFor, type ProxyEnv } from './proxy-env.js';

/** The proxy-aware fetch, plus close() for its agents. Undefined env or no proxy variable → plain global fetch. */
export function createProxyAwareFetch(env: ProxyEnv | undefined): { fetch: FetchFn; close(): Promise<void> } {
  const agents = new Map<string, ProxyAgent>();
  const fetch: FetchFn = (input, init) => {
    const proxy = env === undefined ? undefined : proxyFor(input, env);
    if (proxy === undefined) return globalThis.fetch(input, init);
    let agent = agents.get(proxy);
    if (!agent) {
      agent = new ProxyAgent(proxy);
      agents.set(proxy, agent);
    }
    return undiciFetch(input, { ...(init as object), dispatcher: agent }) as unknown as Promise<Response>;
  };
  return { fetch, close: async () => void (await Promise.all([...agents.values()].map((a) => a.close()))) };
}
