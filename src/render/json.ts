import { toJsonDocument, toJsonKeysDocument } from './json-contract.js';
import type { KeysReport } from '../model/keys-report.js';
import type { Report } from '../model/report.js';

/**
 * JSON.stringify escapes C0 controls but writes C1 controls (0x9b acts as CSI), bidi controls and
 * line separators as they are; a JSON document read on a terminal must not carry them either. They
 * can only sit inside strings, so escaping them keeps the document valid and its strings intact.
 */
const UNESCAPED_BY_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2).replace(UNESCAPED_BY_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}

export function renderJson(report: Report): string {
  return json(toJsonDocument(report));
}

export function renderKeysJson(report: KeysReport): string {
  return json(toJsonKeysDocument(report));
}
