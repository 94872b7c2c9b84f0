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
import { getEncoding, type Tiktoken } from "js-tiktoken";
import { costByTier, costUsd, formatCostByTier, priceForEndpoint } from "../llm/cost.js";
import type { LlmSettings, ModelPrice } from "../llm/types.js";
import { readRecordFile, readUtf8Text } from "../io/records.js";
import { promptPath } from "../prompts.js";
import { createRng, deriveSeed } from "../text/rng.js";
import { defaultPromptPath, formatExamples, loadPromptTemplate, renderPrompt } from "../stages/selfInstruct/prompt.js";
import { DEFAULT_TASKS_PER_REQUEST, defaultSeedsPath } from "../stages/selfInstruct/settings.js";
import { DEFAULT_JUDGE_BATCH } from "../stages/filter/config.js";
import { loadSeeds, type ExampleTask } from "../stages/selfInstruct/seeds.js";
import { EVOLVE_DEFAULTS } from "../stages/evolve/defaults.js";
import type { PipelineConfig, StageConfig, StageOptions } from "./config.js";
import { formatTable, workStages } from "./runPipeline.js";

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
const SAMPLED_PROMPTS = 24;

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

export interface PipelineEstimate {
  model: string;
  tokenizer: string;
  price?: ModelPrice;
  stages: StageEstimate[];
}

interface Context {
  config: PipelineConfig;
  count: TokenCounter;
  price?: ModelPrice;
  /** Requests in flight at once: the stage overshoots its target by about this many. */
  window: number;
}

export async function estimatePipeline(config: PipelineConfig, llm: LlmSettings): Promise<PipelineEstimate> {
  const count = tokenCounterFor(llm.model);
  const context: Context = { config, count, price: priceForEndpoint(llm), window: llm.concurrency * 2 };
  const stages: StageEstimate[] = [];
  let records = config.input ? (await readRecordFile(config.input)).items.length : 0;
  let previous: string | undefined;
  for (const stage of workStages(config)) {
    const estimate = await estimateStage(stage, records, context, previous);
    previous = stage.name;
    stages.push(estimate);
    records = estimate.recordsOut;
  }
  return { model: llm.model, tokenizer: count.name, price: context.price, stages };
}

async function estimateStage(stage: Exclude<StageConfig, { name: "export" }>, recordsIn: number, context: Context, previous?: string): Promise<StageEstimate> {
  switch (stage.name) {
    case "generate":
      return estimateGenerate(stage.options, context);
    case "evolve":
      return estimateEvolve(stage.options, recordsIn, context);
    case "answer":
      return estimateAnswer(recordsIn, context);
    case "translate":
      return estimateTranslate(stage.options, recordsIn, context);
    case "dedup":
      return keepShare("dedup", recordsIn, previous === "generate" ? ASSUMED.dedupKeptAfterGenerate : ASSUMED.dedupKept, "no LLM calls");
    case "filter":
      return stage.options.judge === true || stage.options.complexity === true
        ? estimateScoredFilter(stage.options, recordsIn, context)
        : keepShare("filter", recordsIn, ASSUMED.filterKept, "heuristic rules, no LLM calls");
  }
}

function keepShare(name: string, recordsIn: number, share: number, note: string): StageEstimate {
  const recordsOut = Math.round(recordsIn * share);
  const assumptions = [`${name}: ${note}; ~${percent(share)} of records kept → ~${formatInt(recordsOut)}`];
  return { name, recordsIn, recordsOut, requests: 0, promptTokens: 0, completionTokens: 0, costUsd: 0, assumptions };
}

// ---------------------------------------------------------------------------------------------
// generate

async function estimateGenerate(options: StageOptions<"generate">, context: Context): Promise<StageEstimate> {
  const { lang, seed } = context.config;
  const examples = options.examples ?? 3;
  const tasksPerRequest = options.tasksPerRequest ?? DEFAULT_TASKS_PER_REQUEST[lang];
  const newPerRequest = tasksPerRequest - examples - (options.machineExamples ?? 0);
  const seeds = await loadSeeds(options.seeds ?? defaultSeedsPath(lang), examples);
  const template = await loadPromptTemplate(options.prompt ?? defaultPromptPath(lang), lang);

  const prompts = Array.from({ length: SAMPLED_PROMPTS }, (_, unit) => renderPrompt(template, sampleSeeds(seeds, examples, seed, unit), tasksPerRequest));
  const promptPerRequest = mean(prompts.map((p) => context.count.count(p)));
  // A reply is a list in the examples' own layout: price each new task at an average seed task.
  const taskTokens = mean(seeds.map((s) => context.count.count(formatExamples([s], lang))));
  const completionPerRequest = Math.min(newPerRequest * taskTokens, options.maxTokens ?? 3072);

  const replies = Math.ceil(generateRequests(options.num, newPerRequest));
  // The launch window stays full until the target is reached; the requests in it then are
  // paid for (and waited for, so the manifest counts them) though their tasks are not needed.
  const inFlightAtEnd = context.window;
  const requests = replies + inFlightAtEnd;
  const lastAcceptance = ASSUMED.generateFirstAccepted * acceptanceDecay(options.num);
  const assumptions = [
    `generate: ${newPerRequest} new tasks/request; ${percent(ASSUMED.generateFirstAccepted)} accepted at first, falling to ${percent(lastAcceptance)} ` +
      `as the ROUGE-L novelty check fills up (half at ${formatInt(ASSUMED.generateHalfPool)} kept, assumed) → ~${formatInt(replies)} requests for ${formatInt(options.num)} records, + ~${inFlightAtEnd} still in flight at the end`,
    `generate: ~${Math.round(promptPerRequest)} prompt tokens/request (measured on ${SAMPLED_PROMPTS} rendered prompts), ~${Math.round(completionPerRequest)} completion tokens/request (${newPerRequest} tasks × ~${Math.round(taskTokens)} tokens, the size of a seed task)`,
  ];
  return withCost({ name: "generate", recordsIn: 0, recordsOut: options.num, requests, promptTokens: requests * promptPerRequest, completionTokens: requests * completionPerRequest, assumptions }, context);
}

