import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

export default defineConfig({
  entry: { cli: 'src/cli.ts' },
  format: 'esm',
  target: 'node20',
  platform: 'node',
  outDir: 'dist',
  clean: true,
  minify: true,
  splitting: true,
  sourcemap: false,
  // Every runtime package is bundled: `npx openrouter-usage` downloads one small tarball and installs nothing.
  noExternal: [/.*/],
  define: { __VERSION__: JSON.stringify(version) },
  // undici is CommonJS and calls require(); an ESM bundle has no require of its own.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
});
