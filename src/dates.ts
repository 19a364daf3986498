/** All windows are UTC days, as OpenRouter counts them. Days travel as `YYYY-MM-DD` strings. */
const DAY_MS = 86_400_000;

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
