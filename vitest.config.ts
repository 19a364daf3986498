import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

export default defineConfig({
  define: { __VERSION__: JSON.stringify(version) },
  test: {
    include: ['test/**/*.test.ts'],
    // The packed tarball under three Node lines has its own command: npm run test:package.
    exclude: ['test/package.test.ts', '**/node_modules/**'],
    // Every property test runs on a fixed seed (test/fixed-seed.ts).
    setupFiles: ['test/fixed-seed.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Most cases drive the CLI in-process and spend their time waiting on sockets and retry backoffs, not
    // the CPU: vitest's default of one worker per core but one (a single worker on a 2-core machine) would
    // run the files one after another, so files overlap their waiting instead.
    maxWorkers: 3,
    maxConcurrency: 32,
  },
});
