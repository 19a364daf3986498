/**
 * The defaults of the report's flags, in one place: commander's options (program.ts) and the
 * status-bar fast path (status-bar.ts), which answers a cached `--format oneline` without commander,
 * must agree.
 */
export const DEFAULTS = {
  days: 7,
  top: 4,
  by: 'model',
  scope: 'account',
  timeout: 20,
  deadline: 45,
} as const;
