/**
 * Money spent, in USD. Prices are per 1K tokens. An explicit price (`--price-prompt/
 * --price-completion`) wins, then `settings.prices` (config), then the built-in table — which
 * applies only on OpenAI's own host: a model served elsewhere (vLLM, Ollama, llama.cpp, the
 * simulator) is not OpenAI's model even when it has the same name, so its cost is unknown and
 * counted as 0 with `costKnown: false`.
 *
 * Three ways OpenAI bills the same tokens:
 * - prompt tokens its prompt cache served (`usage.prompt_tokens_details.cached_tokens`) at the
 *   model's cached-input rate;
 * - the `flex` service tier and the Batch API at half the standard rates (cached input included).
 */
import type { LlmSettings, ModelPrice, TokenUsage } from "./types.js";

/**
 * Standard-tier list prices (USD per 1M tokens on the page, per 1K here), from OpenAI's pricing
 * page (developers.openai.com/api/docs/pricing), looked up 2026-12-01 through public snapshots
 * of it: a post of 2026-11-06 that read the page on 2026-11-05, and price tables of March–June
 * 2026, which agree on the input/output rates. Cached input is a tenth of input for the gpt-5
 * family, a quarter for gpt-4.1, o3 and o4-mini, a half for gpt-4o, gpt-4o-mini, o1 and o3-mini
 * (one snapshot lists gpt-5 cached input at half; the page's own tenth is used). They change:
 * set `llm.prices` in the config to override, cached rate included.
 */
const PER_MILLION: Readonly<Record<string, readonly [prompt: number, cachedPrompt: number | undefined, completion: number]>> = {
  "gpt-5": [1.25, 0.125, 10],
  "gpt-5-mini": [0.25, 0.025, 2],
  "gpt-5-nano": [0.05, 0.005, 0.4],
  "gpt-4.1": [2, 0.5, 8],
  "gpt-4.1-mini": [0.4, 0.1, 1.6],
  "gpt-4.1-nano": [0.1, 0.025, 0.4],
  "gpt-4o": [2.5, 1.25, 10],
  "gpt-4o-mini": [0.15, 0.075, 0.6],
  o1: [15, 7.5, 60],
  o3: [2, 0.5, 8],
  "o3-mini": [1.1, 0.55, 4.4],
  "o4-mini": [1.1, 0.275, 4.4],
  "gpt-4-turbo": [10, undefined, 30],
  "gpt-3.5-turbo": [0.5, undefined, 1.5],
};

export const BUILT_IN_PRICES: Readonly<Record<string, ModelPrice>> = Object.fromEntries(
  Object.entries(PER_MILLION).map(([model, [prompt, cachedPrompt, completion]]) => [
    model,
    { prompt: prompt / 1000, completion: completion / 1000, ...(cachedPrompt === undefined ? {} : { cachedPrompt: cachedPrompt / 1000 }) },
  ]),
);

/**
 * Models the flex tier is offered for (OpenAI's flex processing guide: o3, o4-mini and the gpt-5
 * family); others answer a flex request with HTTP 400. Dated snapshots match by prefix.
 */
const FLEX_MODELS = ["gpt-5", "gpt-5-mini", "gpt-5-nano", "o3", "o4-mini"];

export function flexOffered(model: string): boolean {
  return FLEX_MODELS.some((name) => model === name || model.startsWith(`${name}-`) || model.startsWith(`${name}.`));
}

/** How a request is billed: standard online, the flex tier, or the Batch API. */
export type PriceTier = "online" | "flex" | "batch";

/** Share of the standard price each tier pays: flex and batch are half price, cached input included. */
export const TIER_MULTIPLIER: Readonly<Record<PriceTier, number>> = { online: 1, flex: 0.5, batch: 0.5 };

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

/** Cost of one reply's tokens; provider-cached prompt tokens at the cached rate when the model has one. */
export function costUsd(usage: TokenUsage, price: ModelPrice | undefined, tier: PriceTier = "online"): number {
  if (!price) return 0;
  const cached = Math.min(usage.providerCachedPromptTokens ?? 0, usage.promptTokens);
  const cachedRate = price.cachedPrompt ?? price.prompt;
  const standard = ((usage.promptTokens - cached) / 1000) * price.prompt + (cached / 1000) * cachedRate + (usage.completionTokens / 1000) * price.completion;
  return standard * TIER_MULTIPLIER[tier];
}

/** What the Batch API charges for these tokens (half the standard rates); for batch mode. */
export function batchCostUsd(usage: TokenUsage, price: ModelPrice | undefined): number {
  return costUsd(usage, price, "batch");
}

export interface CostByTier {
  model: string;
  /** Undefined for a local or unknown model: no price is known, so no cost is claimed. */
  price: ModelPrice | undefined;
  online: number | undefined;
  flex: number | undefined;
  batch: number | undefined;
}

/**
 * The same estimated tokens priced online, on the flex tier and through the Batch API, side by
 * side (the dry run shows them). Prompt-cache hits are not assumed: the figures are upper bounds.
 */
export function costByTier(tokens: TokenUsage, model: string, overrides?: Readonly<Record<string, ModelPrice>>): CostByTier {
  const price = priceFor(model, overrides);
  const at = (tier: PriceTier) => (price ? costUsd(tokens, price, tier) : undefined);
  return { model, price, online: at("online"), flex: flexOffered(model) ? at("flex") : undefined, batch: at("batch") };
}

/** "online $1.20 · flex $0.60 · batch $0.60", or why there is no figure. */
export function formatCostByTier(costs: CostByTier): string {
  if (!costs.price) return `no price known for ${costs.model} (local or unknown model): set llm.prices to compare online, flex and batch cost`;
  const usd = (value: number | undefined) => (value === undefined ? "not offered" : `$${value.toFixed(2)}`);
  return `online ${usd(costs.online)} · flex ${usd(costs.flex)} · batch ${usd(costs.batch)} (flex: --service-tier flex; batch: the Batch API; both half price; no prompt-cache hits assumed)`;
}
