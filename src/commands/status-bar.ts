import type { Io } from '../base/io.js';
import type { CliOptions } from '../base/options.js';
import { answerSource } from '../sources/report-answers.js';
import { outputFor } from './output.js';
import { printReport } from './report.js';

/**
 * A status bar refreshing from the cache (`--format oneline --cache N`, see readStatusBarOptions)
 * runs every few seconds, so it should cost about a bare Node start: it is answered from a fresh
 * cache entry without commander or the HTTP client, through the same answer source, report model
 * and renderer as every other run (printReport). Anything else (a miss, a missing key, a bad URL)
 * goes the ordinary way (undefined), which then says everything itself.
 */
export async function runStatusBar(options: CliOptions, io: Io): Promise<number | undefined> {
  let fetched;
  try {
    fetched = answerSource(options, io).cached();
  } catch {
    return undefined;
  }
  if (!fetched) return undefined;
  return printReport(fetched, options, io, await outputFor(options, io));
}
