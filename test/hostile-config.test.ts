// Issue 13, points 5, 10 and 15: no credentials file can hang a run or stop one that does not need
// it, a key a header cannot carry is a configuration error, and loopback means this machine only.
import { spawn, execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { isLoopbackBaseUrl, isLoopbackHost, loopbackAddress, validateBaseUrl } from '../src/api/base-url.js';
import { findKeys, isHeaderSafe, MAX_CREDENTIALS_BYTES, resolveCredentials } from '../src/sources/credentials.js';
import { CliError } from '../src/base/errors.js';

const posix = process.platform !== 'win32';
let dir: string;
let cwd: string;
let configHome: string;
const children: ReturnType<typeof spawn>[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'oru-hostile-config-'));
  cwd = join(dir, 'project');
  configHome = join(dir, 'xdg');
  mkdirSync(cwd);
  mkdirSync(join(configHome, 'openrouter-usage'), { recursive: true });
});

afterEach(() => {
  for (const child of children.splice(0)) child.kill();
});

const env = (extra: Record<string, string> = {}) => ({ HOME: dir, XDG_CONFIG_HOME: configHome, ...extra });
const defaultFile = () => join(cwd, 'credentials.env');

function configError(run: () => unknown): CliError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).kind).toBe('config');
    expect((error as CliError).exitCode).toBe(2);
    return error as CliError;
  }
  throw new Error('expected a configuration error');
}

/**
 * A FIFO, and a guard: should the code under test ever open it blocking, a writer arrives after
 * 3 s to release it, so the test fails on time instead of hanging the worker.
 */
function fifo(path: string): string {
  execFileSync('mkfifo', [path]);
  const guard = spawn('sh', ['-c', 'sleep 3; exec 3>"$1"', 'guard', path], { stdio: 'ignore' });
  children.push(guard);
  return path;
}

function timed<T>(run: () => T): { value: T; ms: number } {
  const started = performance.now();
  const value = run();
  return { value, ms: performance.now() - started };
}

