// Proxies: HTTPS_PROXY / HTTP_PROXY / NO_PROXY are honoured, from the run's own environment, for a
// real (https, named) base URL; a loopback base URL never goes through a proxy. The CONNECT proxy
// here knows one name, openrouter.test, and tunnels it to a local TLS front of the stand-in whose
// test certificate (test/fixtures) a spawned CLI trusts through NODE_EXTRA_CA_CERTS.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { expectCleanRun, ROOT, runCli, spawnCli } from './run-cli.js';
import { API_KEY, MGMT_KEY, secretOf, startStandIn, type StandIn } from './server.js';

const NAME = 'openrouter.test';
const CERT = join(ROOT, 'test', 'fixtures', 'openrouter.test.crt');
const BASE_URL = `https://${NAME}/api/v1`;

let standIn: StandIn;
let tlsFront: TlsServer;
let tlsPort: number;
let proxy: Server;
let proxyUrl: string;
/** A "proxy" that accepts every connection and hangs up at once. */
let dropper: TcpServer;
let dropperUrl: string;
let dropped = 0;
/** A "proxy" that accepts every connection and never says a word. */
let mute: TcpServer;
let muteUrl: string;
/** CONNECT targets asked of the proxy, and plain (forwarding) requests it refused. */
const tunnels: string[] = [];
const forwarded: string[] = [];
const sockets = new Set<Socket>();

function track(socket: Socket): void {
  sockets.add(socket);
  socket.on('error', () => socket.destroy());
  socket.on('close', () => sockets.delete(socket));
}

function portOf(server: Server | TcpServer | TlsServer): number {
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('not listening');
  return address.port;
}

