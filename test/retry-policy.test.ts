import { describe, expect, test } from 'vitest';
import { backoffMs, decideRetry, MAX_ATTEMPTS, MAX_RETRY_WAIT_MS, requestedWaitMs } from '../src/api/retry-policy.js';

const now = Date.parse('2026-11-25T10:00:00Z');
const far = now + 60_000;
const noJitter = () => 0;

describe('requestedWaitMs', () => {
  test('retry-after-ms wins over retry-after', () => {
    expect(requestedWaitMs({ 'retry-after-ms': '1500', 'retry-after': '9' }, now)).toBe(1500);
  });
  test('retry-after in seconds', () => {
    expect(requestedWaitMs({ 'retry-after': '2' }, now)).toBe(2000);
    expect(requestedWaitMs({ 'retry-after': '0.5' }, now)).toBe(500);
  });
  test('retry-after as an HTTP date', () => {
    // now is 10:00:00 GMT that day.
    expect(requestedWaitMs({ 'retry-after': 'Wed, 25 Nov 2026 10:00:03 GMT' }, now)).toBe(3000);
    expect(requestedWaitMs({ 'retry-after': 'Wed, 25 Nov 2026 09:59:57 GMT' }, now)).toBe(0);
  });
  test('X-RateLimit-Reset in epoch milliseconds, as OpenRouter sends it', () => {
    expect(requestedWaitMs({ 'x-ratelimit-reset': String(now + 4000) }, now)).toBe(4000);
    expect(requestedWaitMs({ 'x-ratelimit-reset': String(now - 4000) }, now)).toBe(0);
  });
  test('X-RateLimit-Reset in epoch seconds, or seconds to wait, when the number is that small', () => {
    expect(requestedWaitMs({ 'x-ratelimit-reset': String(now / 1000 + 7) }, now)).toBe(7000);
    expect(requestedWaitMs({ 'x-ratelimit-reset': '3' }, now)).toBe(3000);
  });
  test('retry-after-ms and retry-after win over X-RateLimit-Reset', () => {
    expect(requestedWaitMs({ 'retry-after-ms': '250', 'x-ratelimit-reset': String(now + 9000) }, now)).toBe(250);
    expect(requestedWaitMs({ 'retry-after': '1', 'x-ratelimit-reset': String(now + 9000) }, now)).toBe(1000);
    expect(requestedWaitMs({ 'retry-after': 'soon', 'x-ratelimit-reset': String(now + 9000) }, now)).toBe(9000);
  });
  test('an X-RateLimit-Reset far away is a wait too long: the run ends at once', () => {
    const decision = decideRetry({ attempt: 1, status: 429, headers: { 'x-ratelimit-reset': String(now + 60_000) }, now, deadlineAt: now + 45_000 });
    expect(decision).toEqual({ retry: false, reason: 'wait-too-long', waitMs: 60_000 });
  });
  test('absent or unreadable', () => {
    expect(requestedWaitMs({ 'x-ratelimit-reset': 'tomorrow' }, now)).toBeUndefined();
    expect(requestedWaitMs({}, now)).toBeUndefined();
    expect(requestedWaitMs({ 'retry-after': 'soon' }, now)).toBeUndefined();
    expect(requestedWaitMs({ 'retry-after-ms': '-5' }, now)).toBeUndefined();
    expect(requestedWaitMs(undefined, now)).toBeUndefined();
  });
});

describe('backoffMs', () => {
  test('grows exponentially and stays within its jitter band', () => {
    expect(backoffMs(1, () => 0)).toBe(150);
    expect(backoffMs(1, () => 1)).toBe(300);
    expect(backoffMs(2, () => 0)).toBe(300);
    expect(backoffMs(3, () => 1)).toBe(1200);
    expect(backoffMs(20, () => 1)).toBe(4000);
  });
});

describe('decideRetry', () => {
  test.each([400, 401, 402, 403, 404])('never retries HTTP %i', (status) => {
    expect(decideRetry({ attempt: 1, status, now, deadlineAt: far })).toEqual({ retry: false, reason: 'not-retryable' });
  });

  test.each([408, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524])('retries HTTP %i', (status) => {
    expect(decideRetry({ attempt: 1, status, now, deadlineAt: far, random: noJitter })).toEqual({ retry: true, delayMs: 150 });
  });

  test.each(['ECONNRESET', 'ECONNREFUSED', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT'])('retries %s', (errorCode) => {
    expect(decideRetry({ attempt: 1, errorCode, now, deadlineAt: far }).retry).toBe(true);
  });

  test('does not retry unknown errors such as TLS failures', () => {
    expect(decideRetry({ attempt: 1, errorCode: 'CERT_HAS_EXPIRED', now, deadlineAt: far }).retry).toBe(false);
    expect(decideRetry({ attempt: 1, now, deadlineAt: far }).retry).toBe(false);
  });

  test(`stops after ${MAX_ATTEMPTS} attempts`, () => {
    expect(decideRetry({ attempt: MAX_ATTEMPTS - 1, status: 503, now, deadlineAt: far }).retry).toBe(true);
    expect(decideRetry({ attempt: MAX_ATTEMPTS, status: 503, now, deadlineAt: far })).toEqual({ retry: false, reason: 'attempts' });
  });

  test('honours the wait a 429 asks for', () => {
    expect(decideRetry({ attempt: 1, status: 429, headers: { 'retry-after': '3' }, now, deadlineAt: far, random: noJitter })).toEqual({
      retry: true,
      delayMs: 3000,
    });
  });

  test('gives up at once when the asked wait is absurd', () => {
    expect(decideRetry({ attempt: 1, status: 429, headers: { 'retry-after': '86400' }, now, deadlineAt: far })).toEqual({
      retry: false,
      reason: 'wait-too-long',
      waitMs: 86_400_000,
    });
    expect(MAX_RETRY_WAIT_MS).toBeLessThan(60_000);
  });

  test('never waits past the deadline', () => {
    expect(decideRetry({ attempt: 1, status: 429, headers: { 'retry-after': '5' }, now, deadlineAt: now + 4000, random: noJitter })).toEqual({
      retry: false,
      reason: 'deadline',
      waitMs: 5000,
    });
    expect(decideRetry({ attempt: 1, status: 503, now, deadlineAt: now + 100, random: noJitter }).retry).toBe(false);
  });
});
