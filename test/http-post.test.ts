// The HTTP client's POST (the analytics query): JSON body and headers, and the same retry policy
// as GET, against the stand-in.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { CliError } from '../src/base/errors.js';
import { UndiciHttpClient, type HttpClient } from '../src/api/http.js';
import { MGMT_KEY, startStandIn, type StandIn } from './server.js';

let s: StandIn;
let http: HttpClient;
const debug: string[] = [];

beforeEach(async () => {
  s = await startStandIn({ now: new Date('2026-03-11T12:00:00Z') });
  debug.length = 0;
  http = new UndiciHttpClient({
    baseUrl: s.url,
    timeoutMs: 5000,
    deadlineAt: Date.now() + 20_000,
    clock: { now: () => Date.now(), timer: () => Date.now() },
    debug: (line) => debug.push(line),
    userAgent: 'openrouter-usage/test',
  });
});
afterEach(async () => {
  await http.destroy();
  await s.close();
});

const QUERY = { metrics: ['credits_usage'], time_range: { start: '2026-03-11T00:00:00Z', end: '2026-03-11T12:00:00Z' } };

describe('HttpClient.post', () => {
  test('sends the body as JSON with its content type and the key, and resolves with the answer', async () => {
    const response = await http.post('/analytics/query', MGMT_KEY, QUERY);
    expect(response.status).toBe(200);
    const [request] = s.requestsTo('/analytics/query');
    expect(request!.method).toBe('POST');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.authorization).toBe(`Bearer ${MGMT_KEY}`);
    expect(request!.body).toEqual(QUERY);
    expect(debug).toEqual([expect.stringMatching(/^POST \/analytics\/query attempt 1: HTTP 200 after \d+ ms, \d+ bytes$/)]);
  });

  test('a 429 is retried, with the same body', async () => {
    s.setFault('/analytics/query', { status: 429, headers: { 'retry-after-ms': '20' }, times: 1 });
    const response = await http.post('/analytics/query', MGMT_KEY, QUERY);
    expect(response.status).toBe(200);
    const asked = s.requestsTo('/analytics/query');
    expect(asked).toHaveLength(2);
    expect(asked.map((r) => r.body)).toEqual([QUERY, QUERY]);
    expect(debug[0]).toMatch(/^POST \/analytics\/query attempt 1: HTTP 429 after \d+ ms, retrying in \d+ ms$/);
  });

  test('408 and 503 are retried too', async () => {
    s.setFault('/analytics/query', { status: 408, times: 1 });
    expect((await http.post('/analytics/query', MGMT_KEY, QUERY)).status).toBe(200);
    s.setFault('/analytics/query', { status: 503, times: 2 });
    expect((await http.post('/analytics/query', MGMT_KEY, QUERY)).status).toBe(200);
    expect(s.requestsTo('/analytics/query')).toHaveLength(2 + 3);
  });

  test('a 400 resolves at once, for the caller to read', async () => {
    const response = await http.post('/analytics/query', MGMT_KEY, { metrics: ['no_such_metric'] });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.text)).toEqual({ error: { code: 400, message: 'Unknown metric: no_such_metric' } });
    expect(s.requestsTo('/analytics/query')).toHaveLength(1);
  });

  test('a server error that outlasts the retries is a CliError naming the path (exit 5)', async () => {
    s.setFault('/analytics/query', { status: 500 });
    const failure = await http.post('/analytics/query', MGMT_KEY, QUERY).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(CliError);
    expect((failure as CliError).message).toBe('/analytics/query: server error (HTTP 500) after 4 attempts');
    expect((failure as CliError).exitCode).toBe(5);
    expect(s.requestsTo('/analytics/query')).toHaveLength(4);
  });
});
