/** What a request costs in each mode: the Batch API bills half the online price. */
import type { ModelPrice } from "../types.js";
import { BATCH_PRICE_FACTOR, type LlmMode } from "./settings.js";

export function modePrice(price: ModelPrice | undefined, mode: LlmMode | undefined): ModelPrice | undefined {
  if (!price || mode !== "batch") return price;
  return { prompt: price.prompt * BATCH_PRICE_FACTOR, completion: price.completion * BATCH_PRICE_FACTOR };
}
