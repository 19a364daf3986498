import type { CliOptions } from './options.js';
import { buildReport, type Report, type Responses } from './report.js';

export { renderReport } from './render/index.js';
export { ONELINE_FAILURE, renderOneline } from './render/oneline.js';

/** The answers for one report, and when they were fetched (earlier when they came from the cache). */
export interface Fetched {
  responses: Responses;
  configWarnings: string[];
  fetchedAt: Date;
  fromCache: boolean;
}

export function reportFrom(fetched: Fetched, options: CliOptions): Report {
  return buildReport(fetched.responses, {
    days: options.days,
    now: fetched.fetchedAt,
    generatedAt: new Date(),
    demo: options.demo === true,
    configWarnings: fetched.configWarnings,
    scope: options.scope,
    thresholds: { minBalance: options.minBalance, maxToday: options.maxToday, maxMonth: options.maxMonth },
  });
}
