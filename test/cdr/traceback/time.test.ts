import { describe, expect, it } from 'vitest';
import { formatInZone, hasZone, parseDuration, parseTimeInput, parseTracebackTime, parseWindow, toDisplayZone } from '../../../src/cdr/traceback/time.js';

const iso = (ms: number): string => new Date(ms).toISOString();

describe('parseTracebackTime', () => {
  it.each([
    { name: 'Z', text: '2026-11-20T19:03:00Z', tz: undefined, utc: '2026-11-20T19:03:00.000Z' },
    { name: 'negative offset', text: '2026-11-20T14:03:00-05:00', tz: undefined, utc: '2026-11-20T19:03:00.000Z' },
    { name: 'offset without colon, space separator', text: '2026-11-20 14:03:00-0500', tz: undefined, utc: '2026-11-20T19:03:00.000Z' },
    { name: 'fraction and no seconds', text: '2026-11-20T19:03Z', tz: undefined, utc: '2026-11-20T19:03:00.000Z' },
    { name: 'milliseconds', text: '2026-11-20T19:03:00.250Z', tz: undefined, utc: '2026-11-20T19:03:00.250Z' },
    { name: 'offset wins over --tz', text: '2026-11-20T14:03:00-05:00', tz: 'Europe/Paris', utc: '2026-11-20T19:03:00.000Z' },
    { name: 'no zone + tz in winter (EST)', text: '2026-11-20T14:03:00', tz: 'America/New_York', utc: '2026-11-20T19:03:00.000Z' },
    { name: 'no zone + tz in summer (EDT)', text: '2026-07-04T14:03:00', tz: 'America/New_York', utc: '2026-07-04T18:03:00.000Z' },
    { name: 'no zone + tz, Pacific', text: '2026-01-15T08:00:00', tz: 'America/Los_Angeles', utc: '2026-01-15T16:00:00.000Z' },
    { name: 'repeated hour at DST end takes the earlier instant', text: '2026-11-01T01:30:00', tz: 'America/New_York', utc: '2026-11-01T05:30:00.000Z' },
    { name: 'skipped hour at DST start moves forward', text: '2026-03-08T02:30:00', tz: 'America/New_York', utc: '2026-03-08T07:30:00.000Z' },
  ])('converts $name', ({ text, tz, utc }) => {
    const r = parseTracebackTime(text, tz);

    expect(r.ok && iso(r.value)).toBe(utc);
  });

  it.each([
    { name: 'no zone and no tz', text: '2026-11-20T14:03:00', tz: undefined, says: 'has no zone' },
    { name: 'unknown zone', text: '2026-11-20T14:03:00', tz: 'Mars/Olympus', says: 'unknown time zone' },
    { name: 'abbreviation', text: '2026-11-20 14:03:00 EST', tz: undefined, says: 'expected ISO 8601' },
    { name: 'US date format', text: '11/20/2026 14:03', tz: undefined, says: 'expected ISO 8601' },
    { name: 'no such day', text: '2026-02-30T10:00:00Z', tz: undefined, says: 'no such date' },
    { name: 'hour 24', text: '2026-02-10T24:00:00Z', tz: undefined, says: 'no such date' },
    { name: 'offset out of range', text: '2026-02-10T10:00:00+15:00', tz: undefined, says: 'out of range' },
  ])('rejects $name with the expected format', ({ text, tz, says }) => {
    const r = parseTracebackTime(text, tz);

    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toContain(says);
  });
});

describe('formatInZone / toDisplayZone', () => {
  it('formats an instant in an IANA zone with its offset', () => {
    expect(formatInZone(Date.UTC(2026, 10, 20, 19, 3, 5, 123), 'America/New_York')).toBe('2026-11-20 14:03:05.123 -05:00');
    expect(formatInZone(Date.UTC(2026, 6, 4, 18, 3), 'America/Chicago')).toBe('2026-07-04 13:03:00.000 -05:00');
  });

  it('uses the offset written in the time when no zone is given', () => {
    expect(toDisplayZone('2026-11-20T14:03:00-0500', undefined)).toBe('-05:00');
    expect(formatInZone(Date.UTC(2026, 10, 20, 19, 3), '-05:00')).toBe('2026-11-20 14:03:00.000 -05:00');
    expect(toDisplayZone('2026-11-20T19:03:00Z', undefined)).toBe('UTC');
    expect(toDisplayZone('2026-11-20T14:03:00', 'America/Denver')).toBe('America/Denver');
  });
});

describe('parseWindow', () => {
  it.each([
    ['10m', 600_000],
    ['90s', 90_000],
    ['2h', 7_200_000],
  ])('parses %s', (text, ms) => {
    const r = parseWindow(text);

    expect(r.ok && r.value).toBe(ms);
  });

  it.each(['0s', '25h', '10', 'ten minutes'])('rejects %s', (text) => {
    expect(parseWindow(text).ok).toBe(false);
  });
});

