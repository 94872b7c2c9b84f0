/**
 * Money spent, in USD. Prices are per 1K tokens. `settings.prices` (config) wins over the built-in
 * table; unknown and local models (vLLM, Ollama, the simulator) cost 0.
 */
import type { ModelPrice, TokenUsage } from "./types.js";

/**
 * Standard (non-batch, non-cached-input) list prices from https://openai.com/api/pricing as of
 * 2025-06. They change: set `prices` in the config to override.
 */
export const BUILT_IN_PRICES: Readonly<Record<string, ModelPrice>> = {
  "gpt-4o-mini": { prompt: 0.00015, completion: 0.0006 },
  "gpt-4o": { prompt: 0.0025, completion: 0.01 },
  "gpt-4.1": { prompt: 0.002, completion: 0.008 },
  "gpt-4.1-mini": { prompt: 0.0004, completion: 0.0016 },
  "gpt-4.1-nano": { prompt: 0.0001, completion: 0.0004 },
  "gpt-4-turbo": { prompt: 0.01, completion: 0.03 },
  "gpt-3.5-turbo": { prompt: 0.0005, completion: 0.0015 },
};

/**
 * Exact name first, then the longest table entry the name extends with "-", so dated snapshots
 * ("gpt-4o-mini-2024-07-18") get their family's price without matching "gpt-4o" by accident.
 */
export function priceFor(model: string, overrides: Readonly<Record<string, ModelPrice>> = {}): ModelPrice | undefined {
  for (const table of [overrides, BUILT_IN_PRICES]) {
    if (table[model]) return table[model];
    const family = Object.keys(table)
      .filter((name) => model.startsWith(`${name}-`))
      .sort((a, b) => b.length - a.length)[0];
    if (family) return table[family];
  }
  return undefined;
}

export function costUsd(usage: TokenUsage, price: ModelPrice | undefined): number {
  if (!price) return 0;
  return (usage.promptTokens / 1000) * price.prompt + (usage.completionTokens / 1000) * price.completion;
}