describe.skipIf(!posix)('credentials files that are not files', () => {
  test('a FIFO at ./credentials.env, keys in the environment: a warning, at once', () => {
    fifo(defaultFile());
    const { value, ms } = timed(() => findKeys({ env: env({ OPENROUTER_API_KEY: 'sk-or-v1-env' }), cwd, home: '/nonexistent-home' }));
    expect(ms).toBeLessThan(1000);
    expect(value.apiKey?.value).toBe('sk-or-v1-env');
    expect(value.warnings).toEqual([`warning: ignoring credentials file ${defaultFile()}: is a FIFO (named pipe), not a regular file`]);
  });

  test('a FIFO named with --credentials-file: exit 2, at once', () => {
    const path = fifo(join(dir, 'pipe.env'));
    const { value: error, ms } = timed(() =>
      configError(() => resolveCredentials({ env: env({ OPENROUTER_API_KEY: 'k' }), cwd, home: '/nonexistent-home', credentialsFile: path })),
    );
    expect(ms).toBeLessThan(1000);
    expect(error.message).toBe(`cannot read credentials file ${path}: is a FIFO (named pipe), not a regular file`);
  });

  test('a link to /dev/zero at ./credentials.env: a warning, nothing read', () => {
    symlinkSync('/dev/zero', defaultFile());
    const found = findKeys({ env: env({ OPENROUTER_API_KEY: 'k' }), cwd, home: '/nonexistent-home' });
    expect(found.warnings).toEqual([`warning: ignoring credentials file ${defaultFile()}: is a device, not a regular file`]);
  });

  test('a link to /dev/zero named with --credentials-file: exit 2', () => {
    const path = join(dir, 'zero.env');
    symlinkSync('/dev/zero', path);
    expect(configError(() => findKeys({ env: env(), cwd, home: '/nonexistent-home', credentialsFile: path })).message).toMatch(
      /is a device, not a regular file$/,
    );
  });

  test('a link to a regular file is followed: that is what links are for', () => {
    writeFileSync(join(dir, 'real.env'), 'OPENROUTER_API_KEY=from-link\n', { mode: 0o600 });
    symlinkSync(join(dir, 'real.env'), defaultFile());
    expect(resolveCredentials({ env: env(), cwd, home: '/nonexistent-home' }).apiKey?.value).toBe('from-link');
  });

  test('a directory named credentials.env, the key in the environment: a warning, not a stop', () => {
    mkdirSync(defaultFile());
    const creds = resolveCredentials({ env: env({ OPENROUTER_API_KEY: 'k' }), cwd, home: '/nonexistent-home' });
    expect(creds.apiKey?.value).toBe('k');
    expect(creds.warnings).toEqual([`warning: ignoring credentials file ${defaultFile()}: is a directory`]);
  });

  test('a directory named credentials.env, both keys in the environment: not even looked at', () => {
    mkdirSync(defaultFile());
    expect(resolveCredentials({ env: env({ OPENROUTER_API_KEY: 'k', OPENROUTER_MGMT_KEY: 'm' }), cwd, home: '/nonexistent-home' }).warnings).toEqual([]);
  });

  test('a directory named credentials.env and no key anywhere: the error says why the file did not count', () => {
    mkdirSync(defaultFile());
    const error = configError(() => resolveCredentials({ env: env(), cwd, home: '/nonexistent-home' }));
    expect(error.message).toContain(`${defaultFile()} (ignored: is a directory)`);
  });

  test('the XDG file is still used after an unusable ./credentials.env', () => {
    mkdirSync(defaultFile());
    writeFileSync(join(configHome, 'openrouter-usage', 'credentials.env'), 'OPENROUTER_API_KEY=xdg\n', { mode: 0o600 });
    const creds = resolveCredentials({ env: env(), cwd, home: '/nonexistent-home' });
    expect(creds.apiKey?.value).toBe('xdg');
    expect(creds.warnings).toHaveLength(1);
  });

  test('a directory named with --credentials-file: exit 2', () => {
    expect(configError(() => findKeys({ env: env({ OPENROUTER_API_KEY: 'k' }), cwd, home: '/nonexistent-home', credentialsFile: dir })).message).toBe(
      `cannot read credentials file ${dir}: is a directory`,
    );
  });

  // Running as root, no permission bit keeps a file from being opened; a symlink loop is a file
  // that cannot be opened by anyone, and takes the same path through the code.
  test('a file that cannot be opened (a symlink loop) at ./credentials.env: a warning', () => {
    symlinkSync(defaultFile(), defaultFile());
    const found = findKeys({ env: env({ OPENROUTER_API_KEY: 'k' }), cwd, home: '/nonexistent-home' });
    expect(found.warnings).toEqual([`warning: ignoring credentials file ${defaultFile()}: too many levels of symbolic links`]);
  });

  test('a file that cannot be opened, named with --credentials-file: exit 2', () => {
    const path = join(dir, 'loop.env');
    symlinkSync(path, path);
    configError(() => findKeys({ env: env({ OPENROUTER_API_KEY: 'k' }), cwd, home: '/nonexistent-home', credentialsFile: path }));
  });

  test.skipIf(process.getuid?.() === 0)('an unreadable ./credentials.env (mode 000): a warning, not a stop', () => {
    writeFileSync(defaultFile(), 'OPENROUTER_API_KEY=x\n');
    chmodSync(defaultFile(), 0o000);
    const found = findKeys({ env: env({ OPENROUTER_API_KEY: 'k' }), cwd, home: '/nonexistent-home' });
    expect(found.warnings).toEqual([`warning: ignoring credentials file ${defaultFile()}: permission denied`]);
  });
});

describe('size', () => {
  test('64 KiB is read; 64 KiB + 1 is refused', () => {
    const line = 'OPENROUTER_API_KEY=sized\n';
    const exact = line + '#'.repeat(MAX_CREDENTIALS_BYTES - line.length);
    writeFileSync(defaultFile(), exact, { mode: 0o600 });
    expect(resolveCredentials({ env: env(), cwd, home: '/nonexistent-home' }).apiKey?.value).toBe('sized');

    const path = join(dir, 'big.env');
    writeFileSync(path, `${exact}#`, { mode: 0o600 });
    expect(configError(() => findKeys({ env: env(), cwd, home: '/nonexistent-home', credentialsFile: path })).message).toMatch(/larger than 64 KiB/);
    writeFileSync(defaultFile(), `${exact}#`, { mode: 0o600 });
    expect(findKeys({ env: env({ OPENROUTER_API_KEY: 'k' }), cwd, home: '/nonexistent-home' }).warnings[0]).toMatch(
      /ignoring credentials file .*: larger than 64 KiB/,
    );
  });
});

