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
