// Preload for test/startup.test.ts: records every module the CLI loads into $TRACE_LOADS_FILE.
import { register } from 'node:module';

register(
  'data:text/javascript,' +
    encodeURIComponent(`
import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (process.env.TRACE_LOADS_FILE) appendFileSync(process.env.TRACE_LOADS_FILE, url + '\\n');
  return next(url, context);
}`),
);
