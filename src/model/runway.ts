import { addDays, DAY_MS, daysIntoMonth, nextReset, utcDay } from '../base/time.js';
import { cleanSum } from '../base/money.js';

/** Beyond a century a projection is noise (and beyond a Date's range): say nothing instead. */
const HORIZON_DAYS = 36_500;

export type Runway =
  | {
      basis: 'credits';
      /** The breakdown window's average daily credit spend. */
      dailyAverage: number;
      averageDays: number;
      /** Whole days the balance lasts at that rate. */
      days: number;
      until: string;
    }
  | {
      basis: 'key-limit';
      /** This key's month-to-date average daily spend. */
      dailyAverage: number;
      runsOutOn: string | null;
      resetsOn: string | null;
      /** True when the cap is spent before it resets (or, for a cap that never resets, at all). */
      runsOutBeforeReset: boolean;
    };

/** How long the credits last at the recent rate; undefined when there is no spend to project from. */
export function creditsRunway(remaining: number, dailyAverage: number, averageDays: number, now: Date): Runway | undefined {
  if (!(dailyAverage > 0) || !(remaining > 0)) return undefined;
  const days = Math.floor(remaining / dailyAverage);
  if (!(days <= HORIZON_DAYS)) return undefined;
  return { basis: 'credits', dailyAverage, averageDays, days, until: addDays(utcDay(now), days) };
}

/** Whether a key's cap runs out before it resets, at the key's month-to-date pace. */
export function capRunway(limitRemaining: number, limitReset: string | null, monthUsage: number, now: Date): Runway | undefined {
  const dailyAverage = cleanSum(monthUsage / daysIntoMonth(now));
  if (!(dailyAverage > 0)) return undefined;
  const reset = nextReset(limitReset, now);
  const daysLeft = limitRemaining <= 0 ? 0 : limitRemaining / dailyAverage;
  if (!(daysLeft <= HORIZON_DAYS)) return undefined;
  const runsOutAt = new Date(now.getTime() + daysLeft * DAY_MS);
  return {
    basis: 'key-limit',
    dailyAverage,
    runsOutOn: utcDay(runsOutAt),
    resetsOn: reset ? utcDay(reset) : null,
    runsOutBeforeReset: reset ? runsOutAt < reset : true,
  };
}
