// A small account whose every figure can be added up by hand: eight spend events around
// Wednesday 2026-03-11 12:00 UTC (week from Monday 03-09, month from 03-01), three keys
// (`default` = API_KEY, `ci`, and `retired`, deleted: analytics names it, /keys does not list it).
import { API_KEY_HASH, DEFAULT_WORKSPACE_ID, RETIRED_KEY_HASH, keyHashOf, startStandIn, type SpendEvent, type StandIn, type StandInOptions } from './server.js';

export const NOW = '2026-03-11T12:00:00.000Z';
const CI = keyHashOf('ci');

const GPT = { model: 'openai/gpt-4.1', permaslug: 'openai/gpt-4.1-2025-04-14' };
const GROK = { model: 'x-ai/grok-4', permaslug: 'x-ai/grok-4-07-09' };
const SONNET = { model: 'anthropic/claude-sonnet-4', permaslug: 'anthropic/claude-4-sonnet-20250522' };

function event(
  at: string,
  keyHash: string,
  m: { model: string; permaslug: string },
  provider: string,
  usage: number,
  requests: number,
  prompt: number,
  completion: number,
  extra: { byok?: number; reasoning?: number } = {},
): SpendEvent {
  return {
    at,
    keyHash,
    workspaceId: DEFAULT_WORKSPACE_ID,
    ...m,
    provider,
    endpointId: `${m.model}|${provider}`,
    usage,
    byokUsage: extra.byok ?? 0,
    requests,
    promptTokens: prompt,
    completionTokens: completion,
    reasoningTokens: extra.reasoning ?? 0,
  };
}

/**
 * By hand (credit spend, $):
 *   today 03-11: 1.25 (default, gpt-4.1 OpenAI, 09:00) + 0.75 (ci, grok-4 xAI, 10:30, BYOK 0.50) = 2.00
 *   03-10: 2.00 (default, gpt-4.1 Azure); 03-09: 0.50 (retired, sonnet Anthropic)   → week 4.50
 *   03-05: 4.50 (ci, gpt-4.1 OpenAI); 03-02: 1.00 (default, sonnet Anthropic)      → month 10.00
 *   02-20: 4.00 (default, gpt-4.1 OpenAI); 2025-06-15: 6.00 (ci, sonnet Anthropic)
 * /keys sums: today 2.00, week 4.00, month 9.50 (the retired key's 0.50 is missing).
 * Pace: the 7 completed days 03-04..03-10 hold 2.00 + 0.50 + 4.50 = 7.00 → $1.00/day; 20.5 days
 * are left in March at noon on the 11th → 10.00 + 20.5 = 30.50.
 */
export function handEvents(): SpendEvent[] {
  return [
    event('2026-03-11T09:00:00.000Z', API_KEY_HASH, GPT, 'OpenAI', 1.25, 10, 1000, 500),
    event('2026-03-11T10:30:00.000Z', CI, GROK, 'xAI', 0.75, 5, 200, 300, { byok: 0.5, reasoning: 100 }),
    event('2026-03-10T15:00:00.000Z', API_KEY_HASH, GPT, 'Azure', 2, 8, 800, 400),
    event('2026-03-09T01:00:00.000Z', RETIRED_KEY_HASH, SONNET, 'Anthropic', 0.5, 2, 100, 50, { reasoning: 10 }),
    event('2026-03-05T12:00:00.000Z', CI, GPT, 'OpenAI', 4.5, 20, 2000, 1000),
    event('2026-03-02T08:00:00.000Z', API_KEY_HASH, SONNET, 'Anthropic', 1, 4, 400, 200, { reasoning: 40 }),
    event('2026-02-20T12:00:00.000Z', API_KEY_HASH, GPT, 'OpenAI', 4, 16, 1600, 800),
    event('2025-06-15T12:00:00.000Z', CI, SONNET, 'Anthropic', 6, 30, 3000, 1500, { reasoning: 300 }),
  ];
}

/**
 * The stand-in serving the hand-made account (analytics on unless `modes` says otherwise), its
 * /activity without today's rows, as the real one.
 */
export async function handStandIn(opts: Omit<StandInOptions, 'now'> = {}): Promise<StandIn> {
  const s = await startStandIn({ ...opts, now: new Date(NOW), modes: { activityIncludesToday: false, ...opts.modes } });
  s.setData({ events: handEvents() });
  return s;
}