describe('parseTimeInput (every CLI time option)', () => {
  // 2026-11-20 19:03:05.250 UTC = 14:03:05.250 in New York (EST, -05:00).
  const NOW = Date.UTC(2026, 10, 20, 19, 3, 5, 250);

  it.each([
    { text: 'now', tz: undefined, utc: '2026-11-20T19:03:05.250Z' },
    { text: 'NOW', tz: 'America/New_York', utc: '2026-11-20T19:03:05.250Z' },
    { text: 'today', tz: undefined, utc: '2026-11-20T00:00:00.000Z' },
    { text: 'today', tz: 'America/New_York', utc: '2026-11-20T05:00:00.000Z' },
    { text: 'yesterday', tz: undefined, utc: '2026-11-19T00:00:00.000Z' },
    { text: 'yesterday', tz: 'America/Los_Angeles', utc: '2026-11-19T08:00:00.000Z' },
    { text: '-2h', tz: undefined, utc: '2026-11-20T17:03:05.250Z' },
    { text: '+1d', tz: undefined, utc: '2026-11-21T19:03:05.250Z' },
    { text: '- 90s', tz: undefined, utc: '2026-11-20T19:01:35.250Z' },
    { text: '30m ago', tz: undefined, utc: '2026-11-20T18:33:05.250Z' },
    { text: '2 hours ago', tz: undefined, utc: '2026-11-20T17:03:05.250Z' },
    { text: '1w ago', tz: undefined, utc: '2026-11-13T19:03:05.250Z' },
    { text: '1795719780', tz: undefined, utc: '2026-11-26T19:03:00.000Z' },
    { text: '1795719780123', tz: undefined, utc: '2026-11-26T19:03:00.123Z' },
    { text: '2026-11-20T14:03:00-05:00', tz: undefined, utc: '2026-11-20T19:03:00.000Z' },
    { text: '2026-11-20T19:03:00Z', tz: 'America/New_York', utc: '2026-11-20T19:03:00.000Z' },
    { text: '2026-11-20T14:03:00', tz: undefined, utc: '2026-11-20T14:03:00.000Z' },
    { text: '2026-11-20 14:03', tz: 'America/New_York', utc: '2026-11-20T19:03:00.000Z' },
    { text: '2026-07-04T14:03:00', tz: 'America/New_York', utc: '2026-07-04T18:03:00.000Z' },
    { text: '2026-11-20', tz: undefined, utc: '2026-11-20T00:00:00.000Z' },
    { text: '2026-11-20', tz: 'America/Chicago', utc: '2026-11-20T06:00:00.000Z' },
  ])('reads "$text" (tz $tz) as $utc', ({ text, tz, utc }) => {
    const r = parseTimeInput(text, { tz, now: NOW });

    expect(r.ok ? iso(r.value) : r.error).toBe(utc);
  });

  it.each([
    { text: '2026-11-20T19:03:00Z', tz: 'Mars/Olympus', says: 'unknown time zone "Mars/Olympus"' },
    { text: 'now', tz: 'Mars/Olympus', says: 'unknown time zone' },
    { text: '12345', tz: undefined, says: '10 digits (seconds) or 13 (ms)' },
    { text: '-2 fortnights', tz: undefined, says: 'unknown unit "fortnights"' },
    { text: 'last tuesday', tz: undefined, says: 'expected ISO 8601' },
    { text: '11/20/2026 14:03', tz: undefined, says: 'expected ISO 8601' },
    { text: '2026-02-30', tz: undefined, says: 'no such date' },
    { text: '', tz: undefined, says: 'expected ISO 8601' },
  ])('rejects "$text" (tz $tz)', ({ text, tz, says }) => {
    const r = parseTimeInput(text, { tz, now: NOW });

    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toContain(says);
  });

  it('tells a zoned time from a zone-less one', () => {
    expect(hasZone('2026-11-20T14:03:00-05:00')).toBe(true);
    expect(hasZone('2026-11-20T19:03Z')).toBe(true);
    expect(hasZone('2026-11-20T14:03:00')).toBe(false);
    expect(hasZone('now')).toBe(false);
  });
});

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000], ['10m', 600_000], ['2h', 7_200_000], ['1d', 86_400_000], ['1w', 604_800_000],
    ['500ms', 500], ['2 hours', 7_200_000], ['3 Days', 259_200_000], [' 15min ', 900_000],
  ])('reads %s as %i ms', (text, ms) => {
    const r = parseDuration(text);

    expect(r.ok ? r.value : r.error).toBe(ms);
  });

  it.each(['10', 'h', '-5m', '1.5h', '10 parsecs', ''])('rejects %j', (text) => {
    const r = parseDuration(text);

    expect(!r.ok && r.error).toContain('invalid duration');
  });

  it('names the range when a duration is outside it', () => {
    const r = parseDuration('2d', { min: 1000, max: 86_400_000 });

    expect(!r.ok && r.error).toContain('expected from 1s to 1d');
  });

  it('accepts a window of a day, written 1d or 24h', () => {
    expect(parseWindow('1d')).toEqual({ ok: true, value: 86_400_000 });
    expect(parseWindow('24h')).toEqual({ ok: true, value: 86_400_000 });
  });
});
