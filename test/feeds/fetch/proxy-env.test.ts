/**
 * Proxy selection from the standard environment variables.
 */
import { describe, expect, it } from 'vitest';
import { proxyFor } from '../../../src/feeds/fetch/proxy-env.js';

describe('proxyFor', () => {
  const env = { HTTPS_PROXY: 'http://proxy:3128', HTTP_PROXY: 'http://plain:3128', NO_PROXY: 'localhost,.internal.example,10.1.2.3' };

  it.each([
    { name: 'https via HTTPS_PROXY', url: 'https://fccprod.servicenowservices.com/api', want: 'http://proxy:3128' },
    { name: 'http via HTTP_PROXY', url: 'http://feeds.example.net/k4.yaml', want: 'http://plain:3128' },
    { name: 'a NO_PROXY host', url: 'https://localhost:8443/x', want: undefined },
    { name: 'a NO_PROXY domain suffix', url: 'https://lists.internal.example/x', want: undefined },
    { name: 'a NO_PROXY address', url: 'http://10.1.2.3/x', want: undefined },
    { name: 'not a URL', url: 'var/rmd.csv', want: undefined },
  ])('chooses $want for $name', ({ url, want }) => {
    expect(proxyFor(url, env)).toBe(want);
  });

  it('honours lower-case variables and NO_PROXY=*', () => {
    expect(proxyFor('https://a.example', { https_proxy: 'http://lc:1' })).toBe('http://lc:1');
    expect(proxyFor('https://a.example', { https_proxy: 'http://lc:1', no_proxy: '*' })).toBeUndefined();
  });
});
