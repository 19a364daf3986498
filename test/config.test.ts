import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { isLoopbackHost, validateBaseUrl } from '../src/api/base-url.js';
import { resolveCredentials } from '../src/sources/credentials.js';
import { CliError } from '../src/base/errors.js';

let root: string;
let cwd: string;
let configHome: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'oru-config-'));
  cwd = join(root, 'project');
  configHome = join(root, 'xdg');
  mkdirSync(cwd);
  mkdirSync(join(configHome, 'openrouter-usage'), { recursive: true });
});

afterEach(() => {
  delete process.env.OPENROUTER_TEST_SHOULD_NOT_LEAK;
});

function write(path: string, text: string, mode = 0o600): string {
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
}

const env = (extra: Record<string, string> = {}) => ({ HOME: root, XDG_CONFIG_HOME: configHome, ...extra });

describe('resolveCredentials', () => {
  test('the environment wins over every file', () => {
    write(join(cwd, 'credentials.env'), 'OPENROUTER_API_KEY=from-file\nOPENROUTER_MGMT_KEY=mgmt-from-file\n');
    const creds = resolveCredentials({ env: env({ OPENROUTER_API_KEY: 'from-env' }), cwd, home: '/nonexistent-home' });
    expect(creds.apiKey).toEqual({ value: 'from-env', source: 'environment' });
    expect(creds.mgmtKey).toEqual({ value: 'mgmt-from-file', source: join(cwd, 'credentials.env') });
  });

  test('order: --credentials-file, ./credentials.env, XDG config; each key from the first that has it', () => {
    const explicit = write(join(root, 'mine.env'), 'OPENROUTER_API_KEY=explicit\n');
    write(join(cwd, 'credentials.env'), 'OPENROUTER_API_KEY=cwd\nOPENROUTER_MGMT_KEY=cwd-mgmt\n');
    write(join(configHome, 'openrouter-usage', 'credentials.env'), 'OPENROUTER_API_KEY=xdg\nOPENROUTER_MGMT_KEY=xdg-mgmt\n');
    const creds = resolveCredentials({ env: env(), cwd, home: '/nonexistent-home', credentialsFile: explicit });
    expect(creds.apiKey?.value).toBe('explicit');
    expect(creds.mgmtKey?.value).toBe('cwd-mgmt');
  });

  test('falls back to $XDG_CONFIG_HOME, then ~/.config', () => {
    write(join(configHome, 'openrouter-usage', 'credentials.env'), 'OPENROUTER_API_KEY=xdg\n');
    expect(resolveCredentials({ env: env(), cwd, home: '/nonexistent-home' }).apiKey?.value).toBe('xdg');
    mkdirSync(join(root, '.config', 'openrouter-usage'), { recursive: true });
    write(join(root, '.config', 'openrouter-usage', 'credentials.env'), 'OPENROUTER_API_KEY=home\n');
    expect(resolveCredentials({ env: { HOME: root }, cwd, home: '/nonexistent-home' }).apiKey?.value).toBe('home');
  });

  test('files are parsed, not loaded: other variables stay out of process.env', () => {
    write(join(cwd, 'credentials.env'), 'OPENROUTER_API_KEY=k\nOPENROUTER_TEST_SHOULD_NOT_LEAK=1\n');
    resolveCredentials({ env: env(), cwd, home: '/nonexistent-home' });
    expect(process.env.OPENROUTER_TEST_SHOULD_NOT_LEAK).toBeUndefined();
  });

  test('dotenv syntax: quotes, comments, export', () => {
    write(join(cwd, 'credentials.env'), '# my keys\nexport OPENROUTER_API_KEY="quoted-key" # inline\nOPENROUTER_MGMT_KEY=\'single\'\n');
    const creds = resolveCredentials({ env: env(), cwd, home: '/nonexistent-home' });
    expect(creds.apiKey?.value).toBe('quoted-key');
    expect(creds.mgmtKey?.value).toBe('single');
  });

  test('an empty value counts as unset', () => {
    write(join(cwd, 'credentials.env'), 'OPENROUTER_API_KEY=from-file\n');
    expect(resolveCredentials({ env: env({ OPENROUTER_API_KEY: '  ' }), cwd, home: '/nonexistent-home' }).apiKey?.value).toBe('from-file');
  });

  test('missing key: a config error naming the variable and every place searched', () => {
    let error: unknown;
    try {
      resolveCredentials({ env: env(), cwd, home: '/nonexistent-home', credentialsFile: write(join(root, 'empty.env'), '') });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CliError);
    const message = (error as CliError).message;
    expect((error as CliError).exitCode).toBe(2);
    expect(message).toContain('OPENROUTER_API_KEY');
    expect(message).toContain('the environment');
    expect(message).toContain(join(root, 'empty.env'));
    expect(message).toContain(join(cwd, 'credentials.env'));
    expect(message).toContain(join(configHome, 'openrouter-usage', 'credentials.env'));
    expect(message).not.toContain('\n');
  });

  test('a named --credentials-file that does not exist is an error, not a silent skip', () => {
    expect(() => resolveCredentials({ env: env({ OPENROUTER_API_KEY: 'k' }), cwd, home: '/nonexistent-home', credentialsFile: 'nope.env' })).toThrow(
      /cannot read credentials file .*nope\.env: no such file/,
    );
  });

  test('warns, like ssh, about a key file others can read; not about a private one', () => {
    write(join(cwd, 'credentials.env'), 'OPENROUTER_API_KEY=k\n', 0o644);
    const loose = resolveCredentials({ env: env(), cwd, home: '/nonexistent-home' });
    expect(loose.warnings).toHaveLength(1);
    expect(loose.warnings[0]).toContain(join(cwd, 'credentials.env'));
    expect(loose.warnings[0]).toContain('0644');
    expect(loose.warnings[0]).toContain('chmod 600');
    chmodSync(join(cwd, 'credentials.env'), 0o600);
    expect(resolveCredentials({ env: env(), cwd, home: '/nonexistent-home' }).warnings).toEqual([]);
  });

  test('a file whose keys are all overridden is not read at all', () => {
    write(join(cwd, 'credentials.env'), 'OPENROUTER_API_KEY=k\n', 0o644);
    const creds = resolveCredentials({ env: env({ OPENROUTER_API_KEY: 'a', OPENROUTER_MGMT_KEY: 'b' }), cwd, home: '/nonexistent-home' });
    expect(creds.warnings).toEqual([]);
  });
});