beforeAll(async () => {
  standIn = await startStandIn();
  const standInPort = Number(new URL(standIn.origin).port);
  tlsFront = createTlsServer({ cert: readFileSync(CERT), key: readFileSync(CERT.replace(/\.crt$/, '.key')) }, (tls) => {
    const plain = connect(standInPort, '127.0.0.1');
    tls.pipe(plain).pipe(tls);
    track(tls);
    track(plain);
  });
  proxy = createServer((req, res) => {
    // Only tunnelling is offered: a plain forward request would let the proxy read the key.
    forwarded.push(req.url ?? '');
    res.writeHead(405).end();
  });
  proxy.on('connect', (req, client: Socket, head: Buffer) => {
    tunnels.push(req.url ?? '');
    track(client);
    if (req.url !== `${NAME}:443`) {
      client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      return;
    }
    const upstream = connect(tlsPort, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    track(upstream);
  });
  dropper = createTcpServer((socket) => {
    dropped += 1;
    socket.on('error', () => undefined);
    socket.destroy();
  });
  mute = createTcpServer((socket) => track(socket));
  for (const server of [tlsFront, proxy, dropper, mute]) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  muteUrl = `http://127.0.0.1:${portOf(mute)}`;
  tlsPort = portOf(tlsFront);
  proxyUrl = `http://127.0.0.1:${portOf(proxy)}`;
  dropperUrl = `http://127.0.0.1:${portOf(dropper)}`;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  for (const server of [tlsFront, proxy, dropper, mute]) await new Promise<void>((resolve) => server.close(() => resolve()));
  await standIn.close();
});

beforeEach(() => {
  tunnels.length = 0;
  forwarded.length = 0;
  standIn.requests.length = 0;
  dropped = 0;
});

const SECRETS = [secretOf(API_KEY), secretOf(MGMT_KEY)];

describe('proxies', () => {
  test('HTTPS_PROXY carries every request to an https base URL through a CONNECT tunnel (real TLS, subprocess)', async () => {
    const result = await spawnCli([], {
      env: { OPENROUTER_API_KEY: API_KEY, OPENROUTER_MGMT_KEY: MGMT_KEY, OPENROUTER_BASE_URL: BASE_URL, HTTPS_PROXY: proxyUrl, NODE_EXTRA_CA_CERTS: CERT },
    });
    expectCleanRun(result, SECRETS);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Balance: $');
    expect(tunnels.length).toBeGreaterThan(0);
    expect(new Set(tunnels)).toEqual(new Set([`${NAME}:443`]));
    expect(forwarded).toEqual([]);
    for (const path of ['/key', '/credits', '/activity']) expect(standIn.requestsTo(path)).toHaveLength(1);
    // The key reached the server, inside the tunnel, and nowhere else.
    expect(standIn.requestsTo('/key')[0]!.authorization).toBe(`Bearer ${API_KEY}`);
  });

  test('the proxy settings are the run’s own (in-process): NO_PROXY naming the host bypasses the proxy', async () => {
    const result = await runCli(['--deadline', '3', '--timeout', '1'], {
      env: { OPENROUTER_API_KEY: API_KEY, OPENROUTER_BASE_URL: BASE_URL, HTTPS_PROXY: proxyUrl, NO_PROXY: NAME },
    });
    expectCleanRun(result, SECRETS);
    expect(tunnels).toEqual([]);
    // Without the proxy the name is unknown: a network failure, in one line.
    expect(result.code).toBe(5);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  test.each([
    ['127.0.0.1', 'HTTP_PROXY', {}],
    ['127.0.0.1', 'HTTP_PROXY', { NO_PROXY: 'example.com' }],
    ['localhost', 'HTTP_PROXY', { NO_PROXY: '127.0.0.1' }],
    ['localhost', 'http_proxy', {}],
    ['127.0.0.1', 'HTTPS_PROXY', {}],
  ])('a loopback base URL (%s) never goes through a proxy (%s set)', async (host, variable, extra) => {
    const url = standIn.url.replace('127.0.0.1', host);
    const result = await runCli([], {
      env: { OPENROUTER_API_KEY: API_KEY, OPENROUTER_MGMT_KEY: MGMT_KEY, OPENROUTER_BASE_URL: url, [variable]: proxyUrl, ...extra },
    });
    expectCleanRun(result, SECRETS);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(tunnels).toEqual([]);
    expect(forwarded).toEqual([]);
    expect(standIn.requestsTo('/key')).toHaveLength(1);
  });

  test('an unreachable proxy is a network error, exit 5, one line', async () => {
    const result = await runCli(['--deadline', '10'], {
      env: { OPENROUTER_API_KEY: API_KEY, OPENROUTER_BASE_URL: BASE_URL, HTTPS_PROXY: 'http://127.0.0.1:9' },
    });
    expectCleanRun(result, SECRETS);
    expect(result.code).toBe(5);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('/key');
  });

  test('a proxy that accepts connections and drops them costs 4 attempts a request, with backoff, then exit 5', async () => {
    const result = await runCli(['--debug', '--deadline', '20'], {
      env: { OPENROUTER_API_KEY: API_KEY, OPENROUTER_BASE_URL: BASE_URL, HTTPS_PROXY: dropperUrl },
    });
    expectCleanRun(result, SECRETS);
    expect(result.code).toBe(5);
    const keyAttempts = result.stderr.split('\n').filter((line) => line.startsWith('debug: GET /key attempt'));
    expect(keyAttempts).toHaveLength(4);
    expect(keyAttempts.slice(0, 3).every((line) => / retrying in \d+ ms$/.test(line))).toBe(true);
    expect(result.stderr).toMatch(/^openrouter-usage: \/key: network error \([^)]+\) after 4 attempts$/m);
    // /key and /credits, 4 attempts each, one connection an attempt.
    expect(dropped).toBeLessThanOrEqual(8);
  });

  test('the run’s deadline ends it while a proxy drops every connection', async () => {
    const result = await runCli(['--deadline', '1'], {
      env: { OPENROUTER_API_KEY: API_KEY, OPENROUTER_BASE_URL: BASE_URL, HTTPS_PROXY: dropperUrl },
    });
    expectCleanRun(result, SECRETS);
    expect([result.code, result.stderr]).toEqual([5, expect.stringMatching(/^openrouter-usage: \/key: /)]);
    expect(dropped).toBeLessThanOrEqual(8);
  });

  test('a proxy that accepts and never answers the CONNECT: each attempt times out, exit 5 within the deadline', async () => {
    const result = await runCli(['--timeout', '1', '--deadline', '8'], {
      env: { OPENROUTER_API_KEY: API_KEY, OPENROUTER_BASE_URL: BASE_URL, HTTPS_PROXY: muteUrl },
    });
    expectCleanRun(result, SECRETS);
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/^openrouter-usage: \/key: /);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('Ctrl-C ends the run while a proxy holds the CONNECT unanswered: exit 130 at once', async () => {
    const result = await runCli(['--timeout', '20', '--deadline', '60'], {
      env: { OPENROUTER_API_KEY: API_KEY, OPENROUTER_BASE_URL: BASE_URL, HTTPS_PROXY: muteUrl },
      killAfterMs: 400,
    });
    expect(result.timedOut).toBe(true);
    expect(result.code).toBe(130);
    expect(result.stderr).toBe('openrouter-usage: interrupted\n');
  });

  test('the deadline ends the run while a proxy holds the CONNECT unanswered: exit 5, one line', async () => {
    const result = await runCli(['--timeout', '20', '--deadline', '1'], {
      env: { OPENROUTER_API_KEY: API_KEY, OPENROUTER_BASE_URL: BASE_URL, HTTPS_PROXY: muteUrl },
    });
    expect(result.timedOut).toBe(false);
    expect(result.code).toBe(5);
    expect(result.stderr).toBe("openrouter-usage: /key: no complete answer within the run's deadline; giving up\n");
  });

  test('Ctrl-C ends the run while a proxy drops every connection: exit 130', async () => {
    const result = await runCli(['--deadline', '60'], {
      env: { OPENROUTER_API_KEY: API_KEY, OPENROUTER_BASE_URL: BASE_URL, HTTPS_PROXY: dropperUrl },
      killAfterMs: 400,
    });
    expect(result.timedOut).toBe(true);
    expect(result.code).toBe(130);
    expect(result.stderr).toBe('openrouter-usage: interrupted\n');
    expect(dropped).toBeLessThanOrEqual(8);
  });
});
