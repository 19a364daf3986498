import { test } from 'vitest';
import { createServer } from 'node:net';
import { runCli } from './run-cli.js';
import { API_KEY } from './server.js';
test('x', async () => {
  const body = JSON.stringify({ data: { label: 'sk-or-v1-abc...xyz', usage: 1, usage_daily: 0.5, usage_weekly: 0.75, usage_monthly: 1 } });
  const server = createServer((socket) => {
    socket.on('data', () => {
      socket.write(`HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n`);
      socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as any).port;
  const r = await runCli(['--debug'], { env: { OPENROUTER_API_KEY: API_KEY, OPENROUTER_BASE_URL: `http://127.0.0.1:${port}/api/v1` } });
  console.log(r.code, r.stdout, r.stderr);
  server.close();
});
