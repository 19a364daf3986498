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
  return clockFace(moment.getHours(), moment.getMinutes(), -moment.getTimezoneOffset());
}

/** `20:00 UTC-4`: the wall time and its offset from UTC, written the same way for every zone. */
function clockFace(hours: number, minutes: number, offset: number): string {
  const pad = (n: number) => n.toString().padStart(2, '0');
  const zone =
    offset === 0 ? 'UTC' : `UTC${offset > 0 ? '+' : '-'}${Math.floor(Math.abs(offset) / 60)}${Math.abs(offset) % 60 ? `:${pad(Math.abs(offset) % 60)}` : ''}`;
  return `${pad(hours)}:${pad(minutes)} ${zone}`;
}

/** The same face in a named zone (TZ given to an in-process run), its offset read through Intl. */
function inZone(moment: Date, timeZone: string): string {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    }).formatToParts(moment);
  } catch {
    // A TZ that is not an IANA name (`:/etc/localtime`, a typo) leaves the process's own zone.
    return local(moment);
  }
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'));
  const offset = Math.round((wall - Math.floor(moment.getTime() / 60_000) * 60_000) / 60_000);
  return clockFace(part('hour'), part('minute'), offset);
}