function acceptanceDecay(kept: number): number {
  return ASSUMED.generateHalfPool / (ASSUMED.generateHalfPool + kept);
}

/** ∫₀ᴺ dn / (tasks × acceptance(n)): requests to keep N records under the decaying acceptance. */
function generateRequests(num: number, newPerRequest: number): number {
  const perRequestAtStart = newPerRequest * ASSUMED.generateFirstAccepted;
  return (num + (num * num) / (2 * ASSUMED.generateHalfPool)) / perRequestAtStart;
}

// ---------------------------------------------------------------------------------------------
// evolve, answer, translate: per record, on the input records (or seed tasks standing in for
// records an earlier stage will make)

async function estimateEvolve(options: StageOptions<"evolve">, recordsIn: number, context: Context): Promise<StageEstimate> {
  const rounds = options.rounds ?? 4;
  const answer = options.answer ?? true;
  const sizes = await recordSizes(context);
  const evolveTemplate = mean(await Promise.all(EVOLVE_PROMPTS.map((name) => promptTokens(name, context))));
  const judgeTemplate = await promptTokens("evol_judge.txt", context);
  const answerSystem = await promptTokens(`answer.system.${context.config.lang}.txt`, context);

  const attempts = recordsIn * rounds;
  const judged = attempts * ASSUMED.evolveJudged;
  const answered = answer ? attempts * ASSUMED.evolvePassed : 0;
  // An evolved instruction is longer than its parent: the prompt asks for 10–20 more words.
  const evolved = sizes.instruction + 20;
  const promptTokensTotal = attempts * (evolveTemplate + sizes.instruction + sizes.input) + judged * (judgeTemplate + sizes.instruction + evolved) + answered * (answerSystem + evolved + sizes.input);
  const completionTokensTotal = attempts * evolved + judged * 3 + answered * sizes.output;
  const recordsOut = Math.round(attempts * ASSUMED.evolvePassed + ((options.keepOriginal ?? EVOLVE_DEFAULTS.keepOriginal) ? recordsIn : 0));
  const assumptions = [
    `evolve: ${formatInt(recordsIn)} records × ${rounds} round(s); per attempt 1 rewrite + ${percent(ASSUMED.evolveJudged)} judged${answer ? ` + ${percent(ASSUMED.evolvePassed)} answered` : ""}; ${percent(ASSUMED.evolvePassed)} of evolutions pass → ~${formatInt(recordsOut)} records`,
  ];
  return withCost({ name: "evolve", recordsIn, recordsOut, requests: Math.round(attempts + judged + answered), promptTokens: promptTokensTotal, completionTokens: completionTokensTotal, assumptions }, context);
}

async function estimateAnswer(recordsIn: number, context: Context): Promise<StageEstimate> {
  const sizes = await recordSizes(context);
  const system = await promptTokens(`answer.system.${context.config.lang}.txt`, context);
  const assumptions = [`answer: one request per record, assuming every output is empty (records that have one pass through for free)`];
  return withCost({ name: "answer", recordsIn, recordsOut: recordsIn, requests: recordsIn, promptTokens: recordsIn * (system + sizes.instruction + sizes.input), completionTokens: recordsIn * sizes.output, assumptions }, context);
}

