import { InvalidArgumentError } from 'commander';

/** What the command line asked for, after commander has parsed and checked it. */
export interface CliOptions {
  json?: boolean | undefined;
  days: number;
  top: number;
  timeout: number;
  deadline: number;
  baseUrl?: string | undefined;
  envFile?: string | undefined;
  color: boolean;
  demo?: boolean | undefined;
  debug?: boolean | undefined;
}

export function integerIn(min: number, max: number): (value: string) => number {
  return (value) => {
    if (!/^\s*\d+\s*$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new InvalidArgumentError(max === Number.MAX_SAFE_INTEGER ? `expected a whole number of at least ${min}` : `expected a whole number from ${min} to ${max}`);
    }
    return Number(value);
  };
}

export function secondsIn(min: number, max: number): (value: string) => number {
  return (value) => {
    if (!/^\s*\d+(\.\d+)?\s*$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new InvalidArgumentError(`expected seconds from ${min} to ${max}`);
    }
    return Number(value);
  };
}
