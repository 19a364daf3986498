/**
 * Every expected failure is a CliError value: one line for stderr and an exit code.
 * The codes are part of the public contract (README, --help), so change them never.
 */
export const ExitCode = {
  ok: 0,
  internal: 1,
  usage: 2,
  keyRejected: 3,
  rateLimited: 4,
  network: 5,
  invalidResponse: 6,
  /** The report was printed, and a --min-balance / --max-* threshold was crossed. */
  thresholdCrossed: 7,
  /** Ctrl-C: 128 + SIGINT, as shells report it. */
  interrupted: 130,
} as const;

export const FAILURE_KINDS = [
  'usage',
  'config',
  'key-rejected',
  'rate-limited',
  'network',
  'timeout',
  'http-status',
  'invalid-response',
  'aborted',
  'internal',
] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

const exitCodes: Record<FailureKind, number> = {
  usage: ExitCode.usage,
  config: ExitCode.usage,
  'key-rejected': ExitCode.keyRejected,
  'rate-limited': ExitCode.rateLimited,
  network: ExitCode.network,
  timeout: ExitCode.network,
  'http-status': ExitCode.network,
  'invalid-response': ExitCode.invalidResponse,
  aborted: ExitCode.interrupted,
  internal: ExitCode.internal,
};

export interface CliErrorDetails {
  /** API path the failure came from, e.g. `/key`. */
  endpoint?: string;
  /** HTTP status, when the server answered. */
  status?: number;
}

/** A failure as plain data, for the parts of a report that could not be had. */
export interface Failure {
  readonly kind: FailureKind;
  readonly message: string;
  readonly endpoint?: string | undefined;
  readonly status?: number | undefined;
  readonly exitCode: number;
}

export class CliError extends Error implements Failure {
  readonly kind: FailureKind;
  readonly endpoint: string | undefined;
  readonly status: number | undefined;

  constructor(kind: FailureKind, message: string, details: CliErrorDetails = {}) {
    super(message);
    this.name = 'CliError';
    this.kind = kind;
    this.endpoint = details.endpoint;
    this.status = details.status;
  }

  get exitCode(): number {
    return exitCodes[this.kind];
  }
}

/** Turns anything thrown into a CliError; unknown throwables are internal errors (exit 1). */
export function toCliError(value: unknown): CliError {
  if (value instanceof CliError) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new CliError('internal', `internal error: ${message}`);
}

/** A failure as plain data (an Error's message and exitCode do not survive JSON), for the cache and the report. */
export function plainFailure(error: Failure): Failure {
  return {
    kind: error.kind,
    message: error.message,
    ...(error.endpoint === undefined ? {} : { endpoint: error.endpoint }),
    ...(error.status === undefined ? {} : { status: error.status }),
    exitCode: error.exitCode,
  };
}
