// Runs the built CLI (bin/openrouter-usage.js) as a child process with a clean environment:
// only PATH, a fresh HOME, a fresh XDG_CONFIG_HOME and a fresh cwd, so no real credentials are read.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

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
  /** Kill the child after this long (the result then has timedOut: true). */
  killAfterMs?: number;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
}

export async function runCli(args: string[], opts: RunOptions = {}): Promise<CliResult> {
  if (!existsSync(BIN) || !existsSync(join(ROOT, 'dist'))) {
    throw new Error(`The CLI is not built (${BIN} or dist/ missing): run \`npm run build\` first.`);
  }
  const sandbox = opts.sandbox ?? (await makeSandbox());
  try {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: sandbox.home,
      XDG_CONFIG_HOME: sandbox.xdgConfigHome,
      ...opts.env,
    };
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
