import { toJsonDocument, toJsonKeysDocument } from '../contract.js';
import type { KeysReport } from '../keys-report.js';
import type { Report } from '../report.js';

export function renderJson(report: Report): string {
  return `${JSON.stringify(toJsonDocument(report), null, 2)}\n`;
}

export function renderKeysJson(report: KeysReport): string {
  return `${JSON.stringify(toJsonKeysDocument(report), null, 2)}\n`;
}