async function estimateTranslate(options: StageOptions<"translate">, recordsIn: number, context: Context): Promise<StageEstimate> {
  const perRequest = options.recordsPerRequest ?? 1;
  const sizes = await recordSizes(context);
  const template = await promptTokens("translate.zh.txt", context);
  const recordTokens = sizes.instruction + sizes.input + sizes.output;
  const requests = Math.ceil((recordsIn / perRequest) * (1 + ASSUMED.translateRetries));
  const recordsOut = Math.round(recordsIn * ASSUMED.translateKept);
  const assumptions = [
    `translate: ${perRequest} record(s)/request, ${percent(ASSUMED.translateRetries)} retried, ${percent(ASSUMED.translateKept)} kept → ~${formatInt(requests)} requests; Chinese takes about as many tokens as the English source`,
  ];
  return withCost({ name: "translate", recordsIn, recordsOut, requests, promptTokens: requests * (template + perRequest * recordTokens), completionTokens: requests * perRequest * recordTokens, assumptions }, context);
}

/**
 * filter with --judge and/or --complexity: the rules run first (free), then each scored kind sends
 * one request per batch of the records that passed them. A judge reply is a short JSON rating per
 * record; a complexity reply a score per instruction.
 */
async function estimateScoredFilter(options: StageOptions<"filter">, recordsIn: number, context: Context): Promise<StageEstimate> {
  const batch = options.judgeBatch ?? DEFAULT_JUDGE_BATCH;
  const sizes = await recordSizes(context);
  const afterRules = recordsIn * ASSUMED.filterKept;
  const requestsPer = Math.ceil(afterRules / batch);
  const kinds = [
    options.judge === true && { name: "judge", template: await promptTokens("judge_quality.txt", context), perRecord: sizes.instruction + sizes.input + sizes.output, reply: 40 },
    options.complexity === true && { name: "complexity", template: await promptTokens("judge_complexity.txt", context), perRecord: sizes.instruction, reply: 8 },
  ].filter((kind): kind is { name: string; template: number; perRecord: number; reply: number } => kind !== false);
  const requests = requestsPer * kinds.length;
  const promptTokensTotal = kinds.reduce((sum, kind) => sum + requestsPer * kind.template + afterRules * kind.perRecord, 0);
  const completionTokensTotal = kinds.reduce((sum, kind) => sum + afterRules * kind.reply, 0);
  const recordsOut = Math.round(options.top !== undefined ? Math.min(options.top, afterRules) : afterRules * (options.judge === true ? ASSUMED.judgeKept : 1));
  const assumptions = [
    `filter: rules keep ~${percent(ASSUMED.filterKept)}; then ${kinds.map((k) => k.name).join(" + ")}: ${batch} record(s)/request → ~${formatInt(requests)} requests` +
      (options.judge === true ? `; ~${percent(ASSUMED.judgeKept)} score at or above the cut-off (simulator)` : ""),
  ];
  return withCost({ name: "filter", recordsIn, recordsOut, requests, promptTokens: promptTokensTotal, completionTokens: completionTokensTotal, assumptions }, context);
}

const EVOLVE_PROMPTS = ["evol_add_constraints.txt", "evol_deepen.txt", "evol_concretize.txt", "evol_increase_reasoning.txt", "evol_complicate_input.txt", "evol_breadth.txt"];

async function promptTokens(name: string, context: Context): Promise<number> {
  return context.count.count(await readUtf8Text(promptPath(name)));
}

interface RecordSizes {
  instruction: number;
  input: number;
  output: number;
}

/** Average field sizes in tokens: of the input file when there is one, else of the seed tasks. */
async function recordSizes(context: Context): Promise<RecordSizes> {
  const file = context.config.input ?? defaultSeedsPath(context.config.lang);
  const items = (await readRecordFile(file)).items.slice(0, 500);
  const average = (field: keyof RecordSizes) => mean(items.map((item) => context.count.count(item.record[field])));
  return { instruction: average("instruction"), input: average("input"), output: average("output") };
}

/** Same kind of draw as the stage (distinct seeds per unit); only the average length matters here. */
function sampleSeeds(seeds: readonly ExampleTask[], k: number, seed: number, unit: number): ExampleTask[] {
  const rng = createRng(deriveSeed(seed, "estimate", unit));
  const picked = new Set<number>();
  while (picked.size < Math.min(k, seeds.length)) picked.add(rng.int(seeds.length));
  return [...picked].map((i) => seeds[i]!);
}

// ---------------------------------------------------------------------------------------------
// tokens, money, output

interface TokenCounter {
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

function encodingFor(model: string): "o200k_base" | "cl100k_base" | undefined {
  const name = model.toLowerCase().replace(/^openai\//, "");
  if (/^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o1|o3|o4|chatgpt-4o)/.test(name)) return "o200k_base";
  if (/^(gpt-3\.5|gpt-4)/.test(name)) return "cl100k_base";
  return undefined;
}

function withCost(estimate: Omit<StageEstimate, "costUsd">, context: Context): StageEstimate {
  const promptTokens = Math.round(estimate.promptTokens);
  const completionTokens = Math.round(estimate.completionTokens);
  return { ...estimate, promptTokens, completionTokens, costUsd: costUsd({ promptTokens, completionTokens }, context.price) };
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

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

const percent = (share: number) => `${Math.round(share * 100)}%`;
const formatInt = (n: number) => Math.round(n).toLocaleString("en-US");

