/**
 * What every stage's dry-run estimate is made of: the assumed acceptance rates, a token counter
 * (the model's tokenizer when its family is known, else 4 characters per token), the sizes of the
 * records a stage will see, and money. Each stage's own estimate lives in its definition.
 */
import { getEncoding, type Tiktoken } from "js-tiktoken";
import { costUsd } from "../llm/cost.js";
import type { ModelPrice } from "../llm/types.js";
import { readRecordFile, readUtf8Text } from "../io/records.js";
import { promptPath } from "../prompts.js";
import { createRng, deriveSeed } from "../text/rng.js";
import { defaultSeedsPath } from "../stages/selfInstruct/settings.js";
import type { ExampleTask } from "../stages/selfInstruct/seeds.js";
import type { PipelineConfig } from "./config.js";

/**
 * Measured on the SIMULATOR with the default options (test/pipeline/run.test.ts checks the
 * totals stay within 25% of a real simulator run). A real model accepts and rejects differently.
 *
 * generate: a task passes the rules at `generateFirstAccepted`; the ROUGE-L novelty check then
 * rejects more as the pool grows — acceptance(n) = first × halfPool / (halfPool + n) after n kept.
 * On the simulator: ~73% of parsed tasks kept for 200 and for 2,000 records (5 simulator seeds);
 * the half-pool point is an assumption for large runs, not a measurement.
 */
export const ASSUMED = {
  generateFirstAccepted: 0.75,
  generateHalfPool: 50_000,
  evolvePassed: 0.9,
  /** Share of evolutions that reach the LLM judge (the rest fail cheap rules first). */
  evolveJudged: 0.96,
  /** After generate nearly nothing is left to drop (its ROUGE-L check already ran); after evolve, ~30%. */
  dedupKeptAfterGenerate: 0.99,
  dedupKept: 0.7,
  filterKept: 0.9,
  /** Share of judged records at or above the default 4.5 cut-off. */
  judgeKept: 0.6,
  translateKept: 0.9,
  /** Extra requests for failed or cut translations. */
  translateRetries: 0.1,
};

/** Prompts rendered to measure their length: enough to average out the sampled examples. */
export const SAMPLED_PROMPTS = 24;

export interface StageEstimate {
  name: string;
  recordsIn: number;
  recordsOut: number;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  assumptions: string[];
}

export interface EstimateContext {
  config: PipelineConfig;
  count: TokenCounter;
  price?: ModelPrice;
  /** Requests in flight at once: the stage overshoots its target by about this many. */
  window: number;
}

export function keepShare(name: string, recordsIn: number, share: number, note: string): StageEstimate {
  const recordsOut = Math.round(recordsIn * share);
  const assumptions = [`${name}: ${note}; ~${percent(share)} of records kept → ~${formatInt(recordsOut)}`];
  return { name, recordsIn, recordsOut, requests: 0, promptTokens: 0, completionTokens: 0, costUsd: 0, assumptions };
}

export async function promptTokens(name: string, context: EstimateContext): Promise<number> {
  return context.count.count(await readUtf8Text(promptPath(name)));
}

export interface RecordSizes {
  instruction: number;
  input: number;
  output: number;
}

/** Average field sizes in tokens: of the input file when there is one, else of the seed tasks. */
export async function recordSizes(context: EstimateContext): Promise<RecordSizes> {
  const file = context.config.input ?? defaultSeedsPath(context.config.lang);
  const items = (await readRecordFile(file)).items.slice(0, 500);
  const average = (field: keyof RecordSizes) => mean(items.map((item) => context.count.count(item.record[field])));
  return { instruction: average("instruction"), input: average("input"), output: average("output") };
}

/** Same kind of draw as the stage (distinct seeds per unit); only the average length matters here. */
export function sampleSeeds(seeds: readonly ExampleTask[], k: number, seed: number, unit: number): ExampleTask[] {
  const rng = createRng(deriveSeed(seed, "estimate", unit));
  const picked = new Set<number>();
  while (picked.size < Math.min(k, seeds.length)) picked.add(rng.int(seeds.length));
  return [...picked].map((i) => seeds[i]!);
}

export interface TokenCounter {
  name: string;
  count(text: string): number;
}

/** The model's own tokenizer when its family is known; 4 characters per token otherwise. */
export function tokenCounterFor(model: string): TokenCounter {
  const encoding = encodingFor(model);
  if (!encoding) return { name: "estimated (4 characters per token; model's tokenizer unknown)", count: (text) => Math.ceil(text.length / 4) };
  let encoder: Tiktoken | undefined;
  return {
    name: encoding,
    count: (text) => (encoder ??= getEncoding(encoding)).encode(text).length,
  };
}

export function encodingFor(model: string): "o200k_base" | "cl100k_base" | undefined {
  const name = model.toLowerCase().replace(/^openai\//, "");
  if (/^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o1|o3|o4|chatgpt-4o)/.test(name)) return "o200k_base";
  if (/^(gpt-3\.5|gpt-4)/.test(name)) return "cl100k_base";
  return undefined;
}

export function withCost(estimate: Omit<StageEstimate, "costUsd">, context: EstimateContext): StageEstimate {
  const promptTokens = Math.round(estimate.promptTokens);
  const completionTokens = Math.round(estimate.completionTokens);
  return { ...estimate, promptTokens, completionTokens, costUsd: costUsd({ promptTokens, completionTokens }, context.price) };
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

export const percent = (share: number) => `${Math.round(share * 100)}%`;

export const formatInt = (n: number) => Math.round(n).toLocaleString("en-US");
