import type { LookupAddress } from 'node:dns';
import { setMaxListeners } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import type { Dispatcher } from 'undici';
import connect from 'undici/lib/api/api-connect.js';
import request from 'undici/lib/api/api-request.js';
import AgentClass from 'undici/lib/dispatcher/agent.js';
import DispatcherBase from 'undici/lib/dispatcher/dispatcher.js';
import EnvHttpProxyAgentClass from 'undici/lib/dispatcher/env-http-proxy-agent.js';
import PoolClass from 'undici/lib/dispatcher/pool.js';
import { loopbackAddress } from './base-url.js';
import { CliError } from '../base/errors.js';
import { decideRetry, RETRY_STATUSES, type Headers, type RetryDecision } from './retry-policy.js';

/** A body larger than this is not an OpenRouter answer; stop reading rather than fill memory. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** Proxy settings, as the run's environment gives them ('' for none): never read from the process. */
export interface ProxySettings {
  httpProxy: string;
  httpsProxy: string;
  noProxy: string;
}

/** Listeners the run's signal may hold: two per request in flight, with room for a large account. */
const MAX_IN_FLIGHT_LISTENERS = 200;

export interface HttpOptions {
  baseUrl: string;
  /** Per attempt: connecting, waiting for headers, and reading the body each get this long. */
  timeoutMs: number;
  /** The moment, on `clock.timer`, by which every request of the run must be over. */
  deadlineAt: number;
  /** io's clocks: `now` (wall time, for a server's Retry-After date) and `timer` (monotonic, for every duration). */
  clock: { now(): number; timer(): number };
  /** Aborts everything in flight (Ctrl-C). */
  signal?: AbortSignal | undefined;
  /** Receives one line per attempt, for --debug. Never given a key. */
  debug?: ((line: string) => void) | undefined;
  userAgent: string;
  /** HTTPS_PROXY / HTTP_PROXY / NO_PROXY; a loopback base URL never goes through a proxy. */
  proxy?: ProxySettings | undefined;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
}

/** How one attempt ended: an answer to hand back, or a failure to judge (retry, or give up with it). */
type Attempt = { ok: true; response: HttpResponse } | { ok: false; error: unknown; status?: number; headers?: Headers };

/**
 * A JSON client for one base URL: GET, and POST for the analytics query. Any HTTP status that is
 * not worth retrying (200, 401, 403, 404...) resolves, so the caller can read the error body; retryable failures
 * that outlast the policy reject with a CliError.
 *
 * Retries are this class's own loop, one attempt at a time, each counted, whatever failed: a
 * refused or dropped connection (a proxy that accepts and hangs up), a status worth retrying, or a
 * body cut off. undici's retry interceptor is not used: it crashed on an informational response
 * (103 Early Hints) before the 200, and would resume a cut-off JSON body with Range requests.
 */
/** What the endpoints need of an HTTP client: tests may hand in their own. */
export interface HttpClient {
  get(path: string, key: string, query?: Record<string, string>): Promise<HttpResponse>;
  post(path: string, key: string, body: unknown): Promise<HttpResponse>;
  /** Lets idle sockets go once the answers are in. */
  close(): Promise<void>;
  /** Drops every socket at once (after a failure). */
  destroy(): Promise<void>;
}

