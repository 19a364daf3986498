// Issue 13, point 4: a cache that earns its trust. Nothing planted in or near the cache directory
// can change a figure or make the tool write through a link.
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeEach, describe, expect, test } from 'vitest';
import { cachePath, checkCacheDirectory, isCacheable, openCache, readCacheEntry, writeCacheEntry, type CacheEntry } from '../src/sources/cache.js';
import { demoResponses } from '../src/sources/demo.js';

const UID = process.getuid?.() ?? 0;
const posix = process.platform !== 'win32';

let root: string;
let env: Record<string, string>;
const identity = ['key-a', 'key-b', 'https://openrouter.ai/api/v1', 'account'];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'oru-hostile-cache-'));
  env = { HOME: root, XDG_CACHE_HOME: join(root, 'cache') };
});

function entry(): CacheEntry {
  return { version: 1, fetchedAt: '2026-03-04T05:06:07.000Z', responses: demoResponses(new Date('2026-03-04T05:06:07Z')) };
}

/** A cache file as written, then altered as a hostile hand would. */
function plant(path: string, alter: (json: Record<string, any>) => void): void {
  const json = JSON.parse(JSON.stringify(entry())) as Record<string, any>;
  alter(json);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, JSON.stringify(json), { mode: 0o600 });
}

describe('entries are validated on read', () => {
  test('a good entry reads back as written', () => {
    const path = cachePath({ env, home: '/nonexistent-home' }, identity);
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    expect(writeCacheEntry(path, entry())).toBe(true);
    expect(readCacheEntry(path, UID)).toEqual(JSON.parse(JSON.stringify(entry())));
  });

  test.each<[string, (json: Record<string, any>) => void]>([
    ['a field removed from /key', (j) => delete j.responses.key.usage_daily],
    ['a field removed from /credits', (j) => delete j.responses.credits.value.total_usage],
    ['a field removed from an /activity row', (j) => delete j.responses.activity.value[0].usage],
    ['a field removed from a /keys item', (j) => delete j.responses.keys.value[0].hash],
    ['a whole part removed', (j) => delete j.responses.keys],
    ['NaN (as JSON writes it: null)', (j) => (j.responses.key.usage_daily = null)],
    ['a negative spend', (j) => (j.responses.key.usage_monthly = -5)],
    ['a negative balance figure', (j) => (j.responses.credits.value.total_credits = -1)],
    ['a string for a number', (j) => (j.responses.key.usage = '12.5')],
    ['a fractional request count', (j) => (j.responses.activity.value[0].requests = 1.5)],
    ['a failed part (never written)', (j) => (j.responses.credits = { status: 'failed', error: { message: 'x' } })],
    ['an unknown status', (j) => (j.responses.credits = { status: 'ok-trust-me' })],
    ['an unknown version', (j) => (j.version = 2)],
    ['a fetchedAt that is no date', (j) => (j.fetchedAt = 'yesterday')],
    ['no fetchedAt', (j) => delete j.fetchedAt],
  ])('%s: a miss, and the file is deleted', (_name, alter) => {
    const path = cachePath({ env, home: '/nonexistent-home' }, identity);
    plant(path, alter);
    expect(readCacheEntry(path, UID)).toBeUndefined();
    expect(existsSync(path)).toBe(false);
  });

  test('Infinity (1e999 in the file): a miss', () => {
    const path = cachePath({ env, home: '/nonexistent-home' }, identity);
    plant(path, () => undefined);
    writeFileSync(path, readFileSync(path, 'utf8').replace(/"usage_daily":[0-9.e-]+/, '"usage_daily":1e999'));
    expect(readCacheEntry(path, UID)).toBeUndefined();
    expect(existsSync(path)).toBe(false);
  });

  test.each([
    ['not JSON', '{"version":1,'],
    ['empty', ''],
    ['JSON null', 'null'],
    ['an array', '[]'],
  ])('%s: a miss, and the file is deleted', (_name, text) => {
    const path = cachePath({ env, home: '/nonexistent-home' }, identity);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    expect(readCacheEntry(path, UID)).toBeUndefined();
    expect(existsSync(path)).toBe(false);
  });

  test('unknown fields the API added pass, as they do live', () => {
    const path = cachePath({ env, home: '/nonexistent-home' }, identity);
    plant(path, (j) => (j.responses.key.brand_new_field = { anything: true }));
    expect(readCacheEntry(path, UID)?.responses.key.brand_new_field).toEqual({ anything: true });
  });

  test('a needs-management-key part is a valid cached answer', () => {
    const path = cachePath({ env, home: '/nonexistent-home' }, identity);
    plant(path, (j) => (j.responses.credits = { status: 'needs-management-key' }));
    expect(readCacheEntry(path, UID)?.responses.credits).toEqual({ status: 'needs-management-key' });
  });
});

