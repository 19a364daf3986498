import type { Output } from '../commands/output.js';
import type { KeysReport } from '../keys-report.js';
import type { Format, CliOptions } from '../options.js';
import type { Report } from '../report.js';
import { renderCsv, renderKeysCsv } from './csv.js';
import { renderJson, renderKeysJson } from './json.js';
import { renderKeysText } from './keys.js';
import { renderKeysMarkdown, renderMarkdown } from './markdown.js';
import { renderKeysOneline, renderOneline } from './oneline.js';
import { renderText } from './text.js';

type View = Pick<CliOptions, 'top' | 'by' | 'details' | 'fullNames' | 'topGiven' | 'explain'>;

/** One table: each format, how it draws the report and the keys view. One model, one small renderer each. */
const RENDERERS: Record<Format, { report: (report: Report, output: Output, view: View) => string; keys: (report: KeysReport, output: Output) => string }> = {
  json: { report: (report) => renderJson(report), keys: (report) => renderKeysJson(report) },
  csv: { report: (report, _output, view) => renderCsv(report, view.by, view.topGiven ? view.top : 0), keys: (report) => renderKeysCsv(report) },
  markdown: {
    report: (report, _output, view) => renderMarkdown(report, { top: view.top, by: view.by, fullNames: view.fullNames === true }),
    keys: (report) => renderKeysMarkdown(report),
  },
  oneline: { report: (report) => renderOneline(report), keys: (report) => renderKeysOneline(report) },
  text: {
    report: (report, output, view) =>
      renderText(report, {
        top: view.top,
        chalk: output.chalk,
        by: view.by,
        details: view.details === true,
        fullNames: view.fullNames === true,
        width: output.width,
        timeZone: output.timeZone,
        explain: view.explain === true,
      }),
    keys: (report, output) => renderKeysText(report, { chalk: output.chalk, width: output.width }),
  },
};

export function renderReport(report: Report, output: Output, view: View): string {
  return RENDERERS[output.format].report(report, output, view);
}

export function renderKeys(report: KeysReport, output: Output): string {
  return RENDERERS[output.format].keys(report, output);
}
