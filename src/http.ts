import { setFlagsFromString } from 'node:v8';
import type { Dispatcher, EnvHttpProxyAgent } from 'undici';
import connect from 'undici/lib/api/api-connect.js';
import request from 'undici/lib/api/api-request.js';
import DispatcherBase from 'undici/lib/dispatcher/dispatcher.js';
import EnvHttpProxyAgentClass from 'undici/lib/dispatcher/env-http-proxy-agent.js';
import retryInterceptor from 'undici/lib/interceptor/retry.js';
import { CliError } from './errors.js';
import { decideRetry, MAX_ATTEMPTS, RETRY_STATUSES, type Headers, type RetryDecision } from './retry-policy.js';

/** A body larger than this is not an OpenRouter answer; stop reading rather than fill memory. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

export interface HttpOptions {
  baseUrl: string;
  /** Per attempt: connecting, waiting for headers, and reading the body each get this long. */
  timeoutMs: number;
  /** Absolute time (ms since epoch) by which every request of the run must be over. */
  deadlineAt: number;
  /** Aborts everything in flight (Ctrl-C). */
  signal?: AbortSignal | undefined;
  /** Receives one line per attempt, for --debug. Never given a key. */
  debug?: ((line: string) => void) | undefined;
  userAgent: string;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
}

/**
 * A GET-only JSON client for one base URL. Any HTTP status that is not worth retrying
 * (200, 401, 403, 404...) resolves, so the caller can read the error body; retryable failures
 * that outlast the policy reject with a CliError.
 */
export class HttpClient {
  readonly #options: HttpOptions;
  readonly #dispatcher: Dispatcher;
  readonly #agent: EnvHttpProxyAgent;
  /**
   * One signal for the whole run (the deadline, or Ctrl-C), held by this client. Node 20 can
   * garbage-collect a timer behind `AbortSignal.timeout`/`AbortSignal.any` that nothing else
   * references (nodejs/node#57736), and the deadline is then silently lost; a controller and a
   * timer kept in fields cannot be dropped while the client is in use.
   */
  readonly #deadline = new AbortController();
  readonly #deadlineTimer: NodeJS.Timeout;

