import { describe, expect, test } from 'vitest';
import { activitySchema, creditsSchema, keySchema } from '../src/api/schemas.js';
import { parseBody } from '../src/api/parse-body.js';
import { CliError } from '../src/base/errors.js';

const validKey = { data: { label: 'x', usage: 1, usage_daily: 0.1, usage_weekly: 0.5, usage_monthly: 0.9 } };

function failure(fn: () => unknown): CliError {
  try {
    fn();
  } catch (error) {
    if (error instanceof CliError) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('parseBody', () => {
  test('accepts the minimal documented body and unknown fields', () => {
    const parsed = parseBody(
      '/key',
      JSON.stringify({ ...validKey, extra: 1, data: { ...validKey.data, brand_new_field: [1] } }),
      'application/json',
      keySchema,
    );
    expect(parsed.data.usage_daily).toBe(0.1);
  });

  test('names a missing field', () => {
    const { usage_daily: _omit, ...rest } = validKey.data;
    const error = failure(() => parseBody('/key', JSON.stringify({ data: rest }), 'application/json', keySchema));
    expect(error.kind).toBe('invalid-response');
    expect(error.exitCode).toBe(6);
    expect(error.message).toBe('/key: invalid response: data.usage_daily is missing');
  });

  test('names a field of the wrong type', () => {
    const error = failure(() => parseBody('/key', JSON.stringify({ data: { ...validKey.data, usage_weekly: '0.5' } }), undefined, keySchema));
    expect(error.message).toBe('/key: invalid response: data.usage_weekly should be a number, got the string "0.5"');
    const nullError = failure(() => parseBody('/credits', JSON.stringify({ data: { total_credits: null, total_usage: 1 } }), undefined, creditsSchema));
    expect(nullError.message).toBe('/credits: invalid response: data.total_credits should be a number, got null');
  });

  test('negative spend is not a real answer', () => {
    const error = failure(() => parseBody('/credits', JSON.stringify({ data: { total_credits: 10, total_usage: -1 } }), undefined, creditsSchema));
    expect(error.message).toContain('data.total_usage should not be negative');
  });

  test('points into arrays', () => {
    const body = {
      data: [
        { date: '2026-03-09', model: 'a/b', usage: 1, requests: 1 },
        { date: '2026-03-09', model: 'a/b', requests: 1 },
      ],
    };
    expect(failure(() => parseBody('/activity', JSON.stringify(body), undefined, activitySchema)).message).toBe(
      '/activity: invalid response: data[1].usage is missing',
    );
  });

  test('says what came instead of JSON', () => {
    expect(failure(() => parseBody('/key', '<html>bad gateway</html>', 'text/html; charset=utf-8', keySchema)).message).toBe(
      '/key: invalid response: text/html instead of JSON',
    );
    expect(failure(() => parseBody('/key', '{"data":{"label":', 'application/json', keySchema)).message).toBe('/key: invalid response: malformed JSON');
    expect(failure(() => parseBody('/key', '', 'application/json', keySchema)).message).toBe('/key: invalid response: an empty body');
    expect(failure(() => parseBody('/key', 'null', 'application/json', keySchema)).message).toBe(
      '/key: invalid response: the body should be an object, got null',
    );
  });

  test('activity rows need a YYYY-MM-DD date', () => {
    const body = { data: [{ date: 'yesterday', model: 'a/b', usage: 1, requests: 1 }] };
    expect(failure(() => parseBody('/activity', JSON.stringify(body), undefined, activitySchema)).message).toBe(
      '/activity: invalid response: data[0].date is not a YYYY-MM-DD date, got the string "yesterday"',
    );
  });
});
