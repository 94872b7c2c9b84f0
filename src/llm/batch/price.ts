/** What a request costs: the Batch API and the `flex` service tier bill half the online price. */
import type { ModelPrice } from "../types.js";
import { BATCH_PRICE_FACTOR, type LlmMode, type ServiceTier } from "./settings.js";

export function discountedPrice(price: ModelPrice | undefined, billing: { mode?: LlmMode; serviceTier?: ServiceTier }): ModelPrice | undefined {
  if (!price || (billing.mode !== "batch" && billing.serviceTier !== "flex")) return price;
  return { prompt: price.prompt * BATCH_PRICE_FACTOR, completion: price.completion * BATCH_PRICE_FACTOR };
}
