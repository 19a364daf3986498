import type { HttpResponse } from './http.js';
import type { ZodMiniType } from 'zod/mini';
import { CliError } from '../base/errors.js';

interface Issue {
  code: string;
  path: PropertyKey[];
  expected?: string;
  origin?: string;
  message?: string;
}

/** Parses a body and checks its shape; any failure is an invalid-response error naming the field. */
export function parseBody<T>(endpoint: string, text: string, contentType: string | undefined, schema: ZodMiniType<T>): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const what =
      text.trim() === '' ? 'an empty body' : contentType && !contentType.includes('json') ? `${contentType.split(';')[0]} instead of JSON` : 'malformed JSON';
    throw new CliError('invalid-response', `${endpoint}: invalid response: ${what}`, { endpoint });
  }
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const issue = result.error.issues[0] as Issue | undefined;
  const detail = issue ? describeIssue(json, issue) : 'does not have the documented shape';
  throw new CliError('invalid-response', `${endpoint}: invalid response: ${detail}`, { endpoint });
}

function describeIssue(root: unknown, issue: Issue): string {
  const where = formatPath(issue.path);
  const value = valueAt(root, issue.path);
  const subject = where || 'the body';
  if (value === undefined) return `${subject} is missing`;
  switch (issue.code) {
    case 'invalid_type':
      return `${subject} should be ${article(issue.expected ?? 'another type')}, got ${describeValue(value)}`;
    case 'too_small':
      return `${subject} should not be negative, got ${describeValue(value)}`;
    case 'invalid_format':
      return `${subject} is not a YYYY-MM-DD date, got ${describeValue(value)}`;
    case 'custom':
      return `${subject} is ${issue.message ?? 'invalid'}, got ${describeValue(value)}`;
    default:
      return `${subject} is invalid (${describeValue(value)})`;
  }
}

function formatPath(path: PropertyKey[]): string {
  return path.reduce<string>((out, part) => (typeof part === 'number' ? `${out}[${part}]` : out ? `${out}.${String(part)}` : String(part)), '');
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let current = root;
  for (const part of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** A value as an error message names it: `null`, `an array`, `the string "x"`, `42`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length > 24 ? 'a string' : `the string ${JSON.stringify(value)}`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value;
}

/** The answer's Content-Type, as one value. */
export function contentType(response: HttpResponse): string | undefined {
  const value = response.headers['content-type'];
  return Array.isArray(value) ? value[0] : value;
}
