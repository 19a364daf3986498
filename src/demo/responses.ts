import { activitySchema, creditsSchema, keySchema } from '../api/schemas.js';
import { parseBody } from '../api/validate.js';
import { addDays, daysBetween, utcDay } from '../dates.js';
import type { Responses } from '../report.js';
import { SAMPLE_TODAY, sampleActivity, sampleCredits, sampleKey } from './sample.js';

/** The demo's answers, as text through the same parser as live bodies, with dates moved to today. */
export function demoResponses(now: Date): Responses {
  const shift = daysBetween(SAMPLE_TODAY, utcDay(now));
  const activity = { data: sampleActivity.data.map((row) => ({ ...row, date: addDays(row.date, shift) })) };
  return {
    key: parseBody('/key', JSON.stringify(sampleKey), 'application/json', keySchema).data,
    credits: { status: 'ok', value: parseBody('/credits', JSON.stringify(sampleCredits), 'application/json', creditsSchema).data },
    activity: { status: 'ok', value: parseBody('/activity', JSON.stringify(activity), 'application/json', activitySchema).data },
  };
}
