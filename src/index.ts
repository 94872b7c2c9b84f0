/**
 * instructforge as a library. Every stage is one async function taking its options (typed from the
 * same zod schemas the YAML config is checked with) and a runtime: the endpoint, an AbortSignal,
 * a progress callback. Nothing here touches `process`: no signal handlers, no exit, no argv.
 *
 *   import { generate, dedup } from "instructforge";
 *   const llm = { baseUrl: "http://127.0.0.1:8000/v1", apiKey: "local", model: "qwen2.5-7b" };
 *   await generate({ out: "out/gen", num: 500 }, { llm });
 *   await dedup({ in: "out/gen/data.jsonl", out: "out/dedup" }, {});
 */
import type { z } from "zod";
import { UserError } from "./errors.js";
import { createLlmClient as createClient, type LlmClientOptions } from "./llm/client.js";
import { LlmSettings, type LlmClient } from "./llm/types.js";
import { callStage, type StageInvocation } from "./pipeline/stageCalls.js";
import { STAGE_OPTIONS, type StageName, type StageOptions } from "./pipeline/config.js";
import type { Language } from "./schemas.js";
import type { StageContext, StageProgress } from "./runtime/stageRun.js";
import { STAGES } from "./stages/index.js";

export { LlmRequestError, type LlmClientOptions } from "./llm/client.js";
export type { ChatMessage, ChatReply, ChatRequest, LlmClient, LlmTotals, TokenUsage } from "./llm/types.js";
export { LlmSettings } from "./llm/types.js";
export { AlpacaRecord, Language, RecordMeta, RejectedRecord, SeedTask, recordId } from "./schemas.js";
export { PipelineConfig, loadPipelineConfig, parsePipelineConfig, STAGE_OPTIONS, type StageName, type StageOptions } from "./pipeline/config.js";
export { runPipeline, type PipelineRunOptions, type PipelineSummary } from "./pipeline/runPipeline.js";
export { estimatePipeline, formatEstimate } from "./pipeline/estimate.js";
export { STAGES } from "./stages/index.js";
export type { StageDefinition } from "./stages/definition.js";
export { StageInterrupted, type StageContext, type StageProgress } from "./runtime/stageRun.js";
export { UserError };

/**
 * A client for one endpoint: concurrency cap, rpm/tpm limits, counted retries, timeouts, an optional
 * on-disk response cache (`cacheDir`) and running totals. Settings are checked (and defaulted) here.
 */
export function createLlmClient(settings: z.input<typeof LlmSettings>, options: LlmClientOptions = {}): LlmClient {
  return createClient(LlmSettings.parse(settings), options);
}

/** What a library call needs besides the stage's own options. */
export interface StageRuntime {
  /** The endpoint; required by stages that call a model (dedup and a rules-only filter need none). */
  llm?: z.input<typeof LlmSettings>;
  /** Abort to stop: what was committed is kept and the call rejects with `StageInterrupted`. */
  signal?: AbortSignal;
  onProgress?: (progress: StageProgress) => void;
  /** Notes a CLI would print (resuming, simulator endpoint …). */
  log?: (line: string) => void;
  /** Move a different earlier run in `out` aside instead of refusing it. */
  restart?: boolean;
}

/** Where a stage reads and writes, plus the pipeline-wide settings it takes. */
export interface StageLocation {
  /** The run directory (created; an identical call resumes it). */
  out: string;
  /** Records to read (Alpaca JSON/JSONL or seed JSONL); every stage but generate needs it. */
  in?: string;
  lang?: Language;
  /** Seed of every random choice (default 1, as in a config). */
  seed?: number;
}

type StageFunction<K extends Exclude<StageName, "export">> = (options: StageOptions<K> & StageLocation, runtime?: StageRuntime) => Promise<void>;

function stageFunction<K extends Exclude<StageName, "export">>(name: K): StageFunction<K> {
  return async (options, runtime = {}) => {
    const { out, in: inputPath, lang = "en", seed = 1, ...rest } = options;
    // The same check a config gets: a value the CLI would refuse is refused here too.
    const stageOptions = STAGE_OPTIONS[name].parse(rest) as StageOptions<K>;
    const context: StageContext = { signal: runtime.signal, onProgress: runtime.onProgress, log: runtime.log, restart: runtime.restart };
    const call = { stage: { name, options: stageOptions }, inputPath, outDir: out, lang, seed, llm: llmOf(name, stageOptions, runtime), context } as StageInvocation;
    await callStage(call);
  };
}

/** Stages that never call a model still take a (never used) endpoint in the shared call shape. */
const NO_ENDPOINT: LlmSettings = LlmSettings.parse({ baseUrl: "http://no-endpoint.invalid/v1", apiKey: "unused", model: "none" });

function llmOf<K extends Exclude<StageName, "export">>(name: K, options: StageOptions<K>, runtime: StageRuntime): LlmSettings {
  if (runtime.llm !== undefined) return LlmSettings.parse(runtime.llm);
  if (!(STAGES[name].callsModel as (o: StageOptions<K>) => boolean)(options)) return NO_ENDPOINT;
  throw new UserError(`${name} calls a model: pass { llm: { baseUrl, apiKey, model } } as its runtime`, 2);
}

/** Self-Instruct: grow seed tasks into `num` new records. */
export const generate = stageFunction("generate");
/** Evol-Instruct over the records of `in`. */
export const evolve = stageFunction("evolve");
/** Fill in empty outputs. */
export const answer = stageFunction("answer");
/** Exact → MinHash LSH → ROUGE-L deduplication (no model). */
export const dedup = stageFunction("dedup");
/** Heuristic rules, optional LLM judge and complexity scores, top-K. */
export const filter = stageFunction("filter");
/** Translate into Simplified Chinese, keeping code and structure intact. */
export const translate = stageFunction("translate");