describe.skipIf(!posix)('files that are not entries', () => {
  test('a symbolic link where the entry should be is not followed, and is removed', () => {
    const path = cachePath({ env, home: '/nonexistent-home' }, identity);
    const elsewhere = join(root, 'elsewhere.json');
    writeFileSync(elsewhere, JSON.stringify(entry()));
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    symlinkSync(elsewhere, path);
    expect(readCacheEntry(path, UID)).toBeUndefined();
    expect(existsSync(elsewhere)).toBe(true);
    expect(() => lstatSync(path)).toThrow();
  });

  test('a FIFO where the entry should be cannot block the read', async () => {
    const { execFileSync } = await import('node:child_process');
    const path = cachePath({ env, home: '/nonexistent-home' }, identity);
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    execFileSync('mkfifo', [path]);
    expect(readCacheEntry(path, UID)).toBeUndefined();
    expect(existsSync(path)).toBe(false);
  });

  test('an entry owned by another user is not trusted (owner given as a parameter)', () => {
    const path = cachePath({ env, home: '/nonexistent-home' }, identity);
    plant(path, () => undefined);
    expect(readCacheEntry(path, UID + 1)).toBeUndefined();
  });

  test('an entry others may write is not trusted', () => {
    const path = cachePath({ env, home: '/nonexistent-home' }, identity);
    plant(path, () => undefined);
    chmodSync(path, 0o666);
    expect(readCacheEntry(path, UID)).toBeUndefined();
  });
});

