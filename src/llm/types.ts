/**
 * The contract between stages and the LLM layer. Stages build `ChatRequest`s and read `ChatReply`s;
 * nothing here knows about Alpaca records.
 */
import { z } from "zod";
import { BatchSettings, LlmMode, ServiceTier } from "./batch/settings.js";
import { EndpointSettings } from "./endpoints.js";
import type { EndpointTotals } from "./router.js";

export const ChatMessage = z.object({
  role: z.enum(["system", "user", "assistant"]),
  content: z.string(),
});
export type ChatMessage = z.infer<typeof ChatMessage>;

export interface ChatRequest {
  messages: ChatMessage[];
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  stop?: string[];
  /** Ask for a JSON object reply (`response_format: {type: "json_object"}` where the endpoint takes it). */
  json?: boolean;
  /**
   * Ask for JSON of this shape (`response_format: {type: "json_schema"}`), falling back to
   * `json_object` and then to the prompt alone on an endpoint that refuses it (see
   * `llm/structured.ts`, which builds it from a zod schema).
   */
  jsonSchema?: { name: string; schema: Record<string, unknown> };
  /**
   * Distinguishes repeated identical requests that should get independent samples
   * (part of the cache key). Default 0.
   */
  sampleIndex?: number;
}

export type FinishReason = "stop" | "length" | "content_filter" | "tool_calls" | "function_call" | "unknown";

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  /**
   * The part of `promptTokens` the provider served from its own prompt cache
   * (`usage.prompt_tokens_details.cached_tokens`), billed at the cached rate.
   */
  providerCachedPromptTokens?: number;
}

export interface ChatReply {
  text: string;
  finishReason: FinishReason;
  usage: TokenUsage;
  /** True when replayed from the on-disk cache (no HTTP request was made). */
  cached: boolean;
}

export interface LlmTotals {
  /** Chat completions returned (cached or not). */
  replies: number;
  /** HTTP requests actually sent, retries included. */
  httpRequests: number;
  cacheHits: number;
  retries: number;
  /** Retries by cause: "429", "5xx", "timeout", "connection". */
  retriesByCause: Record<string, number>;
  failures: number;
  /** Tokens of every reply, cached ones included. */
  promptTokens: number;
  completionTokens: number;
  /** The part of the token counts above that was replayed from the cache (free). */
  cachedPromptTokens?: number;
  cachedCompletionTokens?: number;
  /** Prompt tokens of fresh replies that the provider's prompt cache served (billed lower). */
  providerCachedPromptTokens?: number;
  /** Attempts moved to another endpoint after a connection failure, timeout or 5xx (not counted as retries). */
  failovers?: number;
  /** Requests, tokens and errors per endpoint, when there are several. */
  endpoints?: EndpointTotals[];
  /** Money actually spent: replies from the cache cost nothing. */
  costUsd: number;
  /**
   * False when no price is known for the model on this endpoint (a local or unknown model):
   * tokens are counted, `costUsd` stays 0 and means "unknown", not "free".
   */
  costKnown?: boolean;
  /** How requests were adapted to what the endpoint refused (max_completion_tokens, JSON mode …). */
  adaptations?: string[];
}

/** What every stage receives. Implemented in `src/llm/client.ts`. */
export interface LlmClient {
  readonly model: string;
  chat(request: ChatRequest): Promise<ChatReply>;
  totals(): LlmTotals;
}

/**
 * USD per 1K tokens. Unknown and local models cost 0. `cachedPrompt` prices prompt tokens the
 * provider served from its prompt cache; without it they cost the full prompt rate.
 */
export const ModelPrice = z.object({ prompt: z.number().nonnegative(), completion: z.number().nonnegative(), cachedPrompt: z.number().nonnegative().optional() });
export type ModelPrice = z.infer<typeof ModelPrice>;

/**
 * How the model was chosen: named (`--model`, config, INSTRUCTFORGE_MODEL), kept from the earlier
 * run being resumed, discovered as the endpoint's only model, the old default on OpenAI's host or
 * an unreachable endpoint ("default"), or the old default on an endpoint listing no model.
 */
export const ModelSource = z.enum(["given", "earlier run", "discovered", "default", "unlisted"]);
export type ModelSource = z.infer<typeof ModelSource>;

/** Endpoint and limits, from CLI flags / env / config. The key is never written anywhere. */
export const LlmSettings = z.object({
  baseUrl: z
    .string()
    .url("must be a URL such as http://127.0.0.1:8000/v1")
    .refine((url) => /^https?:\/\//i.test(url), "must be an http:// or https:// URL such as http://127.0.0.1:8000/v1"),
  apiKey: z.string().min(1),
  model: z.string().min(1),
  concurrency: z.number().int().positive().default(8),
  rpm: z.number().positive().optional(),
  tpm: z.number().positive().optional(),
  timeoutMs: z.number().int().positive().default(120_000),
  maxRetries: z.number().int().nonnegative().default(6),
  prices: z.record(z.string(), ModelPrice).optional(),
  /** A price set explicitly (`--price-prompt/--price-completion`): wins over every table. */
  price: ModelPrice.optional(),
  /** Tokens one request may use, prompt and reply (what the endpoint's `/v1/models` reports). */
  contextTokens: z.number().int().positive().optional(),
  /** How `model` was chosen (`llm/discovery.ts`); absent when the caller named it directly. */
  modelSource: ModelSource.optional(),
  /** "batch": requests go through the Batch API in waves of 2 × `concurrency` (see src/llm/batch/settings.ts). Default online. */
  mode: LlmMode.optional(),
  batch: BatchSettings.partial().optional(),
  /** Sent as `service_tier` (OpenAI); "flex" is billed at half price. */
  serviceTier: ServiceTier.optional(),
  /**
   * Several endpoints serving the model (`--base-url` repeated, or `llm.endpoints`); absent for
   * one. `baseUrl`/`apiKey`/`concurrency` above are then the first endpoint's and the sum.
   */
  endpoints: z.array(EndpointSettings).min(1).optional(),
});
export type LlmSettings = z.infer<typeof LlmSettings>;
