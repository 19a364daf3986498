/** Replaced at build time (tsup.config.ts, vitest.config.ts) with package.json's version. */
declare const __VERSION__: string;
