import { describe, expect, it } from 'vitest';
import type { FeedRefreshReport } from '../../src/feeds/index.js';
import { refreshStatus, toFeedRefreshReply } from '../../src/ops/feed-refresh-reply.js';

describe('refreshStatus', () => {
  it.each([
    { outcome: 'updated', code: undefined, status: 200 },
    { outcome: 'not-modified', code: undefined, status: 200 },
    { outcome: 'refused', code: 'ERR_FEED_DRIFT', status: 409 },
    { outcome: 'refused', code: 'ERR_FEED_SHRINK', status: 409 },
    { outcome: 'refused', code: 'ERR_FEED_BAD_ROWS', status: 409 },
    { outcome: 'refused', code: 'ERR_FEED_PARSE', status: 422 },
    { outcome: 'refused', code: 'ERR_FEED_COLUMNS', status: 422 },
    { outcome: 'refused', code: 'ERR_FEED_FORMAT', status: 422 },
    { outcome: 'refused', code: 'ERR_FEED_TRUNCATED', status: 422 },
    { outcome: 'error', code: 'ERR_FEED_HTTP', status: 502 },
    { outcome: 'error', code: 'ERR_FEED_NETWORK', status: 502 },
    { outcome: 'error', code: 'ERR_FEED_TIMEOUT', status: 502 },
    { outcome: 'error', code: 'ERR_FEED_READ', status: 502 },
    { outcome: 'error', code: 'ERR_FEED_STORE', status: 500 },
    { outcome: 'refused', code: 'ERR_FEED_INTERNAL', status: 500 },
  ] as const)('answers $status for $outcome $code', ({ outcome, code, status }) => {
    expect(refreshStatus({ feed: 'rmd', outcome, code })).toBe(status);
  });
});

describe('toFeedRefreshReply', () => {
  const report: FeedRefreshReport = { feed: 'k4', outcome: 'refused', code: 'ERR_FEED_SHRINK', reason: 'k4: snapshot shrank by 60%' };

  it('answers 404 for a feed the gate does not have', () => {
    expect(toFeedRefreshReply('nope', false, undefined)).toEqual({ status: 404, body: { error: 'unknown-feed', feed: 'nope' } });
  });

  it('sends the report, reason included, with its status', () => {
    expect(toFeedRefreshReply('k4', true, report)).toEqual({ status: 409, body: report });
  });
});
