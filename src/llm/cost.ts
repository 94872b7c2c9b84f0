/**
 * Money spent, in USD. Prices are per 1K tokens. An explicit price (`--price-prompt/
 * --price-completion`) wins, then `settings.prices` (config), then the built-in table — which
 * applies only on OpenAI's own host: a model served elsewhere (vLLM, Ollama, llama.cpp, the
 * simulator) is not OpenAI's model even when it has the same name, so its cost is unknown and
 * counted as 0 with `costKnown: false`.
 */
import type { LlmSettings, ModelPrice, TokenUsage } from "./types.js";

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
export function priceFor(model: string, table: Readonly<Record<string, ModelPrice>> = BUILT_IN_PRICES): ModelPrice | undefined {
  if (table[model]) return table[model];
  const family = Object.keys(table)
    .filter((name) => model.startsWith(`${name}-`))
    .sort((a, b) => b.length - a.length)[0];
  return family ? table[family] : undefined;
}

/** Hosts whose model names mean the models of the built-in price table. */
const HOSTED_PRICE_HOSTS: ReadonlySet<string> = new Set(["api.openai.com"]);

export function isOpenAiHost(baseUrl: string): boolean {
  return HOSTED_PRICE_HOSTS.has(new URL(baseUrl).hostname.toLowerCase());
}

/** The price of the settings' model on the settings' endpoint, or undefined when unknown. */
export function priceForEndpoint(settings: Pick<LlmSettings, "baseUrl" | "model" | "prices" | "price">): ModelPrice | undefined {
  if (settings.price) return settings.price;
  const configured = priceFor(settings.model, settings.prices ?? {});
  if (configured) return configured;
  return isOpenAiHost(settings.baseUrl) ? priceFor(settings.model) : undefined;
}

export function costUsd(usage: TokenUsage, price: ModelPrice | undefined): number {
  if (!price) return 0;
  return (usage.promptTokens / 1000) * price.prompt + (usage.completionTokens / 1000) * price.completion;
}
