// Runs the CLI with a clean environment: only PATH, a fresh HOME, a fresh XDG_CONFIG_HOME and a
// fresh cwd, so no real credentials are read. `runCli` drives the entry in-process (runCli(argv, io)
// from src/cli.ts, with captured streams and the clock a test chose); `spawnCli` starts the built
// bin as a real process, for what only a process can show (signals, EPIPE, start-up, the package).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { runCli as runEntry, type Io } from '../src/cli.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'openrouter-usage.js');

export interface Sandbox {
  root: string;
  home: string;
  xdgConfigHome: string;
  cwd: string;
  cleanup(): Promise<void>;
}

/** Fresh, empty HOME, XDG_CONFIG_HOME and cwd under one temp dir. */
export async function makeSandbox(): Promise<Sandbox> {
  const root = await mkdtemp(join(tmpdir(), 'openrouter-usage-e2e-'));
  const home = join(root, 'home');
  const xdgConfigHome = join(root, 'xdg');
  const cwd = join(root, 'cwd');
  await Promise.all([mkdir(home), mkdir(xdgConfigHome), mkdir(cwd)]);
  return { root, home, xdgConfigHome, cwd, cleanup: () => rm(root, { recursive: true, force: true }) };
}

export interface RunOptions {
  /** Extra variables on top of PATH, HOME, XDG_CONFIG_HOME. */
  env?: Record<string, string>;
  /** Use this sandbox (e.g. with credential files in it) instead of a throw-away one. */
  sandbox?: Sandbox;
  /** Kill the child (in-process: abort the run) after this long (the result then has timedOut: true). */
  killAfterMs?: number;
  /** In-process only: stdout is a terminal this many columns wide. */
  terminal?: { columns: number };
  /** In-process only: the clock stands still at FAKE_CLOCK_NOW (for output compared to the millisecond). */
  frozenClock?: boolean;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
}

function sandboxEnv(sandbox: Sandbox, extra: Record<string, string> | undefined): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: sandbox.home, XDG_CONFIG_HOME: sandbox.xdgConfigHome, ...extra };
}

/**
 * Minutes a named zone is ahead of UTC at a moment, read through Intl: the in-process stand-in for
 * the process's own zone, which a real run takes from TZ. No zone, or a name Intl does not know: UTC.
 */
export function zoneOffset(timeZone: string | undefined): (at: Date) => number {
  if (!timeZone) return () => 0;
  return (at) => {
    let parts: Intl.DateTimeFormatPart[];
    try {
      parts = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
      }).formatToParts(at);
    } catch {
      return 0;
    }
    const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
    const wall = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'));
    return Math.round((wall - Math.floor(at.getTime() / 60_000) * 60_000) / 60_000);
  };
}

/** chalk's rule for FORCE_COLOR, for runs whose stdout is no terminal. */
function forcedColorLevel(value: string | undefined): number {
  if (value === undefined || value === 'false' || value === '0') return 0;
  if (value === '' || value === 'true') return 1;
  return Math.min(3, Math.max(0, Number.parseInt(value, 10) || 0));
}

/**
 * The CLI in this process: the same entry the bin calls, given captured streams. `FAKE_CLOCK_NOW`
 * (ISO) in the env sets the day the run sees, as test/fake-clock.mjs does for a real process.
 */
export async function runCli(args: string[], opts: RunOptions = {}): Promise<CliResult> {
  const sandbox = opts.sandbox ?? (await makeSandbox());
  const env = sandboxEnv(sandbox, opts.env);
  const target = Date.parse(env.FAKE_CLOCK_NOW ?? '');
  const offset = Number.isFinite(target) ? target - Date.now() : 0;
  let stdout = '';
  let stderr = '';
  const capture = (append: (text: string) => void): Io['stdout'] => ({
    write(text: string, callback?: (error?: Error | null) => void): boolean {
      append(text);
      callback?.();
      return true;
    },
  });
  const controller = new AbortController();
  let timedOut = false;
  const killer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error('killed by the test'));
  }, opts.killAfterMs ?? 25_000);
  const t0 = performance.now();
  try {
    const code = await runEntry(args, {
      stdout: capture((t) => (stdout += t)),
      stderr: capture((t) => (stderr += t)),
      env,
      cwd: sandbox.cwd,
      now: opts.frozenClock && Number.isFinite(target) ? () => target : () => Date.now() + offset,
      timer: () => performance.now(),
      home: sandbox.home,
      utcOffset: zoneOffset(env.TZ),
      isTTY: opts.terminal !== undefined,
      columns: opts.terminal?.columns,
      signal: controller.signal,
      colorLevel: () => Promise.resolve(forcedColorLevel(env.FORCE_COLOR)),
      uid: process.getuid?.(),
    });
    return { code, signal: null, stdout, stderr, ms: performance.now() - t0, timedOut };
  } finally {
    clearTimeout(killer);
    if (!opts.sandbox) await sandbox.cleanup();
  }
}

/** The built bin as a child process. */
export async function spawnCli(args: string[], opts: RunOptions = {}): Promise<CliResult> {
  if (!existsSync(BIN) || !existsSync(join(ROOT, 'dist'))) {
    throw new Error(`The CLI is not built (${BIN} or dist/ missing): run \`npm run build\` first.`);
  }
  const sandbox = opts.sandbox ?? (await makeSandbox());
  try {
    const env = sandboxEnv(sandbox, opts.env);
    return await new Promise<CliResult>((resolve, reject) => {
      const t0 = performance.now();
      const child = spawn(process.execPath, [BIN, ...args], {
        cwd: sandbox.cwd,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const killer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, opts.killAfterMs ?? 25_000);
      child.on('error', (e) => {
        clearTimeout(killer);
        reject(e);
      });
      child.on('close', (code, signal) => {
        clearTimeout(killer);
        resolve({ code, signal, stdout, stderr, ms: performance.now() - t0, timedOut });
      });
    });
  } finally {
    if (!opts.sandbox) await sandbox.cleanup();
  }
}

/** What every run must satisfy, whatever it tested: dist/ intact, not hung, no key, no stack trace. */
export function expectCleanRun(res: CliResult, secrets: string[]): void {
  expect(res.stderr, 'dist/ changed under the run: was it rebuilt while tests ran?').not.toMatch(/Cannot find module '[^']*\/dist\//);
  expect(res.timedOut, `CLI killed after ${Math.round(res.ms)} ms; stderr: ${res.stderr}`).toBe(false);
  expect(leakedPieces(`${res.stdout}\n${res.stderr}`, secrets), 'key material in the output').toEqual([]);
  expect(res.stdout + res.stderr, 'stack trace in the output').not.toMatch(/^ {4}at /m);
}

/** Every `len`-char window of each secret that shows up in `text`. */
export function leakedPieces(text: string, secrets: string[], len = 12): string[] {
  const found: string[] = [];
  for (const secret of secrets) {
    for (let i = 0; i + len <= secret.length; i++) {
      const piece = secret.slice(i, i + len);
      if (text.includes(piece)) found.push(piece);
    }
  }
  return found;
}

/** Non-empty lines of a stream, without the trailing newline. */
export function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '');
}

// eslint-disable-next-line no-control-regex
export const ANSI = /\u001b\[/;
