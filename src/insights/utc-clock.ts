/** Moments where OpenRouter's UTC counters roll over. */
const DAY_MS = 86_400_000;

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

/**
 * "01:00 UTC+1 (in 3 h 10 min)": when the current UTC day ends, in the reader's own time zone.
 * Without a named zone this avoids Intl, whose first use costs a process about 10 ms.
 */
export function describeUtcDayEnd(now: Date, timeZone?: string): string {
  const end = nextUtcMidnight(now);
  const minutes = Math.ceil((end.getTime() - now.getTime()) / 60_000);
  const hours = Math.floor(minutes / 60);
  const left = hours > 0 ? `${hours} h ${minutes % 60} min` : `${minutes} min`;
  return `${timeZone ? inZone(end, timeZone) : local(end)} (in ${left})`;
}

function local(moment: Date): string {
  const pad = (n: number) => n.toString().padStart(2, '0');
  const offset = -moment.getTimezoneOffset();
  const zone =
    offset === 0 ? 'UTC' : `UTC${offset > 0 ? '+' : '-'}${Math.floor(Math.abs(offset) / 60)}${Math.abs(offset) % 60 ? `:${pad(Math.abs(offset) % 60)}` : ''}`;
  return `${pad(moment.getHours())}:${pad(moment.getMinutes())} ${zone}`;
}

function inZone(moment: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hour12: false, timeZoneName: 'short', timeZone }).format(moment);
}
