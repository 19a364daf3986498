import type { CliOptions, Format } from '../base/options.js';
import type { UtcOffset } from '../base/time.js';
import type { KeysReport } from '../model/keys-report.js';
import type { Report } from '../model/report.js';

/** How this run prints: decided once per command from the options and io. */
export interface Output {
  format: Format;
  /** Colour depth for the formats that colour (0: none). */
  colorLevel: 0 | 1 | 2 | 3;
  /** Terminal width: no text line is wider (COLUMNS when stdout is no terminal, else 80). */
  width: number;
  /** The reader's clock, for the time the UTC day ends. */
  utcOffset: UtcOffset;
}

/** The options that change how a report is drawn, not what it holds. */
export type View = Pick<CliOptions, 'top' | 'by' | 'details' | 'fullNames' | 'topGiven' | 'explain'>;

interface Renderer {
  report(report: Report, output: Output, view: View): string;
  keys(report: KeysReport, output: Output): string;
}

/**
 * One table: each format, how it draws the report and the keys view. One model, one small renderer
 * each, loaded when its format is asked for (a status bar's line loads neither chalk nor the tables).
 */
const RENDERERS: Record<Format, (output: Output) => Promise<Renderer>> = {
  json: async () => {
    const { renderJson, renderKeysJson } = await import('./json.js');
    return { report: (report) => renderJson(report), keys: (report) => renderKeysJson(report) };
  },
  csv: async () => {
    const { renderCsv, renderKeysCsv } = await import('./csv.js');
    return { report: (report, _output, view) => renderCsv(report, view.by, view.topGiven ? view.top : 0), keys: (report) => renderKeysCsv(report) };
  },
  markdown: async () => {
    const { renderKeysMarkdown, renderMarkdown } = await import('./markdown.js');
    return {
      report: (report, _output, view) => renderMarkdown(report, { top: view.top, by: view.by, fullNames: view.fullNames === true }),
      keys: (report) => renderKeysMarkdown(report),
    };
  },
  oneline: async () => {
    const { renderKeysOneline, renderOneline } = await import('./oneline.js');
    return { report: (report) => renderOneline(report), keys: (report) => renderKeysOneline(report) };
  },
  text: async ({ colorLevel }) => {
    const [{ renderText }, { renderKeysText }, { Chalk }] = await Promise.all([import('./text.js'), import('./keys.js'), import('chalk')]);
    const chalk = new Chalk({ level: colorLevel });
    return {
      report: (report, output, view) =>
        renderText(report, {
          top: view.top,
          by: view.by,
          details: view.details === true,
          fullNames: view.fullNames === true,
          explain: view.explain === true,
          chalk,
          width: output.width,
          utcOffset: output.utcOffset,
        }),
      keys: (report, output) => renderKeysText(report, { chalk, width: output.width }),
    };
  },
};

/** The renderer of a format, loaded (with chalk where the format colours). */
export function loadRenderer(output: Output): Promise<Renderer> {
  return RENDERERS[output.format](output);
}

export async function renderReport(report: Report, output: Output, view: View): Promise<string> {
  return (await loadRenderer(output)).report(report, output, view);
}

export async function renderKeys(report: KeysReport, output: Output): Promise<string> {
  return (await loadRenderer(output)).keys(report, output);
}
