/**
 * The one LLM client every stage uses: chat completions against any OpenAI-compatible endpoint,
 * with a concurrency cap, rpm/tpm limits, counted retries, per-request timeouts, an on-disk
 * response cache and running totals (tokens, money, retries by cause).
 *
 * The API key goes into the Authorization header and nowhere else; every message we raise passes
 * through `redactSecret` in case a server echoes it.
 */
import type OpenAI from "openai";
import pLimit from "p-limit";
import { z } from "zod";
import { ResponseCache, cacheKey, type CachedReply } from "./cache.js";
import type { BreakerPolicy, Clock } from "./breaker.js";
import { costUsd, priceFor } from "./cost.js";
import { endpointsOf } from "./endpoints.js";
import { estimateTokens } from "./limiter.js";
import { EndpointRouter, isEndpointFault, type EndpointLease } from "./router.js";
import {
  DEFAULT_BACKOFF,
  backoffDelayMs,
  classifyFailure,
  giveUpMessage,
  redactSecret,
  type AttemptFailure,
  type BackoffPolicy,
  type RetryCause,
} from "./retry.js";
import type { ChatReply, ChatRequest, FinishReason, LlmClient, LlmSettings, LlmTotals } from "./types.js";

export interface RetryEvent {
  /** 1 for the first retry. */
  retry: number;
  maxRetries: number;
  cause: RetryCause;
  /** What went wrong, e.g. "HTTP 429 (rate limited)" or "connection refused". */
  detail: string;
  delayMs: number;
}

export interface LlmClientOptions {
  /** Directory of the response cache; no caching when absent. */
  cacheDir?: string;
  onRetry?: (event: RetryEvent) => void;
  /** Non-fatal problems (e.g. the cache cannot be written). Default: one line on stderr, once. */
  onWarning?: (message: string) => void;
  /** Backoff timing; tests shorten it. */
  backoff?: Partial<BackoffPolicy>;
  /** Circuit breaker of each endpoint, when there are several; tests shorten it. */
  breaker?: Partial<BreakerPolicy>;
  /** The breakers' clock; tests drive it. */
  clock?: Clock;
}

/** A request that failed for good: `retryable` is false for rejections (auth, bad request). */
export class LlmRequestError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = "LlmRequestError";
  }
}

/** The parts of a chat completion we rely on, checked rather than trusted. */
const CompletionShape = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({ content: z.string().nullish() }),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1),
  usage: z
    .object({
      prompt_tokens: z.number().nonnegative(),
      completion_tokens: z.number().nonnegative(),
      prompt_tokens_details: z.object({ cached_tokens: z.number().nonnegative().nullish() }).nullish(),
    })
    .nullish(),
});

const KNOWN_FINISH_REASONS: ReadonlySet<string> = new Set(["stop", "length", "content_filter", "tool_calls", "function_call"]);

function toFinishReason(value: string | null | undefined): FinishReason {
  return value && KNOWN_FINISH_REASONS.has(value) ? (value as FinishReason) : "unknown";
}

function emptyTotals(): Required<Omit<LlmTotals, "endpoints">> {
  return {
    replies: 0,
    httpRequests: 0,
    cacheHits: 0,
    retries: 0,
    retriesByCause: {},
    failures: 0,
    promptTokens: 0,
    completionTokens: 0,
    cachedPromptTokens: 0,
    cachedCompletionTokens: 0,
    providerCachedPromptTokens: 0,
    failovers: 0,
    costUsd: 0,
  };
}