export class UndiciHttpClient implements HttpClient {
  readonly #options: HttpOptions;
  readonly #agent: Dispatcher;
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
    this.#deadlineTimer = setTimeout(expire, Math.max(0, options.deadlineAt - options.clock.timer()));
    // Sockets and retry waits keep the process alive while there is work; the deadline alone must not.
    this.#deadlineTimer.unref();
    // Every request in flight listens on the run's one signal (undici, and the wait for an answer):
    // /key, /credits, /activity, every workspace's /keys and analytics' discovery and queries go
    // together, past Node's default of 10 listeners, which would print a leak warning on stderr.
    setMaxListeners(MAX_IN_FLIGHT_LISTENERS, this.#deadline.signal);
    const { signal } = options;
    if (signal?.aborted) this.#deadline.abort(signal.reason);
    else signal?.addEventListener('abort', () => this.#deadline.abort(signal.reason), { once: true });
    prepareUndici();
    const timeouts = { headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs };
    if (loopbackAddress(new URL(options.baseUrl).hostname) !== undefined) {
      // This machine: never through a proxy (a plain-http key would cross it in clear), and
      // `localhost` pinned to its loopback address rather than asked of whatever resolver is set up.
      this.#agent = new AgentClass({ ...timeouts, connect: { timeout: options.timeoutMs, lookup: loopbackLookup } });
    } else {
      // Honours HTTPS_PROXY / HTTP_PROXY / NO_PROXY like curl does, from the run's environment.
      const proxy = options.proxy ?? { httpProxy: '', httpsProxy: '', noProxy: '' };
      this.#agent = new EnvHttpProxyAgentClass({ ...timeouts, connect: { timeout: options.timeoutMs }, ...proxy, clientFactory: proxyClient(timeouts) });
    }
  }

  get(path: string, key: string, query?: Record<string, string>): Promise<HttpResponse> {
    const url = new URL(this.#options.baseUrl + path);
    for (const [name, value] of Object.entries(query ?? {})) url.searchParams.set(name, value);
    return this.#send('GET', url, path, key, undefined);
  }

  /**
   * POSTs `body` as JSON under the same retry loop as GET (408, 429 and 5xx retried, Retry-After
   * honoured, one deadline). Only for requests that are safe to repeat: the analytics query is
   * idempotent (it reads, and the same body asks the same question), so a retry cannot do harm.
   */
  post(path: string, key: string, body: unknown): Promise<HttpResponse> {
    return this.#send('POST', new URL(this.#options.baseUrl + path), path, key, JSON.stringify(body));
  }

  async #send(method: 'GET' | 'POST', url: URL, path: string, key: string, body: string | undefined): Promise<HttpResponse> {
    const debug = this.#options.debug;
    for (let attempt = 1; ; attempt++) {
      const { clock } = this.#options;
      const started = clock.timer();
      const outcome = await this.#attempt(method, url, path, key, body);
      const elapsed = Math.round(clock.timer() - started);
      if (outcome.ok) {
        debug?.(`${method} ${path} attempt ${attempt}: HTTP ${outcome.response.status} after ${elapsed} ms, ${Buffer.byteLength(outcome.response.text)} bytes`);
        return outcome.response;
      }
      if (this.#deadline.signal.aborted) throw this.#failure(path, this.#deadline.signal.reason, undefined, undefined, attempt);
      const code = outcome.status === undefined ? errorCode(outcome.error) : undefined;
      const decision = decideRetry({
        attempt,
        status: outcome.status,
        errorCode: code,
        headers: outcome.headers,
        // The policy reads a server's dates on the wall clock: the deadline is put on it too.
        now: clock.now(),
        deadlineAt: clock.now() + (this.#options.deadlineAt - clock.timer()),
      });
      const what = outcome.status !== undefined ? `HTTP ${outcome.status}` : (code ?? errorMessage(outcome.error));
      debug?.(`${method} ${path} attempt ${attempt}: ${what} after ${elapsed} ms` + (decision.retry ? `, retrying in ${decision.delayMs} ms` : ', giving up'));
      if (!decision.retry) throw this.#failure(path, outcome.error, outcome.status, decision, attempt);
      try {
        await sleep(decision.delayMs, this.#deadline.signal);
      } catch (reason) {
        throw this.#failure(path, reason, undefined, undefined, attempt);
      }
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

  async #attempt(method: 'GET' | 'POST', url: URL, path: string, key: string, body: string | undefined): Promise<Attempt> {
    let response: Dispatcher.ResponseData;
    try {
      response = await untilAborted(
        request.call(this.#agent, {
          origin: url.origin,
          path: url.pathname + url.search,
          method,
          signal: this.#deadline.signal,
          headers: {
            authorization: `Bearer ${key}`,
            accept: 'application/json',
            'user-agent': this.#options.userAgent,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body }),
        }),
        this.#deadline.signal,
      );
    } catch (error) {
      return { ok: false, error };
    }
    const { statusCode: status, headers } = response;
    if (RETRY_STATUSES.includes(status)) {
      // Worth another try (or, after the last, a failure that names the status): the body is not needed.
      response.body.on('error', () => undefined).destroy();
      return { ok: false, error: undefined, status, headers };
    }
    try {
      const text = await readBody(response.body, this.#options.timeoutMs, path);
      return { ok: true, response: { status, headers, text } };
    } catch (error) {
      if (error instanceof CliError) throw error;
      // Cut off mid-body: asked again from the start, as a connection failure.
      return { ok: false, error: errorCode(error) ? error : Object.assign(new Error('body cut off'), { code: 'UND_ERR_SOCKET', cause: error }) };
    }
  }

  #failure(path: string, error: unknown, status: number | undefined, decision: RetryDecision | undefined, attempts: number): CliError {
    const { signal } = this.#options;
    if (signal?.aborted) return new CliError('aborted', 'interrupted', { endpoint: path });
    const name = (error as { name?: string } | undefined)?.name;
    if (name === 'TimeoutError' || (name === 'AbortError' && this.#options.clock.timer() >= this.#options.deadlineAt - 50)) {
      return new CliError('timeout', `${path}: no complete answer within the run's deadline; giving up`, { endpoint: path });
    }
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
    return new CliError('network', `${path}: network error (${code ? describeCode(code) : errorMessage(error)}) after ${tries}`, { endpoint: path });
  }
}

/**
 * The connection pool to a proxy, with two changes. A CONNECT the proxy hangs up on fails the
 * request as `UND_ERR_PROXY`: undici reports it as a socket error, which its client takes for a
 * recoverable one and answers by connecting again at once, forever (tens of thousands of
 * connections in seconds, deaf to the deadline and Ctrl-C); as a failure of its own, it is one
 * attempt of our retry loop. And a CONNECT gets the same per-attempt timeouts as a request, where
 * undici's default would wait 300 s for a proxy that never answers.
 */
function proxyClient(timeouts: { headersTimeout: number; bodyTimeout: number }): (origin: URL, options: object) => Dispatcher {
  return (origin, options) => {
    const pool = new PoolClass(origin, { ...options, ...timeouts });
    const connect = pool.connect.bind(pool);
    Object.assign(pool, {
      connect: async (params: Dispatcher.ConnectOptions) => {
        try {
          return await connect(params);
        } catch (error) {
          const code = errorCode(error);
          if (code === undefined || code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CLOSED') {
            throw Object.assign(new Error('the proxy closed the connection', { cause: error }), { code: 'UND_ERR_PROXY' });
          }
          throw error;
        }
      },
    });
    return pool;
  };
}

/**
 * undici settles an aborted request only once it has a connection; one stuck before that (a proxy
 * that never answers) would outlive the deadline and Ctrl-C. The attempt ends when the signal says
 * so, whatever undici is still waiting for (the client is destroyed with the run).
 */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(asError(signal.reason));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(asError(signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** `localhost` is this machine: answered here, never by a resolver (see base-url.ts, loopbackAddress). */
function loopbackLookup(
  hostname: string,
  options: { all?: boolean | undefined },
  callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
): void {
  const address = loopbackAddress(hostname) ?? '127.0.0.1';
  const family = address.includes(':') ? 6 : 4;
  if (options.all) callback(null, [{ address, family }]);
  else callback(null, address, family);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
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
  UND_ERR_PROXY: 'the proxy closed the connection',
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
