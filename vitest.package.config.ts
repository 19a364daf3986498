import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

/** The package tier (npm run test:package): the packed tarball installed offline and run under Node 20, 22 and 24. */
export default defineConfig({
  define: { __VERSION__: JSON.stringify(version) },
  test: { include: ['test/package.test.ts'], testTimeout: 30_000, hookTimeout: 600_000 },
});
