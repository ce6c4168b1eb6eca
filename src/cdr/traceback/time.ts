/**
 * Time handling for tracebacks: ISO 8601 with a zone (`Z`, `-05:00`), or wall-clock time in an IANA zone via
 * Intl, and formatting an instant in a zone with its UTC offset. Pure apart from Intl's time-zone data.
 */

/** A parsed value or a message saying what was expected. */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const EXPECTED_TIME = 'expected ISO 8601 with a zone, e.g. 2026-11-20T14:03:00-05:00 or 2026-11-20T19:03:00Z (or a time without zone plus --tz/tz=America/New_York)';
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Checks an IANA zone name (`America/New_York`, `UTC`). */
export function isTimeZone(zone: string): boolean {
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

/**
 * Parses a traceback time. With a zone in the text, that zone is authoritative; without one, `tz` (IANA) is
 * required and the wall-clock time is converted through Intl (a time skipped by a DST change moves forward; a
 * repeated one takes the earlier instant).
 */
export function parseTracebackTime(text: string, tz: string | undefined): Parsed<number> {
  const m = ISO.exec(text.trim());
  if (!m) return { ok: false, error: `invalid time "${text}": ${EXPECTED_TIME}` };
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const wall = Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +(s ?? 0), Math.floor(+`0.${frac ?? '0'}` * 1000));
  const back = new Date(wall);
  if (back.getUTCMonth() !== +mo! - 1 || back.getUTCDate() !== +d! || +h! > 23 || +mi! > 59 || +(s ?? 0) > 59) {
    return { ok: false, error: `invalid time "${text}": no such date or time of day` };
  }
  if (zone !== undefined) return offsetTime(wall, zone, text);
  if (tz === undefined) return { ok: false, error: `time "${text}" has no zone: add Z or an offset (e.g. -05:00), or give the zone with --tz/tz= (e.g. America/New_York)` };
  if (!isTimeZone(tz)) return { ok: false, error: `unknown time zone "${tz}": expected an IANA zone name such as America/New_York or UTC` };
  return { ok: true, value: wallToInstant(wall, tz) };
}

function offsetTime(wall: number, zone: string, text: string): Parsed<number> {
  if (zone.toUpperCase() === 'Z') return { ok: true, value: wall };
  const digits = zone.slice(1).replace(':', '');
  const hours = +digits.slice(0, 2);
  const minutes = +(digits.slice(2, 4) || '0');
  if (hours > 14 || minutes > 59) return { ok: false, error: `invalid time "${text}": offset ${zone} out of range` };
  const sign = zone.startsWith('-') ? -1 : 1;
  return { ok: true, value: wall - sign * (hours * 60 + minutes) * 60_000 };
}

/** The instant whose wall-clock time in `tz` is `wall` (wall-clock fields encoded as a UTC epoch). */
export function wallToInstant(wall: number, tz: string): number {
  const first = wall - offsetMs(wall, tz);
  const second = wall - offsetMs(first, tz);
  if (first === second) return first;
  const candidates = [first, second].filter((t) => t + offsetMs(t, tz) === wall).sort((a, b) => a - b);
  return candidates[0] ?? Math.max(first, second);
}

/** A fixed UTC offset written as a zone (`-05:00`), used when the request gave an offset but no IANA zone. */
const FIXED = /^([+-])(\d{2}):(\d{2})$/;

/** The display zone of a request: its IANA zone, else the offset written in its time, else UTC. */
export function toDisplayZone(text: string, tz: string | undefined): string {
  if (tz !== undefined) return tz;
  const m = ISO.exec(text.trim());
  const zone = m?.[8];
  if (zone === undefined || zone.toUpperCase() === 'Z') return 'UTC';
  const digits = zone.slice(1).replace(':', '');
  return `${zone[0]}${digits.slice(0, 2)}:${digits.slice(2, 4) || '00'}`;
}

/** Offset of `tz` (IANA name or fixed `±HH:MM`) from UTC at an instant, ms (New York in winter: -18,000,000). */
export function offsetMs(instant: number, tz: string): number {
  const fixed = FIXED.exec(tz);
  if (fixed) return (fixed[1] === '-' ? -1 : 1) * (+fixed[2]! * 60 + +fixed[3]!) * 60_000;
  const parts = formatterFor(tz).formatToParts(new Date(instant));
  const get = (type: string): number => +(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'), get('second'));
  return asUtc - (instant - (instant % 1000 + 1000) % 1000);
}

/** Formats an instant in `tz` as `2026-11-20 14:03:05.123 -05:00`. */
export function formatInZone(instant: number, tz: string): string {
  const off = offsetMs(instant, tz);
  const local = new Date(instant + off).toISOString();
  const abs = Math.abs(off) / 60_000;
  const sign = off < 0 ? '-' : '+';
  return `${local.slice(0, 10)} ${local.slice(11, 23)} ${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** Parses a window such as `10m`, `90s`, `1h` into ms (1 s … 24 h). */
export function parseWindow(text: string): Parsed<number> {
  const m = /^(\d{1,6})\s*(ms|s|m|h)$/i.exec(text.trim());
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
  const ms = m ? +m[1]! * unit[m[2]!.toLowerCase() as keyof typeof unit] : NaN;
  if (!(ms >= 1000 && ms <= 86_400_000)) return { ok: false, error: `invalid window "${text}": expected a duration from 1s to 24h such as 30s, 10m or 2h` };
  return { ok: true, value: ms };
}

function formatterFor(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(tz, f);
  }
  return f;
}
