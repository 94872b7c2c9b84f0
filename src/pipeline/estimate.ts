/**
 * `run --dry-run`: what a pipeline will cost before it spends anything. Per stage: expected
 * requests, prompt and completion tokens, and money from the price table — without one call.
 *
 * Prompt tokens are counted on the real prompts (rendered from the stage's own templates with
 * sampled seeds/records) with the model's tokenizer when the model family is known, else
 * estimated at 4 characters per token. Request counts come from the stage's parameters and the
 * assumed acceptance rates below, which were measured against the SIMULATOR (a test double):
 * a real model accepts and rejects differently, so treat the figures as an order of magnitude.
 */
import { costByTier, formatCostByTier, priceForEndpoint } from "../llm/cost.js";
import type { LlmSettings, ModelPrice } from "../llm/types.js";
import { readRecordFile } from "../io/records.js";
import { STAGES } from "../stages/index.js";
import type { PipelineConfig } from "./config.js";
import { formatInt, tokenCounterFor, type EstimateContext, type StageEstimate } from "./estimateKit.js";
import { formatTable, workStages } from "./runPipeline.js";

export { ASSUMED, tokenCounterFor, type StageEstimate } from "./estimateKit.js";

export interface PipelineEstimate {
  model: string;
  tokenizer: string;
  price?: ModelPrice;
  stages: StageEstimate[];
}

export async function estimatePipeline(config: PipelineConfig, llm: LlmSettings): Promise<PipelineEstimate> {
  const count = tokenCounterFor(llm.model);
  const context: EstimateContext = { config, count, price: priceForEndpoint(llm), window: llm.concurrency * 2 };
  const stages: StageEstimate[] = [];
  let records = config.input ? (await readRecordFile(config.input)).items.length : 0;
  let previous: string | undefined;
  for (const stage of workStages(config)) {
    const definition = STAGES[stage.name];
    const estimate = await (definition.estimate as (options: typeof stage.options, recordsIn: number, context: EstimateContext, previous?: string) => Promise<StageEstimate>)(stage.options, records, context, previous);
    previous = stage.name;
    stages.push(estimate);
    records = estimate.recordsOut;
  }
  return { model: llm.model, tokenizer: count.name, price: context.price, stages };
}

export function formatEstimate(estimate: PipelineEstimate): string {
  const rows = estimate.stages.map((s) => [s.name, formatInt(s.recordsOut), formatInt(s.requests), formatInt(s.promptTokens), formatInt(s.completionTokens), `$${s.costUsd.toFixed(2)}`]);
  const total = (pick: (s: StageEstimate) => number) => estimate.stages.reduce((sum, s) => sum + pick(s), 0);
  rows.push(["total", "", formatInt(total((s) => s.requests)), formatInt(total((s) => s.promptTokens)), formatInt(total((s) => s.completionTokens)), `$${total((s) => s.costUsd).toFixed(2)}`]);
  const price = estimate.price ? `$${estimate.price.prompt}/1K prompt, $${estimate.price.completion}/1K completion` : "no price known (local or unknown model): cost shown as $0; set llm.prices to price it";
  return [
    `Dry run — no requests sent. Model ${estimate.model}; tokens: ${estimate.tokenizer}; price: ${price}.`,
    "",
    formatTable(["stage", "records out", "requests", "prompt tokens", "completion tokens", "cost"], rows),
    "",
    `Cost by tier: ${formatCostByTier(costByTier({ promptTokens: total((s) => s.promptTokens), completionTokens: total((s) => s.completionTokens) }, estimate.model, estimate.price && { [estimate.model]: estimate.price }))}`,
    "",
    "Assumptions:",
    ...estimate.stages.flatMap((s) => s.assumptions.map((a) => `  - ${a}`)),
    "",
    "Acceptance rates were measured against the instructforge SIMULATOR (a test double); a real model accepts and",
    "rejects differently, so expect the real request count and cost to differ. Resumed runs replay finished requests for free.",
  ].join("\n");
}
