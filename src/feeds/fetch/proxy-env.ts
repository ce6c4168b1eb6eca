/**
 * Standard proxy environment variables (HTTPS_PROXY, HTTP_PROXY, NO_PROXY, also lower-case): which proxy, if any,
 * a feed URL should use. Pure; the values are read by main.ts and passed in.
 */

/** The proxy variables honoured. */
export interface ProxyEnv {
  readonly HTTPS_PROXY?: string | undefined;
  readonly https_proxy?: string | undefined;
  readonly HTTP_PROXY?: string | undefined;
  readonly http_proxy?: string | undefined;
  readonly NO_PROXY?: string | undefined;
  readonly no_proxy?: string | undefined;
}

/** True when NO_PROXY exempts `host`: `*`, the host itself, or a domain suffix (`example.net`, `.example.net`). */
export function isNoProxy(host: string, noProxy: string | undefined): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return (noProxy ?? '').split(/[\s,]+/).filter(Boolean).some((raw) => {
    const entry = raw.toLowerCase().replace(/:\d+$/, '');
    if (entry === '*') return true;
    const domain = entry.replace(/^\*?\./, '');
    return h === domain || h.endsWith(`.${domain}`);
  });
}

/** The proxy URL for `url`, or undefined (no variable set, NO_PROXY match, or not an http(s) URL). */
export function proxyFor(url: string, env: ProxyEnv): string | undefined {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return undefined;
  }
  if (isNoProxy(target.hostname, env.NO_PROXY ?? env.no_proxy)) return undefined;
  if (target.protocol === 'https:') return env.HTTPS_PROXY ?? env.https_proxy ?? env.HTTP_PROXY ?? env.http_proxy;
  if (target.protocol === 'http:') return env.HTTP_PROXY ?? env.http_proxy;
  return undefined;
}
