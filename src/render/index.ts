import chalk, { Chalk, type ChalkInstance } from 'chalk';
import type { CliOptions, Format } from '../options.js';
import type { Report } from '../report.js';
import { renderCsv } from './csv.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { renderOneline } from './oneline.js';
import { renderText } from './text.js';

/** Colour only on a terminal (chalk checks), never with --no-color or NO_COLOR. */
export function chalkFor(options: { color: boolean }): ChalkInstance {
  return options.color && !process.env.NO_COLOR ? chalk : new Chalk({ level: 0 });
}

/** One report model, one small renderer per format. */
export function renderReport(report: Report, format: Format, options: CliOptions): string {
  switch (format) {
    case 'json':
      return renderJson(report);
    case 'csv':
      return renderCsv(report, options.by);
    case 'markdown':
      return renderMarkdown(report, { top: options.top, by: options.by, fullNames: options.fullNames === true });
    case 'oneline':
      return renderOneline(report);
    case 'text':
      return renderText(report, {
        top: options.top,
        chalk: chalkFor(options),
        by: options.by,
        details: options.details === true,
        fullNames: options.fullNames === true,
        width: process.stdout.isTTY ? process.stdout.columns : undefined,
      });
  }
}
