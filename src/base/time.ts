/**
 * Time as OpenRouter counts it, in one place: every window is made of UTC days (Today ends at UTC
 * midnight, a week starts on Monday, a month on the 1st), and days travel as `YYYY-MM-DD` strings.
 */
export const DAY_MS = 86_400_000;

export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  return utcDay(new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS));
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** The last `days` completed UTC days: /activity never holds today, which is still being counted. */
export function completedDaysWindow(now: Date, days: number): { from: string; to: string } {
  const today = utcDay(now);
  return { from: addDays(today, -days), to: addDays(today, -1) };
}

/**
 * Days travel as `YYYY-MM-DD` strings, and a server can send one that is no day at all:
 * `2026-11-00` or `2026-02-30` parse (Date rolls them over into a neighbouring month) and would be
 * counted in a model's total but land in no day of the series. A row with such a date is invalid.
 * The /activity row schema (src/api/schemas.ts) checks every date with `leadingCalendarDate`.
 */

/** True only for a real day of the proleptic Gregorian calendar, written exactly `YYYY-MM-DD`. */
export function isCalendarDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/**
 * The day a date or date-time starts with (`2026-03-04T12:00:00Z` → `2026-03-04`), or undefined
 * when it does not start with a real day followed by the end, `T` or a space.
 */
export function leadingCalendarDate(text: string): string | undefined {
  const day = text.slice(0, 10);
  const rest = text.slice(10);
  return isCalendarDate(day) && (rest === '' || rest.startsWith('T') || rest.startsWith(' ')) ? day : undefined;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

// Moments where OpenRouter's UTC counters roll over.

export function nextUtcMidnight(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
}

function utcMonthStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}

/**
 * When a key cap with this `limit_reset` next resets: daily at UTC midnight, weekly on Monday
 * 00:00 UTC, monthly on the 1st 00:00 UTC. Undefined for caps that never reset or unknown words.
 */
export function nextReset(reset: string | null, now: Date): Date | undefined {
  switch (reset?.toLowerCase()) {
    case 'daily':
      return nextUtcMidnight(now);
    case 'weekly': {
      const daysToMonday = (8 - now.getUTCDay()) % 7 || 7;
      return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + daysToMonday));
    }
    case 'monthly':
      return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
    default:
      return undefined;
  }
}

/** Days since the month began, never under one, so the 1st's first minutes do not look like a spree. */
export function daysIntoMonth(now: Date): number {
  return Math.max(1, (now.getTime() - utcMonthStart(now).getTime()) / DAY_MS);
}

/** Minutes the reader's time zone is ahead of UTC at a moment (io.utcOffset: the entry asks the process's zone). */
export type UtcOffset = (at: Date) => number;

/** "01:00 UTC+1 (in 3 h 10 min)": when the current UTC day ends, on the reader's own clock. */
export function describeUtcDayEnd(now: Date, utcOffset: UtcOffset): string {
  const end = nextUtcMidnight(now);
  const minutes = Math.ceil((end.getTime() - now.getTime()) / 60_000);
  const hours = Math.floor(minutes / 60);
  const left = hours > 0 ? `${hours} h ${minutes % 60} min` : `${minutes} min`;
  return `${wallClock(end, utcOffset)} (in ${left})`;
}

/** `20:00 UTC-4`: the reader's wall time and its offset from UTC, written alike for every zone. */
export function wallClock(moment: Date, utcOffset: UtcOffset): string {
  const offset = Math.round(utcOffset(moment));
  const zone =
    offset === 0 ? 'UTC' : `UTC${offset > 0 ? '+' : '-'}${Math.floor(Math.abs(offset) / 60)}${Math.abs(offset) % 60 ? `:${pad(Math.abs(offset) % 60)}` : ''}`;
  return `${clockTime(moment, utcOffset).slice(0, 5)} ${zone}`;
}

/** `20:00:05`: the reader's wall time to the second. */
export function clockTime(moment: Date, utcOffset: UtcOffset): string {
  const wall = new Date(moment.getTime() + Math.round(utcOffset(moment)) * 60_000);
  return `${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}:${pad(wall.getUTCSeconds())}`;
}

const pad = (n: number): string => n.toString().padStart(2, '0');
