import { addDays } from '../base/time.js';
/**
 * Sample answers for --demo, shaped exactly like OpenRouter's (see shared/openrouter-api.md) and run
 * through the same validation, aggregation and rendering as live ones. Activity dates are written
 * relative to SAMPLE_TODAY and moved to the real today, so the demo's window is never empty.
 */
export const SAMPLE_TODAY = '2025-08-25';

export const sampleKey = {
  data: {
    label: 'sk-or-v1-d3m...0a1',
    usage: 41.27381,
    usage_daily: 1.23412,
    usage_weekly: 4.5602,
    usage_monthly: 7.8873,
    byok_usage: 0,
    byok_usage_daily: 0,
    byok_usage_weekly: 0,
    byok_usage_monthly: 0,
    limit: null,
    limit_remaining: null,
    limit_reset: null,
    include_byok_in_limit: false,
    is_free_tier: false,
    is_management_key: false,
    is_provisioning_key: false,
    rate_limit: { requests: -1, interval: '10s', note: 'This field is deprecated and safe to ignore.' },
    free_model_daily_requests: { limit: 1000, remaining: 1000, used: 0 },
    allowed_data_regions: ['global'],
    expires_at: null,
  },
};

const keyDefaults = {
  include_byok_in_limit: false,
  byok_usage: 0,
  byok_usage_daily: 0,
  byok_usage_weekly: 0,
  byok_usage_monthly: 0,
  created_at: '2025-03-02T09:00:00Z',
  updated_at: null,
  creator_user_id: 'user_demo',
  external_user: null,
  workspace_id: null,
};

export const sampleKeyList = {
  data: [
    {
      ...keyDefaults,
      hash: 'd3m0000000000000000000000000000000000000000000000000000000000001',
      name: 'laptop',
      label: sampleKey.data.label,
      disabled: false,
      limit: null,
      limit_remaining: null,
      limit_reset: null,
      usage: sampleKey.data.usage,
      usage_daily: sampleKey.data.usage_daily,
      usage_weekly: sampleKey.data.usage_weekly,
      usage_monthly: sampleKey.data.usage_monthly,
    },
    {
      ...keyDefaults,
      hash: 'd3m0000000000000000000000000000000000000000000000000000000000002',
      name: 'agent in CI',
      label: 'sk-or-v1-c1a...7f2',
      disabled: false,
      limit: 25,
      limit_remaining: 19.5561,
      limit_reset: 'monthly',
      usage: 12.6321,
      usage_daily: 0.0412,
      usage_weekly: 0.3108,
      usage_monthly: 5.4439,
    },
    {
      ...keyDefaults,
      hash: 'd3m0000000000000000000000000000000000000000000000000000000000003',
      name: 'old phone',
      label: 'sk-or-v1-99b...e04',
      disabled: true,
      limit: null,
      limit_remaining: null,
      limit_reset: null,
      usage: 0.41226,
      usage_daily: 0,
      usage_weekly: 0,
      usage_monthly: 0,
    },
  ],
};

export const sampleCredits = { data: { total_credits: 50, total_usage: 42.31807 } };

const models: { model: string; slug: string; provider: string; perDay: number; requests: number; prompt: number; completion: number; reasoning: number }[] = [
  { model: 'openai/gpt-4.1', slug: 'openai/gpt-4.1-2025-04-14', provider: 'OpenAI', perDay: 0.118, requests: 4, prompt: 21000, completion: 3100, reasoning: 0 },
  { model: 'openai/gpt-4.1', slug: 'openai/gpt-4.1-2025-04-14', provider: 'Azure', perDay: 0.0391, requests: 2, prompt: 7200, completion: 1000, reasoning: 0 },
  {
    model: 'anthropic/claude-sonnet-4',
    slug: 'anthropic/claude-4-sonnet-20250522',
    provider: 'Anthropic',
    perDay: 0.1284,
    requests: 1,
    prompt: 18000,
    completion: 4900,
    reasoning: 1200,
  },
  {
    model: 'google/gemini-2.5-pro',
    slug: 'google/gemini-2.5-pro',
    provider: 'Google AI Studio',
    perDay: 0.0612,
    requests: 3,
    prompt: 15000,
    completion: 4000,
    reasoning: 2500,
  },
  {
    model: 'deepseek/deepseek-chat-v3.1',
    slug: 'deepseek/deepseek-chat-v3.1',
    provider: 'DeepInfra',
    perDay: 0.0047,
    requests: 6,
    prompt: 9000,
    completion: 2100,
    reasoning: 0,
  },
  {
    model: 'meta-llama/llama-3.3-70b-instruct:free',
    slug: 'meta-llama/llama-3.3-70b-instruct',
    provider: 'Together',
    perDay: 0,
    requests: 5,
    prompt: 4000,
    completion: 900,
    reasoning: 0,
  },
];

export const sampleActivity = {
  data: Array.from({ length: 30 }, (_, index) => index + 1).flatMap((daysAgo) =>
    models
      // A quieter weekend-like rhythm, so the breakdown is not a flat multiple of one day.
      .filter((_, i) => (daysAgo + i) % 5 !== 0)
      .map((m, i) => {
        const factor = 1 + ((daysAgo * 7 + i * 3) % 5) / 4;
        return {
          date: daysAgoFrom(SAMPLE_TODAY, daysAgo),
          model: m.model,
          model_permaslug: m.slug,
          endpoint_id: `00000000-0000-4000-8000-${(i + 1).toString().padStart(12, '0')}`,
          provider_name: m.provider,
          usage: Number((m.perDay * factor).toFixed(6)),
          byok_usage_inference: 0,
          requests: Math.round(m.requests * factor),
          prompt_tokens: Math.round(m.prompt * factor),
          completion_tokens: Math.round(m.completion * factor),
          reasoning_tokens: Math.round(m.reasoning * factor),
        };
      }),
  ),
};

function daysAgoFrom(day: string, daysAgo: number): string {
  return addDays(day, -daysAgo);
}
