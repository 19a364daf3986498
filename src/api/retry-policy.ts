/**
 * When to try a request again, and after how long. Pure, so the policy is tested without sockets;
 * src/http.ts plugs it into undici's RetryHandler as its retry callback, because undici's default
 * adds no jitter, ignores `retry-after-ms`, and would resume a cut-off JSON body with Range requests.
 */
export const MAX_ATTEMPTS = 4;
/** Longest single wait we accept from a Retry-After header; a person or an agent is waiting. */
export const MAX_RETRY_WAIT_MS = 20_000;
const BASE_BACKOFF_MS = 300;
const MAX_BACKOFF_MS = 4_000;

export const RETRY_STATUSES: readonly number[] = [408, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524];

/** Connection-level failures worth another try; anything else (TLS errors, bad URLs) is final. */
const RETRY_ERROR_CODES: readonly string[] = [
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETDOWN',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EHOSTUNREACH',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_PROXY',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
];

export type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers | undefined, name: string): string | undefined {
  const value = headers?.[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Below this an `X-RateLimit-Reset` is seconds to wait; below the next, epoch seconds; above, epoch ms. */
const EPOCH_SECONDS = 1e9;
const EPOCH_MS = 1e12;

/**
 * The wait a server asked for, in ms: `retry-after-ms` first, then `retry-after` as seconds
 * or an HTTP date (the order OpenRouter's own SDK reads them in), then `x-ratelimit-reset`, the
 * moment OpenRouter's 429s say the limit resets (epoch milliseconds; epoch seconds, as other
 * services send it, when the number is that small). Undefined when absent or unreadable.
 */
export function requestedWaitMs(headers: Headers | undefined, now: number): number | undefined {
  const ms = header(headers, 'retry-after-ms');
  if (ms !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(ms)) return Math.ceil(Number(ms));
  const after = header(headers, 'retry-after');
  if (after !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(after)) return Math.ceil(Number(after) * 1000);
  const date = after === undefined || after.trim() === '' ? NaN : Date.parse(after);
  if (!Number.isNaN(date)) return Math.max(0, date - now);
  const reset = header(headers, 'x-ratelimit-reset');
  if (reset === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(reset)) return undefined;
  const value = Number(reset);
  const at = value >= EPOCH_MS ? value : value >= EPOCH_SECONDS ? value * 1000 : now + value * 1000;
  return Math.max(0, Math.ceil(at - now));
}

/** Exponential backoff with "equal jitter": half fixed, half random, so parallel clients spread out. */
export function backoffMs(failedAttempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** (failedAttempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export interface RetryInput {
  /** 1-based number of the attempt that just failed. */
  attempt: number;
  status?: number | undefined;
  errorCode?: string | undefined;
  headers?: Headers | undefined;
  now: number;
  /** Absolute time (ms) by which the whole run must be over. */
  deadlineAt: number;
  random?: () => number;
}

export type RetryDecision =
  | { retry: true; delayMs: number }
  | { retry: false; reason: 'not-retryable' | 'attempts' }
  | { retry: false; reason: 'wait-too-long' | 'deadline'; waitMs: number };

export function decideRetry(input: RetryInput): RetryDecision {
  const retryable =
    input.status !== undefined ? RETRY_STATUSES.includes(input.status) : input.errorCode !== undefined && RETRY_ERROR_CODES.includes(input.errorCode);
  if (!retryable) return { retry: false, reason: 'not-retryable' };
  if (input.attempt >= MAX_ATTEMPTS) return { retry: false, reason: 'attempts' };

  const asked = input.status !== undefined ? requestedWaitMs(input.headers, input.now) : undefined;
  if (asked !== undefined && asked > MAX_RETRY_WAIT_MS) return { retry: false, reason: 'wait-too-long', waitMs: asked };
  // A server's own figure wins over our backoff, but a tiny jitter still keeps parallel requests apart.
  const delayMs = asked !== undefined ? asked + Math.round((input.random ?? Math.random)() * 100) : backoffMs(input.attempt, input.random);
  if (input.now + delayMs >= input.deadlineAt) return { retry: false, reason: 'deadline', waitMs: asked ?? delayMs };
  return { retry: true, delayMs };
}
