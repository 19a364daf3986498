/** Kept apart from watch.ts so that --help can show them without loading the report path. */
export const MIN_WATCH_SECONDS = 30;
export const DEFAULT_WATCH_SECONDS = 60;