describe('keys a header cannot carry', () => {
  const secretish = 'sk-or-v1-0123456789abcdef';
  test.each([
    ['a space inside', `${secretish.slice(0, 10)} ${secretish.slice(10)}`],
    ['a tab inside', `${secretish}\tx`],
    ['a control character', `${secretish}\u0001`],
    ['a line break inside', `${secretish}\nX-Evil: 1`],
    ['DEL', `${secretish}\u007f`],
    ['a non-ASCII letter', `${secretish}é`],
    ['a zero-width space', `${secretish}\u200b`],
    ['a typographic quote pasted with it', `“${secretish}”`],
  ])('%s, from the environment: exit 2 naming the variable, never the value', (_name, value) => {
    const error = configError(() => findKeys({ env: env({ OPENROUTER_API_KEY: value }), cwd, home: '/nonexistent-home' }));
    expect(error.message).toBe(
      'OPENROUTER_API_KEY contains a character an HTTP header cannot carry (in the environment); a key is printable ASCII without spaces',
    );
    expect(error.message).not.toContain('0123456789');
  });

  test('the management key, from a file: the file is named', () => {
    writeFileSync(defaultFile(), 'OPENROUTER_MGMT_KEY="abc def"\n', { mode: 0o600 });
    const error = configError(() => findKeys({ env: env({ OPENROUTER_API_KEY: 'good' }), cwd, home: '/nonexistent-home' }));
    expect(error.message).toBe(
      `OPENROUTER_MGMT_KEY contains a character an HTTP header cannot carry (in ${defaultFile()}); a key is printable ASCII without spaces`,
    );
  });

  test('spaces around a key are trimmed, not an error', () => {
    expect(resolveCredentials({ env: env({ OPENROUTER_API_KEY: `  ${secretish}\n` }), cwd, home: '/nonexistent-home' }).apiKey?.value).toBe(secretish);
  });

  test('a bad value overridden by a good one is never looked at', () => {
    writeFileSync(defaultFile(), 'OPENROUTER_API_KEY="bad key"\n', { mode: 0o600 });
    expect(resolveCredentials({ env: env({ OPENROUTER_API_KEY: 'good' }), cwd, home: '/nonexistent-home' }).apiKey?.value).toBe('good');
  });

  test('isHeaderSafe', () => {
    expect(isHeaderSafe('sk-or-v1-abc_DEF.123~!"#')).toBe(true);
    for (const bad of ['', ' ', 'a b', 'a\u0000', 'ä', '\u00a0x']) expect(isHeaderSafe(bad)).toBe(false);
  });
});

describe('loopback', () => {
  test.each([
    ['localhost', '127.0.0.1'],
    ['LOCALHOST', '127.0.0.1'],
    ['127.0.0.1', '127.0.0.1'],
    ['127.255.255.254', '127.255.255.254'],
    ['[::1]', '::1'],
    ['::1', '::1'],
  ])('%s is this machine, reached at %s without DNS', (host, address) => {
    expect(isLoopbackHost(host)).toBe(true);
    expect(loopbackAddress(host)).toBe(address);
  });

  test.each([
    'api.localhost',
    'localhost.',
    'localhost.evil.com',
    'evil-localhost',
    '127.0.0.1.nip.io',
    '128.0.0.1',
    '126.255.255.255',
    '127.0.0',
    '127.0.0.1.1',
    '127.0.0.01',
    '0177.0.0.1',
    '[::ffff:7f00:1]',
    '[::2]',
    '0.0.0.0',
    '10.0.0.1',
    '',
  ])('%j is not', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
    expect(loopbackAddress(host)).toBeUndefined();
  });

  test('base URLs, as the HTTP layer will ask', () => {
    expect(isLoopbackBaseUrl('http://localhost:8080/api/v1')).toBe(true);
    expect(isLoopbackBaseUrl('http://127.0.0.1:8080')).toBe(true);
    expect(isLoopbackBaseUrl('https://[::1]:8443/v1')).toBe(true);
    // WHATWG URL spells these IPv4 forms as 127.0.0.1: they are loopback, and so judged.
    expect(isLoopbackBaseUrl('http://2130706433/')).toBe(true);
    expect(isLoopbackBaseUrl('http://0x7f.1/')).toBe(true);
    expect(isLoopbackBaseUrl('http://api.localhost/')).toBe(false);
    expect(isLoopbackBaseUrl('https://openrouter.ai/api/v1')).toBe(false);
    expect(isLoopbackBaseUrl('not a url')).toBe(false);
  });

  test('plain http to *.localhost is refused: it would be resolved through the network', () => {
    expect(() => validateBaseUrl('http://api.localhost:3000')).toThrow(/refusing plain http base URL/);
    expect(validateBaseUrl('https://api.localhost:3000')).toBe('https://api.localhost:3000');
  });
});