describe.skipIf(!posix)('the directory', () => {
  test('made private when missing', () => {
    const dir = join(root, 'cache', 'openrouter-usage');
    expect(checkCacheDirectory(dir, UID)).toEqual({ usable: true });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  test.each([
    [0o777, 'others'],
    [0o775, 'its group'],
    [0o722, 'others'],
    [0o730, 'its group'],
  ])('mode %o: one warning, no cache', (mode, who) => {
    const { cache, warning } = openCache({ env, home: '/nonexistent-home', uid: UID, identity });
    expect(cache).toBeDefined();
    chmodSync(join(root, 'cache', 'openrouter-usage'), mode);
    const refused = openCache({ env, home: '/nonexistent-home', uid: UID, identity });
    expect(refused.cache).toBeUndefined();
    expect(refused.warning).toBe(
      `warning: cache directory ${join(root, 'cache', 'openrouter-usage')} is writable by ${who} (mode ${mode.toString(8).padStart(4, '0')}); not using the cache`,
    );
    expect(warning).toBeUndefined();
  });

  test('read-only for others is fine', () => {
    mkdirSync(join(root, 'cache', 'openrouter-usage'), { recursive: true });
    chmodSync(join(root, 'cache', 'openrouter-usage'), 0o755);
    expect(openCache({ env, home: '/nonexistent-home', uid: UID, identity }).cache).toBeDefined();
  });

  test('owned by someone else (simulated through the uid parameter): one warning, no cache', () => {
    const { cache, warning } = openCache({ env, home: '/nonexistent-home', uid: UID + 1000, identity });
    expect(cache).toBeUndefined();
    expect(warning).toMatch(/cache directory .* belongs to another user \(uid \d+\); not using the cache$/);
  });

  test('a file where the directory should be: one warning, no cache', () => {
    mkdirSync(join(root, 'cache'));
    writeFileSync(join(root, 'cache', 'openrouter-usage'), '');
    const { cache, warning } = openCache({ env, home: '/nonexistent-home', uid: UID, identity });
    expect(cache).toBeUndefined();
    expect(warning).toMatch(/is not a directory; not using the cache$/);
  });

  test('a directory that cannot be made: no cache, and no warning (a cache is never an error)', () => {
    writeFileSync(join(root, 'cache'), '');
    expect(openCache({ env, home: '/nonexistent-home', uid: UID, identity })).toEqual({ cache: undefined, warning: undefined });
  });

  test('without POSIX owners (uid undefined) the checks are skipped', () => {
    mkdirSync(join(root, 'cache', 'openrouter-usage'), { recursive: true });
    chmodSync(join(root, 'cache', 'openrouter-usage'), 0o777);
    expect(openCache({ env, home: '/nonexistent-home', uid: undefined, identity }).cache).toBeDefined();
  });
});

describe.skipIf(!posix)('writing', () => {
  test('round trip through openCache; the file is 0600 and no temporary is left', () => {
    const { cache } = openCache({ env, home: '/nonexistent-home', uid: UID, identity });
    expect(cache!.write(entry())).toBe(true);
    expect(cache!.read()?.fetchedAt).toBe(entry().fetchedAt);
    expect(statSync(cache!.path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dirname(cache!.path))).toEqual([cache!.path.split('/').pop()]);
  });

  test('planted .tmp symlinks at the names the old code used are not followed', () => {
    const path = cachePath({ env, home: '/nonexistent-home' }, identity);
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const victim = join(root, 'victim.txt');
    writeFileSync(victim, 'precious');
    for (const name of [`${path}.tmp`, `${path}.${process.pid}.tmp`, `${path}.1.tmp`]) symlinkSync(victim, name);
    expect(writeCacheEntry(path, entry())).toBe(true);
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(lstatSync(path).isFile()).toBe(true);
  });

  test('a link planted at the very temporary name chosen: nothing written through it, the link left alone', () => {
    const path = cachePath({ env, home: '/nonexistent-home' }, identity);
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const victim = join(root, 'victim.txt');
    writeFileSync(victim, 'precious');
    const temporary = join(dirname(path), `.${path.split('/').pop()}.fixed.tmp`);
    symlinkSync(victim, temporary);
    expect(writeCacheEntry(path, entry(), () => 'fixed')).toBe(false);
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(lstatSync(temporary).isSymbolicLink()).toBe(true);
    expect(existsSync(path)).toBe(false);
  });

  test('a dangling link at the temporary name is not followed either (O_EXCL)', () => {
    const path = cachePath({ env, home: '/nonexistent-home' }, identity);
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const target = join(root, 'would-be-created.txt');
    symlinkSync(target, join(dirname(path), `.${path.split('/').pop()}.fixed.tmp`));
    expect(writeCacheEntry(path, entry(), () => 'fixed')).toBe(false);
    expect(existsSync(target)).toBe(false);
  });

  test('a link planted at the entry itself is replaced, not written through', () => {
    const path = cachePath({ env, home: '/nonexistent-home' }, identity);
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const victim = join(root, 'victim.txt');
    writeFileSync(victim, 'precious');
    symlinkSync(victim, path);
    expect(writeCacheEntry(path, entry())).toBe(true);
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(lstatSync(path).isFile()).toBe(true);
  });
});

test('only complete answers are cacheable', () => {
  const responses = demoResponses(new Date('2026-03-04T05:06:07Z'));
  expect(isCacheable(responses)).toBe(true);
  expect(isCacheable({ ...responses, credits: { status: 'needs-management-key' } })).toBe(true);
});