describe('validateBaseUrl', () => {
  test.each([
    ['https://openrouter.ai/api/v1', 'https://openrouter.ai/api/v1'],
    ['https://openrouter.ai/api/v1/', 'https://openrouter.ai/api/v1'],
    ['http://127.0.0.1:8080/api/v1', 'http://127.0.0.1:8080/api/v1'],
    ['http://localhost:3000', 'http://localhost:3000'],
    ['http://[::1]:3000/v1', 'http://[::1]:3000/v1'],
    ['http://127.8.9.10/v1', 'http://127.8.9.10/v1'],
  ])('accepts %s', (raw, expected) => expect(validateBaseUrl(raw)).toBe(expected));

  test.each([
    'http://example.com',
    'http://10.0.0.1/api',
    'http://127.0.0.1.evil.com/',
    'http://api.localhost:3000/',
    'http://localhost.evil.com/',
    'ftp://openrouter.ai',
    'not a url',
    'https://user:pw@openrouter.ai',
  ])('refuses %s with a usage error', (raw) => {
    expect(() => validateBaseUrl(raw)).toThrow(CliError);
    try {
      validateBaseUrl(raw);
    } catch (error) {
      expect((error as CliError).exitCode).toBe(2);
    }
  });

  test('loopback hosts', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('128.0.0.1')).toBe(false);
    expect(isLoopbackHost('127.0.0.256')).toBe(false);
    // Resolved through network DNS, so not this machine for sure.
    expect(isLoopbackHost('api.localhost')).toBe(false);
  });
});

test('a management key alone is enough for a report (issue 10)', () => {
  const credentials = resolveCredentials({ env: env({ OPENROUTER_MGMT_KEY: 'm' }), cwd, home: '/nonexistent-home' });
  expect(credentials.apiKey).toBeUndefined();
  expect(credentials.mgmtKey?.value).toBe('m');
});
