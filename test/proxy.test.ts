// Proxies: HTTPS_PROXY / HTTP_PROXY / NO_PROXY are honoured through undici's env proxy agent.
// A CONNECT proxy on loopback tunnels to the stand-in and records what it was asked for.
import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, spawnCli as runCli } from './run-cli.js';
import { API_KEY, MGMT_KEY, startStandIn, type StandIn } from './server.js';

/** The stand-in's data and the CLI's clock (test/fake-clock.mjs, preloaded into the real process). */
const NOW = '2026-03-11T12:00:00.000Z';
const CLOCK = { NODE_OPTIONS: `--import=${pathToFileURL(join(ROOT, 'test', 'fake-clock.mjs')).href}`, FAKE_CLOCK_NOW: NOW };

let standIn: StandIn;
let proxy: Server;
let proxyUrl: string;
const tunnels: string[] = [];
const sockets = new Set<Socket>();

beforeAll(async () => {
  standIn = await startStandIn({ now: new Date(NOW) });
  proxy = createServer((_req, res) => {
    // Only tunnelling is offered: a plain forward request would let the proxy read the key.
    res.writeHead(405).end();
  });
  proxy.on('connect', (req, client: Socket, head: Buffer) => {
    tunnels.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => s.destroy());
      s.on('close', () => sockets.delete(s));
    }
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const address = proxy.address();
  if (!address || typeof address === 'string') throw new Error('proxy did not listen');
  proxyUrl = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => proxy.close(() => resolve()));
  await standIn.close();
});

describe('proxies', () => {
  test('HTTP_PROXY carries every request through a CONNECT tunnel', async () => {
    tunnels.length = 0;
    standIn.requests.length = 0;
    const result = await runCli([], {
      env: { OPENROUTER_API_KEY: API_KEY, OPENROUTER_MGMT_KEY: MGMT_KEY, OPENROUTER_BASE_URL: standIn.url, ...CLOCK, HTTP_PROXY: proxyUrl },
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // $100 bought, 77.80006 used (see test/e2e.test.ts).
    expect(result.stdout.split('\n')).toContain('Balance: $22.20 / $100.00');
    const target = new URL(standIn.url).host;
    expect(tunnels.length).toBeGreaterThan(0);
    expect(tunnels.every((t) => t === target)).toBe(true);
    // One of each, however many tunnels keep-alive made of them.
    for (const path of ['/key', '/credits', '/activity', '/keys']) expect(standIn.requestsTo(path)).toHaveLength(1);
  });

  test('NO_PROXY bypasses the proxy', async () => {
    tunnels.length = 0;
    const result = await runCli([], {
      env: { OPENROUTER_API_KEY: API_KEY, OPENROUTER_BASE_URL: standIn.url, ...CLOCK, HTTP_PROXY: proxyUrl, NO_PROXY: '127.0.0.1' },
    });
    expect(result.code).toBe(0);
    expect(tunnels).toEqual([]);
  });

  test('an unreachable proxy is a network error, exit 5, one line', async () => {
    const result = await runCli(['--deadline', '10'], {
      env: { OPENROUTER_API_KEY: API_KEY, OPENROUTER_BASE_URL: standIn.url, ...CLOCK, HTTP_PROXY: 'http://127.0.0.1:9' },
    });
    expect(result.code).toBe(5);
    expect(result.stderr).toBe('openrouter-usage: /key: network error (connection refused) after 4 attempts\n');
    expect(result.stderr).not.toContain(API_KEY.slice(9, 30));
  });
});
