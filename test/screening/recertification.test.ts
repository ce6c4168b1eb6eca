import { describe, expect, it } from 'vitest';
import { isRecertificationOverdue, recertificationDeadline, recertificationState } from '../../src/screening/recertification.js';

const NOV_2026 = Date.UTC(2026, 10, 23);
const FEB_2026 = Date.UTC(2026, 1, 15);

describe('recertificationDeadline', () => {
  it.each([
    { name: 'none before the first deadline (March 1, 2026)', now: FEB_2026, expected: undefined },
    { name: 'March 1 of this year once it has passed', now: NOV_2026, expected: { deadline: '2026-03-01', windowOpens: '2026-02-01' } },
    { name: "last year's before March 1", now: Date.UTC(2027, 1, 28), expected: { deadline: '2026-03-01', windowOpens: '2026-02-01' } },
    { name: 'the new one from March 1', now: Date.UTC(2027, 2, 1), expected: { deadline: '2027-03-01', windowOpens: '2027-02-01' } },
    { name: 'the first one from the first instant of March 1, 2026', now: Date.UTC(2026, 2, 1), expected: { deadline: '2026-03-01', windowOpens: '2026-02-01' } },
    { name: 'none in the last millisecond of February 2026', now: Date.UTC(2026, 2, 1) - 1, expected: undefined },
    { name: 'the one of the year in December', now: Date.UTC(2026, 11, 31), expected: { deadline: '2026-03-01', windowOpens: '2026-02-01' } },
  ])('gives $name', ({ now, expected }) => {
    expect(recertificationDeadline(now)).toEqual(expected);
  });
});

describe('isRecertificationOverdue', () => {
  it.each([
    { name: 'recertified inside the 2026 window', lastRecertified: '2026-02-20', lastUpdated: '2026-02-20', overdue: false },
    { name: 'recertified before the window opened', lastRecertified: '2025-06-01', lastUpdated: '2025-06-01', overdue: true },
    { name: 'never recertified, last filed before the deadline', lastRecertified: '', lastUpdated: '2025-09-18', overdue: true },
    { name: 'never recertified, first filed after the deadline', lastRecertified: '', lastUpdated: '2026-06-01', overdue: false },
    { name: 'recertified on the day the window opened', lastRecertified: '2026-02-01', lastUpdated: '2025-06-01', overdue: false },
    { name: 'recertified the day before the window opened', lastRecertified: '2026-01-31', lastUpdated: '2026-06-01', overdue: true },
    { name: 'never recertified, first filed on the deadline', lastRecertified: '', lastUpdated: '2026-03-01', overdue: false },
    { name: 'never recertified, first filed the day before the deadline', lastRecertified: '', lastUpdated: '2026-02-28', overdue: true },
  ])('is $overdue when $name', ({ lastRecertified, lastUpdated, overdue }) => {
    expect(isRecertificationOverdue({ lastRecertified, lastUpdated }, NOV_2026)).toBe(overdue);
  });

  it('is never overdue before the first deadline', () => {
    expect(isRecertificationOverdue({ lastRecertified: '', lastUpdated: '2020-01-01' }, FEB_2026)).toBe(false);
  });

  it('is never overdue when the export had no recertification column', () => {
    expect(isRecertificationOverdue({ lastRecertified: '', lastUpdated: '2020-01-01', recertificationUnknown: true }, NOV_2026)).toBe(false);
  });
});

describe('recertificationState', () => {
  it.each([
    { name: 'unknown without a recertification column', filing: { lastRecertified: '', lastUpdated: '2020-01-01', recertificationUnknown: true }, expected: 'unknown' },
    { name: 'overdue when recertified before the window', filing: { lastRecertified: '2025-06-01', lastUpdated: '2025-06-01' }, expected: 'overdue' },
    { name: 'overdue when blank and filed before the deadline', filing: { lastRecertified: '', lastUpdated: '2025-06-01', recertificationUnknown: false }, expected: 'overdue' },
    { name: 'current when recertified in the window', filing: { lastRecertified: '2026-02-20', lastUpdated: '2026-02-20' }, expected: 'current' },
  ])('is $expected: $name', ({ filing, expected }) => {
    expect(recertificationState(filing, NOV_2026)).toBe(expected);
  });
});