/** Thrown inside one attempt, carrying the classified failure out to the retry loop. */
class AttemptError extends Error {
  constructor(readonly failure: AttemptFailure) {
    super("attempt failed");
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createLlmClient(settings: LlmSettings, options: LlmClientOptions = {}): LlmClient {
  const router = new EndpointRouter(endpointsOf(settings), { breaker: options.breaker, clock: options.clock });
  const backoff: BackoffPolicy = { ...DEFAULT_BACKOFF, ...options.backoff };
  // Requests under way (sending or backing off); each HTTP attempt also takes an endpoint slot.
  const slots = pLimit(router.totalConcurrency);
  const cache = options.cacheDir ? new ResponseCache(options.cacheDir) : undefined;
  const price = priceFor(settings.model, settings.prices);
  const priceTier = settings.serviceTier === "flex" ? "flex" : "online";
  const totals = emptyTotals();
  const secrets = [...new Set([settings.apiKey, ...(settings.endpoints ?? []).map((e) => e.apiKey)])];
  const redact = (text: string) => secrets.reduce((redacted, secret) => redactSecret(redacted, secret), text);
  const warn = options.onWarning ?? warnOnceOnStderr();

  function requestBody(request: ChatRequest): OpenAI.Chat.ChatCompletionCreateParamsNonStreaming {
    return {
      model: settings.model,
      messages: request.messages,
      temperature: request.temperature,
      top_p: request.top_p,
      // OpenAI's reasoning models (o-series, gpt-5) reject max_tokens; every other server expects it.
      ...(usesMaxCompletionTokens(settings.model) ? { max_completion_tokens: request.max_tokens } : { max_tokens: request.max_tokens }),
      stop: request.stop,
      response_format: request.json ? { type: "json_object" } : undefined,
      // A repeated request that wants a fresh sample (a retry after an unusable reply) gets its own
      // sampling seed; OpenAI, vLLM, Ollama and llama.cpp's server all accept `seed`.
      seed: request.sampleIndex ? request.sampleIndex : undefined,
      service_tier: settings.serviceTier,
    };
  }

  function parseCompletion(completion: unknown, request: ChatRequest): ChatReply {
    const parsed = CompletionShape.safeParse(completion);
    if (!parsed.success) {
      throw new AttemptError({ retryable: false, message: `${settings.baseUrl} sent a reply that is not a chat completion (no choices[0].message)` });
    }
    const choice = parsed.data.choices[0] as (typeof parsed.data.choices)[number];
    const text = choice.message.content ?? "";
    const usage = parsed.data.usage
      ? {
          promptTokens: parsed.data.usage.prompt_tokens,
          completionTokens: parsed.data.usage.completion_tokens,
          ...(parsed.data.usage.prompt_tokens_details?.cached_tokens ? { providerCachedPromptTokens: parsed.data.usage.prompt_tokens_details.cached_tokens } : {}),
        }
      : // Some local servers omit usage: fall back to the same estimate the limiter uses.
        { promptTokens: estimateTokens(request.messages, 0), completionTokens: Math.ceil(text.length / 4) };
    return { text, finishReason: toFinishReason(choice.finish_reason), usage, cached: false };
  }

  /** One HTTP request to the leased endpoint under the per-request timeout. */
  async function attemptOnce(request: ChatRequest, lease: EndpointLease): Promise<ChatReply> {
    totals.httpRequests++;
    const { endpoint } = lease;
    try {
      const body = requestBody(request);
      // Another endpoint may know the same model by another name.
      if (endpoint.model !== settings.model) body.model = endpoint.model;
      const completion = await lease.transport.postChatCompletion(body, settings.timeoutMs);
      return parseCompletion(completion, request);
    } catch (error) {
      if (error instanceof AttemptError) throw error;
      throw new AttemptError(classifyFailure(error, { baseUrl: endpoint.baseUrl, model: endpoint.model, timeoutMs: settings.timeoutMs }));
    }
  }

  function retryDelay(failure: AttemptFailure & { retryable: true }, retryIndex: number): number {
    if (failure.retryAfterMs === undefined) return backoffDelayMs(retryIndex, backoff);
    // Honour the server's wait, plus a little jitter so waiting clients don't return in lockstep.
    const asked = Math.min(failure.retryAfterMs, backoff.maxMs);
    return Math.round(asked + Math.random() * asked * 0.1);
  }

  /**
   * Attempts until success, a rejection, or the retries run out. An endpoint fault (refused or
   * reset connection, timeout, 5xx) moves the request at once to another endpoint it has not
   * failed on; only when none is left does it count as a retry and back off.
   */
  async function sendWithRetries(request: ChatRequest): Promise<ChatReply> {
    const estimate = estimateTokens(request.messages, request.max_tokens);
    const failedOn = new Set<number>();
    for (let retryIndex = 0; ; ) {
      const lease = await router.acquire(estimate, failedOn);
      let failure: AttemptFailure;
      try {
        const reply = await attemptOnce(request, lease);
        router.release(lease, estimate, { ok: true, usage: reply.usage });
        return reply;
      } catch (error) {
        if (!(error instanceof AttemptError)) throw error;
        failure = error.failure;
      }
      router.release(lease, estimate, { ok: false, failure });
      if (!failure.retryable) throw new LlmRequestError(redact(failure.message), false);
      failedOn.add(lease.index);
      if (isEndpointFault(failure) && router.hasAlternative(failedOn)) {
        totals.failovers++;
        continue;
      }
      failedOn.clear();
      if (retryIndex >= settings.maxRetries) throw new LlmRequestError(redact(giveUpMessage(lease.endpoint.baseUrl, retryIndex, failure)), true);

      const delayMs = retryDelay(failure, retryIndex);
      totals.retries++;
      totals.retriesByCause[failure.cause] = (totals.retriesByCause[failure.cause] ?? 0) + 1;
      options.onRetry?.({ retry: retryIndex + 1, maxRetries: settings.maxRetries, cause: failure.cause, detail: redact(failure.detail), delayMs });
      await sleep(delayMs);
      retryIndex++;
    }
  }

  function recordReply(reply: ChatReply): void {
    totals.replies++;
    totals.promptTokens += reply.usage.promptTokens;
    totals.completionTokens += reply.usage.completionTokens;
    if (reply.cached) {
      totals.cacheHits++;
      totals.cachedPromptTokens += reply.usage.promptTokens;
      totals.cachedCompletionTokens += reply.usage.completionTokens;
    } else {
      totals.providerCachedPromptTokens += reply.usage.providerCachedPromptTokens ?? 0;
      totals.costUsd += costUsd(reply.usage, price, priceTier);
    }
  }

  function storeInCache(key: string, reply: CachedReply): void {
    if (!cache) return;
    try {
      cache.put(key, settings.model, reply);
    } catch (error) {
      warn(`could not write the response cache in ${cache.dir} (${error instanceof Error ? error.message : String(error)}); continuing without it`);
    }
  }

  async function chat(request: ChatRequest): Promise<ChatReply> {
    const key = cache ? cacheKey(settings.model, request) : undefined;
    if (cache && key) {
      const hit = cache.get(key);
      if (hit) {
        const reply: ChatReply = { ...hit, cached: true };
        recordReply(reply);
        return reply;
      }
    }
    let reply: ChatReply;
    try {
      // The reply is cached before its slot is freed: a kill can then lose at most the replies
      // still in flight, never finished ones waiting for a cache write behind new requests.
      reply = await slots(async () => {
        const fresh = await sendWithRetries(request);
        if (key) storeInCache(key, fresh);
        return fresh;
      });
    } catch (error) {
      totals.failures++;
      throw error;
    }
    recordReply(reply);
    return reply;
  }

  return {
    model: settings.model,
    chat,
    totals: () => {
      // Per-endpoint figures only say something when there are several endpoints.
      return { ...totals, retriesByCause: { ...totals.retriesByCause }, ...(router.size > 1 ? { endpoints: router.totals() } : {}) };
    },
  };
}

function warnOnceOnStderr(): (message: string) => void {
  let warned = false;
  return (message) => {
    if (warned) return;
    warned = true;
    process.stderr.write(`instructforge: warning: ${message}\n`);
  };
}

function usesMaxCompletionTokens(model: string): boolean {
  return /^(o\d|gpt-5)/.test(model);
}