  constructor(options: HttpOptions) {
    this.#options = options;
    const expire = (): void => this.#deadline.abort(new DOMException("the run's deadline passed", 'TimeoutError'));
    this.#deadlineTimer = setTimeout(expire, Math.max(0, options.deadlineAt - Date.now()));
    // Sockets and retry waits keep the process alive while there is work; the deadline alone must not.
    this.#deadlineTimer.unref();
    const { signal } = options;
    if (signal?.aborted) this.#deadline.abort(signal.reason);
    else signal?.addEventListener('abort', () => this.#deadline.abort(signal.reason), { once: true });
    prepareUndici();
    // The env proxy agent honours HTTPS_PROXY / HTTP_PROXY / NO_PROXY like curl does.
    this.#agent = new EnvHttpProxyAgentClass({
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connect: { timeout: options.timeoutMs },
    });
    this.#dispatcher = this.#agent.compose(retryInterceptor({ statusCodes: [...RETRY_STATUSES], methods: ['GET'], maxRetries: MAX_ATTEMPTS - 1 }));
  }

  async get(path: string, key: string, query?: Record<string, string>): Promise<HttpResponse> {
    const url = new URL(this.#options.baseUrl + path);
    for (const [name, value] of Object.entries(query ?? {})) url.searchParams.set(name, value);
    const budget = { attempts: 0 };
    // undici's RetryHandler can only resume a body cut off mid-stream with a Range request, which
    // makes no sense for JSON; we decline that in the callback and ask again from the start here.
    for (;;) {
      const outcome = await this.#attempt(url, path, key, budget);
      if (outcome.ok) return outcome.response;
      const decision = this.#decide(budget.attempts, undefined, outcome.code);
      if (!decision.retry) throw this.#failure(path, outcome.error, decision, budget.attempts);
      await sleep(decision.delayMs, this.#signal());
    }
  }

  /** Lets keep-alive sockets go once the report is written, so the process can end at once. */
  close(): Promise<void> {
    clearTimeout(this.#deadlineTimer);
    return this.#agent.close();
  }

  /** Drops requests still in flight, e.g. /credits when /key has already failed the run. */
  destroy(): Promise<void> {
    clearTimeout(this.#deadlineTimer);
    return this.#agent.destroy();
  }

  #signal(): AbortSignal {
    return this.#deadline.signal;
  }

  #decide(attempt: number, status: number | undefined, errorCode: string | undefined, headers?: Headers): RetryDecision {
    return decideRetry({ attempt, status, errorCode, headers, now: Date.now(), deadlineAt: this.#options.deadlineAt });
  }

  async #attempt(
    url: URL,
    path: string,
    key: string,
    budget: { attempts: number },
  ): Promise<{ ok: true; response: HttpResponse } | { ok: false; error: unknown; code: string | undefined }> {
    const signal = this.#signal();
    let responded = false;
    let started = Date.now();
    let lastDecision: RetryDecision | undefined;
    const debug = this.#options.debug;

    const retry = (error: Error, _context: unknown, callback: (result?: Error | null) => void): void => {
      budget.attempts += 1;
      const status = (error as { statusCode?: number }).statusCode;
      const code = status === undefined ? errorCode(error) : undefined;
      if (responded) {
        debug?.(`GET ${path} attempt ${budget.attempts}: body cut off after ${Date.now() - started} ms (${code ?? error.message})`);
        callback(error);
        return;
      }
      const headers = (error as { headers?: Headers }).headers;
      const decision = this.#decide(budget.attempts, status, code, headers);
      lastDecision = decision;
      const what = status !== undefined ? `HTTP ${status}` : (code ?? error.message);
      debug?.(
        `GET ${path} attempt ${budget.attempts}: ${what} after ${Date.now() - started} ms` +
          (decision.retry ? `, retrying in ${decision.delayMs} ms` : ', giving up'),
      );
      if (!decision.retry) {
        callback(error);
        return;
      }
      sleep(decision.delayMs, signal).then(
        () => {
          started = Date.now();
          callback(null);
        },
        (reason: unknown) => callback(reason instanceof Error ? reason : new Error(String(reason))),
      );
    };

    try {
      const response = await request.call(this.#dispatcher, {
        origin: url.origin,
        path: url.pathname + url.search,
        method: 'GET',
        signal,
        headers: { authorization: `Bearer ${key}`, accept: 'application/json', 'user-agent': this.#options.userAgent },
        retryOptions: { retry },
      } as Dispatcher.RequestOptions);
      responded = true;
      const text = await readBody(response.body, this.#options.timeoutMs, path);
      budget.attempts += 1;
      debug?.(`GET ${path} attempt ${budget.attempts}: HTTP ${response.statusCode} after ${Date.now() - started} ms, ${Buffer.byteLength(text)} bytes`);
      return { ok: true, response: { status: response.statusCode, headers: response.headers, text } };
    } catch (error) {
      if (error instanceof CliError) throw error;
      if (!responded) throw this.#failure(path, error, lastDecision, budget.attempts);
      return { ok: false, error, code: errorCode(error) ?? 'UND_ERR_SOCKET' };
    }
  }

  #failure(path: string, error: unknown, decision: RetryDecision | undefined, attempts: number): CliError {
    const { signal } = this.#options;
    if (signal?.aborted) return new CliError('aborted', 'interrupted', { endpoint: path });
    const name = (error as { name?: string } | undefined)?.name;
    if (name === 'TimeoutError' || (name === 'AbortError' && Date.now() >= this.#options.deadlineAt - 50)) {
      return new CliError('timeout', `${path}: no complete answer within the run's deadline; giving up`, { endpoint: path });
    }
    const status = (error as { statusCode?: number } | undefined)?.statusCode;
    const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts`;
    if (status !== undefined) {
      if (decision && !decision.retry && (decision.reason === 'wait-too-long' || decision.reason === 'deadline')) {
        const seconds = Math.ceil(decision.waitMs / 1000);
        const kind = status === 429 ? 'rate-limited' : 'http-status';
        const why = decision.reason === 'wait-too-long' ? 'longer than this tool waits' : "beyond the run's deadline";
        return new CliError(kind, `${path}: HTTP ${status}, and the server asked to wait ${seconds} s before retrying, ${why}; try again later`, {
          endpoint: path,
          status,
        });
      }
      if (status === 429)
        return new CliError('rate-limited', `${path}: still rate-limited (HTTP 429) after ${tries}; try again later`, { endpoint: path, status });
      return new CliError('http-status', `${path}: server error (HTTP ${status}) after ${tries}`, { endpoint: path, status });
    }
    const code = errorCode(error);
    if (code?.includes('TIMEOUT')) return new CliError('timeout', `${path}: timed out (${describeCode(code)}) after ${tries}`, { endpoint: path });
    const message = error instanceof Error ? error.message : String(error);
    return new CliError('network', `${path}: network error (${code ? describeCode(code) : message}) after ${tries}`, { endpoint: path });
  }
}

let prepared = false;

/**
 * undici's package entry installs its API methods on every dispatcher; ProxyAgent tunnels with
 * `connect` from there, so loading the parts alone means installing the two that are used.
 *
 * undici parses HTTP with llhttp compiled to WebAssembly, and V8 goes on optimising that module on
 * background threads after the report is done, holding the exit for 25 to 65 ms (Node 20 to 24).
 * Its baseline code parses a few small responses just as fast, so tier-up is switched off before
 * the first connection compiles the module. `--liftoff-only` did the same on Node 20 and 22 but
 * not on 24; a tiering budget no module reaches works on all three (measured by `npm run bench`).
 */
function prepareUndici(): void {
  if (prepared) return;
  prepared = true;
  Object.assign(DispatcherBase.prototype, { request, connect });
  setFlagsFromString('--wasm-tiering-budget=2147483647');
}

function errorCode(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  let current: unknown = error;
  // Connection errors arrive wrapped (TypeError → cause → SystemError); the code sits inside.
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_REQ_RETRY') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

const CODE_TEXT: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  UND_ERR_SOCKET: 'connection closed early',
  UND_ERR_CLOSED: 'connection closed',
  UND_ERR_CONNECT_TIMEOUT: 'connect timeout',
  UND_ERR_HEADERS_TIMEOUT: 'no response',
  UND_ERR_BODY_TIMEOUT: 'body stalled',
  UND_ERR_ATTEMPT_TIMEOUT: 'response too slow',
};

function describeCode(code: string): string {
  return CODE_TEXT[code] ?? code;
}

async function readBody(body: Dispatcher.ResponseData['body'], timeoutMs: number, path: string): Promise<string> {
  // bodyTimeout only bounds the gap between chunks; a body dripped byte by byte needs a bound on the whole.
  const timer = setTimeout(() => {
    const error = new Error('body took too long') as Error & { code: string };
    error.code = 'UND_ERR_ATTEMPT_TIMEOUT';
    body.destroy(error);
  }, timeoutMs);
  try {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of body) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) {
        throw new CliError('invalid-response', `${path}: response larger than ${MAX_BODY_BYTES / 1024 / 1024} MiB; refusing to read it`, { endpoint: path });
      }
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(asError(signal.reason));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(asError(signal.reason));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
