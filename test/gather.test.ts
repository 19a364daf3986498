// gatherResponses against a client whose answers the test writes: an optional endpoint's expected
// failure is a part the report explains, and anything else is a bug that must fail the run.
import { describe, expect, test } from 'vitest';
import { CliError } from '../src/base/errors.js';
import { gatherResponses } from '../src/sources/live-requests.js';
import type { HttpClient, HttpResponse } from '../src/api/http.js';

const KEY_BODY = JSON.stringify({ data: { label: 'sk-or-v1-abc...def', usage: 3, usage_daily: 1, usage_weekly: 2, usage_monthly: 3 } });
const json = (text: string): HttpResponse => ({ status: 200, headers: { 'content-type': 'application/json' }, text });

function client(answer: (path: string) => HttpResponse): HttpClient {
  return {
    get: (path) => Promise.resolve().then(() => answer(path)),
    post: (path) => Promise.reject(new Error(`POST ${path} is not asked in these tests`)),
    close: () => Promise.resolve(),
    destroy: () => Promise.resolve(),
  };
}

const credentials = { apiKey: { value: 'sk-or-v1-api', source: 'env' }, mgmtKey: { value: 'sk-or-v1-mgmt', source: 'env' }, warnings: [] };

describe('gatherResponses', () => {
  test('a CliError on /activity becomes a failed part; the report still has /key', async () => {
    const http = client((path) => {
      if (path === '/key') return json(KEY_BODY);
      if (path === '/activity') throw new CliError('network', '/activity: network error (connection reset) after 4 attempts');
      if (path === '/credits') return json('{"data":{"total_credits":10,"total_usage":4}}');
      return json('{"data":[]}');
    });
    const { responses } = await gatherResponses(http, credentials);
    expect(responses.key.usage_daily).toBe(1);
    expect(responses.activity).toEqual({ status: 'failed', error: expect.objectContaining({ kind: 'network', exitCode: 5 }) as unknown });
    expect(responses.credits).toEqual({ status: 'ok', value: { total_credits: 10, total_usage: 4 } });
  });

  test('an unexpected exception on an optional endpoint is a bug: the run fails with it', async () => {
    const http = client((path) => {
      if (path === '/key') return json(KEY_BODY);
      if (path === '/credits') throw new TypeError("Cannot read properties of undefined (reading 'x')");
      return json('{"data":[]}');
    });
    await expect(gatherResponses(http, credentials as never)).rejects.toThrow(TypeError);
  });
});
