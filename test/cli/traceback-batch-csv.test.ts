import { describe, expect, it } from 'vitest';
import { parseBatchCsv } from '../../src/cli/traceback-batch-csv.js';

const NOW = Date.UTC(2026, 10, 20, 19, 3, 0);

describe('batch CSV times', () => {
  it.each([
    { at: '2026-11-20T14:03:00-05:00', tz: '', want: { at: '2026-11-20T14:03:00-05:00', tz: undefined } },
    { at: '2026-11-20T14:03:00', tz: 'America/New_York', want: { at: '2026-11-20T14:03:00', tz: 'America/New_York' } },
    { at: '2026-11-20T19:03:00', tz: '', want: { at: '2026-11-20T19:03:00', tz: 'UTC' } },
    { at: 'now', tz: '', want: { at: '2026-11-20T19:03:00.000Z', tz: undefined } },
    { at: '-2h', tz: 'America/Chicago', want: { at: '2026-11-20T17:03:00.000Z', tz: 'America/Chicago' } },
    { at: '1795633200', tz: '', want: { at: '2026-11-25T19:00:00.000Z', tz: undefined } },
    { at: 'yesterday-ish', tz: '', want: { at: 'yesterday-ish', tz: undefined } },
  ])('reads at=$at tz=$tz as the traceback expects', ({ at, tz, want }) => {
    const r = parseBatchCsv(`calling,called,at,tz\n3035550100,2025550123,${at},${tz}\n`, {}, NOW);

    expect(r.ok && { at: r.value[0]?.request.at, tz: r.value[0]?.request.tz }).toEqual(want);
  });

  it('uses the --tz default for rows without a tz', () => {
    const r = parseBatchCsv('calling,called,at\n3035550100,2025550123,2026-11-20T14:03:00\n', { tz: 'America/New_York' }, NOW);

    expect(r.ok && r.value[0]?.request).toMatchObject({ at: '2026-11-20T14:03:00', tz: 'America/New_York' });
  });
});
