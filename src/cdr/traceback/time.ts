/**
 * The one parser of time and duration inputs (CLI flags, traceback requests): ISO 8601 with a zone (`Z`, `-05:00`),
 * wall-clock time in an IANA zone via Intl, `now`/`today`/`yesterday`, relative offsets (`-2h`, `30m ago`), epoch
 * seconds or ms; durations (`90s`, `10m`, `1w`); and formatting an instant in a zone with its UTC offset.
 * Pure apart from Intl's time-zone data: the clock arrives as `now`.
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
  if (!FIXED.test(tz) && !isTimeZone(tz)) return { ok: false, error: unknownZone(tz) };
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

/** Milliseconds per duration unit; each unit has its short form first. */
const UNITS: readonly (readonly [ms: number, names: readonly string[]])[] = [
  [1, ['ms', 'msec', 'millisecond', 'milliseconds']],
  [1000, ['s', 'sec', 'secs', 'second', 'seconds']],
  [60_000, ['m', 'min', 'mins', 'minute', 'minutes']],
  [3_600_000, ['h', 'hr', 'hrs', 'hour', 'hours']],
  [86_400_000, ['d', 'day', 'days']],
  [604_800_000, ['w', 'wk', 'wks', 'week', 'weeks']],
];
const UNIT_MS = new Map(UNITS.flatMap(([ms, names]) => names.map((n) => [n, ms] as const)));
const DURATION = /^(\d{1,9})\s*([a-z]+)$/;
const RELATIVE = /^(?:([+-])\s*(\d{1,9})\s*([a-z]+)|(\d{1,9})\s*([a-z]+)\s+ago)$/;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const EXPECTED_INPUT = 'expected ISO 8601 (2026-11-20T14:03:00-05:00, or without zone in --tz, default UTC), now, today, yesterday, an offset such as -2h, +1d or "30m ago", or epoch seconds (10 digits) or ms (13 digits)';

/**
 * Parses a duration such as `90s`, `10m`, `2h`, `1d`, `1w` (also `500ms`, `2 hours`) into ms. With `min`/`max`
 * (ms), a value outside the range is an error naming the range.
 */
export function parseDuration(text: string, range: { readonly min?: number; readonly max?: number } = {}): Parsed<number> {
  const m = DURATION.exec(text.trim().toLowerCase());
  const unit = m ? UNIT_MS.get(m[2]!) : undefined;
  if (!m || unit === undefined) return { ok: false, error: `invalid duration "${text}": expected a number and a unit, e.g. 90s, 10m, 2h, 1d, 1w` };
  const ms = +m[1]! * unit;
  if ((range.min !== undefined && ms < range.min) || (range.max !== undefined && ms > range.max)) {
    return { ok: false, error: `invalid duration "${text}": expected from ${describeMs(range.min ?? 0)} to ${range.max === undefined ? 'any' : describeMs(range.max)}` };
  }
  return { ok: true, value: ms };
}

function describeMs(ms: number): string {
  for (const [size, names] of [...UNITS].reverse()) if (ms >= size && ms % size === 0) return `${ms / size}${names[0]}`;
  return `${ms}ms`;
}

/** How {@link parseTimeInput} reads a time: the zone of zone-less input (IANA or `±HH:MM`; default UTC) and the clock. */
export interface TimeInputOptions {
  readonly tz?: string | undefined;
  /** The current time, epoch ms (`now`, `today`, relative offsets). */
  readonly now: number;
}

/**
 * Parses a time as an operator types it: ISO 8601 with a zone (authoritative) or without one (read in `tz`, default
 * UTC; a date alone is its midnight), `now`, `today`/`yesterday` (midnight in `tz`), `-2h`/`+1d`/`30m ago`, or epoch
 * digits (10 = seconds, 13 = ms). An invalid `tz` is an error whatever the text. Returns epoch ms.
 */
export function parseTimeInput(text: string, opts: TimeInputOptions): Parsed<number> {
  const tz = opts.tz ?? 'UTC';
  if (!FIXED.test(tz) && !isTimeZone(tz)) return { ok: false, error: unknownZone(tz) };
  const t = text.trim().toLowerCase();
  if (t === 'now') return { ok: true, value: opts.now };
  if (t === 'today' || t === 'yesterday') {
    const local = new Date(opts.now + offsetMs(opts.now, tz));
    const midnight = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() - (t === 'yesterday' ? 1 : 0));
    return { ok: true, value: wallToInstant(midnight, tz) };
  }
  const rel = RELATIVE.exec(t);
  if (rel) {
    const [sign, n, unitName] = rel[1] !== undefined ? [rel[1], rel[2]!, rel[3]!] : ['-', rel[4]!, rel[5]!];
    const unit = UNIT_MS.get(unitName);
    if (unit === undefined) return { ok: false, error: `invalid time "${text}": unknown unit "${unitName}" (s, m, h, d, w)` };
    return { ok: true, value: opts.now + (sign === '-' ? -1 : 1) * +n * unit };
  }
  if (/^\d+$/.test(t)) {
    if (t.length === 10) return { ok: true, value: +t * 1000 };
    if (t.length === 13) return { ok: true, value: +t };
    return { ok: false, error: `invalid time "${text}": epoch times have 10 digits (seconds) or 13 (ms)` };
  }
  const day = DATE_ONLY.exec(t);
  const iso = day ? `${t}T00:00:00` : text;
  if (!ISO.test(iso.trim())) return { ok: false, error: `invalid time "${text}": ${EXPECTED_INPUT}` };
  return parseTracebackTime(iso, tz);
}

/** True when `text` is ISO 8601 carrying its own zone (`Z` or an offset). */
export function hasZone(text: string): boolean {
  return ISO.exec(text.trim())?.[8] !== undefined;
}

function unknownZone(tz: string): string {
  return `unknown time zone "${tz}": expected an IANA zone name such as America/New_York or UTC`;
}

/** Parses a window such as `10m`, `90s`, `1h` into ms (1 s … 24 h). */
export function parseWindow(text: string): Parsed<number> {
  const r = parseDuration(text, { min: 1000, max: 86_400_000 });
  return r.ok ? r : { ok: false, error: `invalid window "${text}": expected a duration from 1s to 24h such as 30s, 10m, 2h or 1d` };
}

function formatterFor(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(tz, f);
  }
  return f;
}
