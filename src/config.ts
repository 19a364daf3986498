import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { parse } from 'dotenv';
import { CliError } from './errors.js';

export const DEFAULT_BASE_URL = 'https://openrouter.ai/api/v1';
export const KEY_NAMES = ['OPENROUTER_API_KEY', 'OPENROUTER_MGMT_KEY'] as const;
type KeyName = (typeof KEY_NAMES)[number];

export interface ResolvedKey {
  value: string;
  /** Where it came from, for messages: `environment` or a file path. */
  source: string;
}

export interface Credentials {
  apiKey: ResolvedKey;
  mgmtKey: ResolvedKey | undefined;
  /** One line each, for stderr: e.g. a credentials file others can read. */
  warnings: string[];
}

export interface CredentialSources {
  env: NodeJS.ProcessEnv;
  cwd: string;
  credentialsFile?: string | undefined;
}

/** The files searched, in order of precedence, after the environment. */
function credentialFiles({ env, cwd, credentialsFile }: CredentialSources): { path: string; explicit: boolean }[] {
  const configHome = env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : join(env.HOME || homedir(), '.config');
  const files = [
    { path: join(cwd, 'credentials.env'), explicit: false },
    { path: join(configHome, 'openrouter-usage', 'credentials.env'), explicit: false },
  ];
  if (credentialsFile) files.unshift({ path: resolve(cwd, credentialsFile), explicit: true });
  return files;
}

export interface FoundKeys {
  apiKey: ResolvedKey | undefined;
  mgmtKey: ResolvedKey | undefined;
  warnings: string[];
  /** Every place looked in, for a message that says where a missing key could go. */
  places: string[];
}

/**
 * Each key comes from the first place that has it: the environment, then the files.
 * Files are parsed, never loaded into process.env: other variables in them stay out of this process.
 */
export function findKeys(sources: CredentialSources): FoundKeys {
  const found: Partial<Record<KeyName, ResolvedKey>> = {};
  const warnings: string[] = [];
  for (const name of KEY_NAMES) {
    const value = sources.env[name]?.trim();
    if (value) found[name] = { value, source: 'environment' };
  }

  const files = credentialFiles(sources);
  for (const file of files) {
    if (!file.explicit && KEY_NAMES.every((name) => found[name])) break;
    const parsed = readCredentialFile(file.path, file.explicit);
    if (!parsed) continue;
    let used = false;
    for (const name of KEY_NAMES) {
      const value = parsed.values[name]?.trim();
      if (value && !found[name]) {
        found[name] = { value, source: file.path };
        used = true;
      }
    }
    if (used && parsed.looseMode !== undefined) {
      warnings.push(
        `warning: ${file.path} is accessible by group or others (mode ${parsed.looseMode}); keys belong in a file only you can read: chmod 600 ${shellQuote(file.path)}`,
      );
    }
  }
  const places = ['the environment', ...files.map((f) => f.path)];
  return { apiKey: found.OPENROUTER_API_KEY, mgmtKey: found.OPENROUTER_MGMT_KEY, warnings, places };
}

/** The report needs OPENROUTER_API_KEY; without it, say where it was looked for. */
export function resolveCredentials(sources: CredentialSources): Credentials {
  const { apiKey, mgmtKey, warnings, places } = findKeys(sources);
  if (!apiKey) {
    // A management key alone can still list keys; say so rather than leave its owner guessing.
    const hint = mgmtKey ? '; OPENROUTER_MGMT_KEY is set, and `openrouter-usage keys` works with it alone' : ' (or try --demo)';
    throw new CliError('config', `OPENROUTER_API_KEY is not set; looked in ${places.join(', ')}${hint}`);
  }
  return { apiKey, mgmtKey, warnings };
}

function readCredentialFile(path: string, explicit: boolean): { values: Record<string, string>; looseMode?: string } | undefined {
  let text: string;
  let mode: number;
  try {
    mode = statSync(path).mode;
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (!explicit && (code === 'ENOENT' || code === 'ENOTDIR')) return undefined;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (code ?? 'unreadable');
    throw new CliError('config', `cannot read credentials file ${path}: ${reason}`);
  }
  const values = parse(text);
  // Like ssh: a key file that group or others may read deserves a warning, not a refusal.
  const loose = (mode & 0o077) !== 0;
  return loose ? { values, looseMode: (mode & 0o777).toString(8).padStart(4, '0') } : { values };
}

function shellQuote(path: string): string {
  return /^[\w./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}

/**
 * Keys must never travel unencrypted, so plain http is only allowed to this machine
 * (the test stand-in, a local proxy of the user's own).
 */
export function validateBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError('usage', `invalid base URL: ${raw}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new CliError('usage', `base URL must be https: ${raw}`);
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new CliError('usage', `refusing plain http base URL ${url.origin}: keys would travel unencrypted (use https, or http only to localhost)`);
  }
  if (url.username || url.password) {
    throw new CliError('usage', 'base URL must not contain credentials');
  }
  return url.href.replace(/\/+$/, '');
}

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host === '[::1]') return true;
  const parts = host.split('.');
  return parts.length === 4 && parts[0] === '127' && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}
