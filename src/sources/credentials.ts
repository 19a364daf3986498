import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parse } from 'dotenv';
import { CliError } from '../base/errors.js';

export const KEY_NAMES = ['OPENROUTER_API_KEY', 'OPENROUTER_MGMT_KEY'] as const;
type KeyName = (typeof KEY_NAMES)[number];

export interface ResolvedKey {
  value: string;
  /** Where it came from, for messages: `environment` or a file path. */
  source: string;
}

export interface Credentials {
  /** Undefined when a management key alone is configured: it then serves every account-wide figure. */
  apiKey: ResolvedKey | undefined;
  mgmtKey: ResolvedKey | undefined;
  /** One line each, for stderr: e.g. a credentials file others can read. */
  warnings: string[];
}

export interface CredentialSources {
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** The user's home directory (io.home), where HOME does not say. */
  home: string;
  /** `--credentials-file <path>`: searched first, and an error if it cannot be used. */
  credentialsFile?: string | undefined;
}

/** The files searched, in order of precedence, after the environment. */
function credentialFiles({ env, cwd, home, credentialsFile }: CredentialSources): { path: string; explicit: boolean }[] {
  const configHome = env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : join(env.HOME || home, '.config');
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
 * A default file that cannot be used (a directory, a FIFO, unreadable, too large) is a warning and
 * is skipped, since the keys may well be elsewhere; the file named on the command line is an error.
 */
export function findKeys(sources: CredentialSources): FoundKeys {
  const found: Partial<Record<KeyName, ResolvedKey>> = {};
  const warnings: string[] = [];
  for (const name of KEY_NAMES) {
    const value = sources.env[name]?.trim();
    if (value) found[name] = { value, source: 'environment' };
  }

  const files = credentialFiles(sources);
  const places = ['the environment'];
  for (const file of files) {
    if (!file.explicit && KEY_NAMES.every((name) => found[name])) {
      places.push(file.path);
      continue;
    }
    const read = readCredentialFile(file.path);
    if (read.status === 'missing' && !file.explicit) {
      places.push(file.path);
      continue;
    }
    if (read.status !== 'ok') {
      const reason = read.status === 'missing' ? 'no such file' : read.reason;
      if (file.explicit) throw new CliError('config', `cannot read credentials file ${file.path}: ${reason}`);
      warnings.push(`warning: ignoring credentials file ${file.path}: ${reason}`);
      places.push(`${file.path} (ignored: ${reason})`);
      continue;
    }
    places.push(file.path);
    let used = false;
    for (const name of KEY_NAMES) {
      const value = read.values[name]?.trim();
      if (value && !found[name]) {
        found[name] = { value, source: file.path };
        used = true;
      }
    }
    if (used && read.looseMode !== undefined) {
      warnings.push(
        `warning: ${file.path} is accessible by group or others (mode ${read.looseMode}); keys belong in a file only you can read: chmod 600 ${shellQuote(file.path)}`,
      );
    }
  }
  for (const name of KEY_NAMES) {
    const key = found[name];
    if (key && !isHeaderSafe(key.value)) {
      // Said here, as a configuration error, rather than by the HTTP layer as a network failure; the value is never echoed.
      const where = key.source === 'environment' ? 'the environment' : key.source;
      throw new CliError('config', `${name} contains a character an HTTP header cannot carry (in ${where}); a key is printable ASCII without spaces`);
    }
  }
  return { apiKey: found.OPENROUTER_API_KEY, mgmtKey: found.OPENROUTER_MGMT_KEY, warnings, places };
}

/** A key travels in `Authorization: Bearer <key>`: visible ASCII only (RFC 9110 token68 is narrower still). */
export function isHeaderSafe(value: string): boolean {
  return /^[\x21-\x7e]+$/.test(value);
}

/**
 * The report needs a key: OPENROUTER_API_KEY, or a management key alone (in either variable), which
 * gives every account-wide figure. Without any, say where they were looked for.
 */
export function resolveCredentials(sources: CredentialSources): Credentials {
  const { apiKey, mgmtKey, warnings, places } = findKeys(sources);
  if (!apiKey && !mgmtKey) {
    throw new CliError('config', `OPENROUTER_API_KEY is not set; looked in ${places.join(', ')} (or try --demo)`);
  }
  return { apiKey, mgmtKey, warnings };
}

/** A credentials file is a few lines; anything larger is not one. */
export const MAX_CREDENTIALS_BYTES = 64 * 1024;

type CredentialFile = { status: 'ok'; values: Record<string, string>; looseMode?: string } | { status: 'missing' } | { status: 'unusable'; reason: string };

/**
 * Opened with O_NONBLOCK, so a FIFO cannot hold the run past its deadline, then judged by fstat of
 * the open descriptor (no window to swap the file): only a regular file of at most 64 KiB is read,
 * never a device such as /dev/zero. Following a link to a regular file is fine.
 */
function readCredentialFile(path: string): CredentialFile {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { status: 'missing' };
    return { status: 'unusable', reason: describeOpenError(code) };
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return { status: 'unusable', reason: describeKind(stats) };
    if (stats.size > MAX_CREDENTIALS_BYTES) return { status: 'unusable', reason: 'larger than 64 KiB, so not a credentials file' };
    const buffer = Buffer.alloc(MAX_CREDENTIALS_BYTES + 1);
    let length = 0;
    for (let read = -1; read !== 0 && length < buffer.length; length += read) read = readSync(fd, buffer, length, buffer.length - length, null);
    if (length > MAX_CREDENTIALS_BYTES) return { status: 'unusable', reason: 'larger than 64 KiB, so not a credentials file' };
    const values = parse(buffer.subarray(0, length));
    // Like ssh: a key file that group or others may read deserves a warning, not a refusal.
    const loose = (stats.mode & 0o077) !== 0;
    return loose ? { status: 'ok', values, looseMode: (stats.mode & 0o777).toString(8).padStart(4, '0') } : { status: 'ok', values };
  } catch (error) {
    return { status: 'unusable', reason: describeOpenError((error as NodeJS.ErrnoException).code) };
  } finally {
    closeSync(fd);
  }
}

function describeOpenError(code: string | undefined): string {
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'ELOOP') return 'too many levels of symbolic links';
  return code ?? 'unreadable';
}

function describeKind(stats: Stats): string {
  if (stats.isDirectory()) return 'is a directory';
  if (stats.isFIFO()) return 'is a FIFO (named pipe), not a regular file';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'is a device, not a regular file';
  if (stats.isSocket()) return 'is a socket, not a regular file';
  return 'not a regular file';
}

function shellQuote(path: string): string {
  return /^[\w./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}
