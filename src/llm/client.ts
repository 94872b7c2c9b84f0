/**
 * The one LLM client every stage uses: chat completions against any OpenAI-compatible endpoint,
 * with a concurrency cap, rpm/tpm limits, counted retries, per-request timeouts, an on-disk
 * response cache and running totals (tokens, money, retries by cause).
 *
 * The API key goes into the Authorization header and nowhere else; every message we raise passes
 * through `redactSecret` in case a server echoes it.
 */
import pLimit from "p-limit";
import { z } from "zod";
import { ResponseCache, cacheKey, seedFromKey, type CachedReply } from "./cache.js";
import type { BreakerPolicy, Clock } from "./breaker.js";
import { costUsd, priceForEndpoint, type PriceTier } from "./cost.js";
import { endpointsOf } from "./endpoints.js";
import { RequestShaper, type ChatBody } from "./requestShape.js";
import { estimateTokens } from "./limiter.js";
import { EndpointRouter, isEndpointFault, type EndpointLease } from "./router.js";
import type { ChatTransport } from "./transport.js";
import {
  DEFAULT_BACKOFF,
  type RequestRefusal,
  backoffDelayMs,
  classifyFailure,
  giveUpMessage,
  redactSecret,
  type AttemptFailure,
  type BackoffPolicy,
  type RetryCause,
} from "./retry.js";
import type { ChatReply, ChatRequest, FinishReason, LlmClient, LlmSettings, LlmTotals, TokenUsage } from "./types.js";

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
  /** Non-fatal problems (e.g. the cache cannot be written). Default: one line on stderr, once per kind. */
  onWarning?: (message: string) => void;
  /** Backoff timing; tests shorten it. */
  backoff?: Partial<BackoffPolicy>;
  /** Told of every HTTP request as it goes out and as it ends (the run directory's durable ledger). */
  ledger?: RequestLedger;
  /** Where chat requests go; default HTTP to each endpoint (batch mode passes its wave queue). */
  transport?: ChatTransport;
  /** Circuit breaker of each endpoint, when there are several; tests shorten it. */
  breaker?: Partial<BreakerPolicy>;
  /** The breakers' clock; tests drive it. */
  clock?: Clock;
}

export interface RequestLedger {
  sent(): void;
  /** With usage and cost when the attempt returned a completion; without for an error answer. */
  done(usage?: TokenUsage, costUsd?: number): void;
}

/** A request that failed for good: `retryable` is false for rejections (auth, bad request). */
export class LlmRequestError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    /** Set when the server refused this request for what it holds (HTTP 400/413/422: too long, invalid for this input). */
    readonly refusal?: RequestRefusal,
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

/** Totals before the first request (also the start of a sum over a run directory's attempts). */
export function emptyLlmTotals(): Required<Omit<LlmTotals, "costKnown" | "adaptations" | "endpoints">> {
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
  constructor(
    readonly failure: AttemptFailure,
    /** What the transport threw, for the request shaper to learn from. */
    readonly raw?: unknown,
  ) {
    super("attempt failed");
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createLlmClient(settings: LlmSettings, options: LlmClientOptions = {}): LlmClient {
  const router = new EndpointRouter(endpointsOf(settings), { breaker: options.breaker, clock: options.clock, transport: options.transport });
  const backoff: BackoffPolicy = { ...DEFAULT_BACKOFF, ...options.backoff };
  // Requests under way (sending or backing off); each HTTP attempt also takes an endpoint slot.
  const slots = pLimit(router.totalConcurrency);
  const cache = options.cacheDir ? new ResponseCache(options.cacheDir) : undefined;
  const price = priceForEndpoint(settings);
  // Batch and flex are billed at half the online price.
  const priceTier: PriceTier = settings.mode === "batch" ? "batch" : settings.serviceTier === "flex" ? "flex" : "online";
  const totals = emptyLlmTotals();
  const secrets = [...new Set([settings.apiKey, ...(settings.endpoints ?? []).map((e) => e.apiKey)])];
  const redact = (text: string) => secrets.reduce((redacted, secret) => redactSecret(redacted, secret), text);
  const warnCache = options.onWarning ?? warnOnceOnStderr();
  const warnContext = options.onWarning ?? warnOnceOnStderr();
  const warnTruncation = options.onWarning ?? warnOnceOnStderr();
  const shaper = new RequestShaper({ model: settings.model, contextTokens: settings.contextTokens, onContextFit: warnContext });

  function parseCompletion(completion: unknown, request: ChatRequest): ChatReply {
    const parsed = CompletionShape.safeParse(completion);
    if (!parsed.success) {
      throw new AttemptError({ retryable: false, message: `${settings.baseUrl} sent a reply that is not a chat completion (no choices[0].message)` });
    }
    const choice = parsed.data.choices[0] as (typeof parsed.data.choices)[number];
    const text = choice.message.content ?? "";
    const cachedTokens = parsed.data.usage?.prompt_tokens_details?.cached_tokens;
    const usage = parsed.data.usage
      ? {
          promptTokens: parsed.data.usage.prompt_tokens,
          completionTokens: parsed.data.usage.completion_tokens,
          ...(cachedTokens ? { providerCachedPromptTokens: cachedTokens } : {}),
        }
      : // Some local servers omit usage: fall back to the same estimate the limiter uses.
        { promptTokens: estimateTokens(request.messages, 0), completionTokens: Math.ceil(text.length / 4) };
    return { text, finishReason: toFinishReason(choice.finish_reason), usage, cached: false };
  }

  /** One HTTP request to the leased endpoint under the per-request timeout. */
  async function attemptOnce(request: ChatRequest, body: ChatBody, key: string, lease: EndpointLease): Promise<ChatReply> {
    totals.httpRequests++;
    options.ledger?.sent();
    const { endpoint } = lease;
    // Another endpoint may know the same model by another name.
    const sent = endpoint.model === settings.model ? body : { ...body, model: endpoint.model };
    let reply: ChatReply;
    try {
      const completion = await lease.transport.postChatCompletion(sent, settings.timeoutMs, key);
      reply = parseCompletion(completion, request);
    } catch (error) {
      options.ledger?.done();
      if (error instanceof AttemptError) throw error;
      throw new AttemptError(classifyFailure(error, { baseUrl: endpoint.baseUrl, model: endpoint.model, timeoutMs: settings.timeoutMs }), error);
    }
    options.ledger?.done(reply.usage, costUsd(reply.usage, price, priceTier));
    return reply;
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
  async function sendWithRetries(request: ChatRequest, seed: number, key: string): Promise<ChatReply> {
    const estimate = estimateTokens(request.messages, request.max_tokens);
    const failedOn = new Set<number>();
    for (let retryIndex = 0; ; ) {
      const lease = await router.acquire(estimate, failedOn);
      let failure: AttemptFailure;
      const body = { ...shaper.body(request, seed), ...(settings.serviceTier ? { service_tier: settings.serviceTier } : {}) };
      try {
        const reply = await attemptOnce(request, body, key, lease);
        router.release(lease, estimate, { ok: true, usage: reply.usage });
        const truncation = shaper.truncationWarning(request, reply.usage.promptTokens);
        if (truncation) warnTruncation(truncation);
        return reply;
      } catch (error) {
        if (!(error instanceof AttemptError)) throw error;
        failure = error.failure;
        router.release(lease, estimate, { ok: false, failure });
        // A 400 naming what the endpoint refuses (max_tokens on a reasoning model, a JSON mode):
        // the shaper changes that for the rest of the run and the request goes again, uncounted.
        if (!failure.retryable && shaper.adapt(error.raw, body)) continue;
      }
      if (!failure.retryable) {
        const refusal = failure.refusal && { ...failure.refusal, message: redact(failure.refusal.message) };
        throw new LlmRequestError(redact(failure.message), false, refusal);
      }
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
      warnCache(`could not write the response cache in ${cache.dir} (${error instanceof Error ? error.message : String(error)}); continuing without it`);
    }
  }

  async function chat(request: ChatRequest): Promise<ChatReply> {
    const key = cacheKey(settings.model, request);
    if (cache) {
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
        const fresh = await sendWithRetries(request, seedFromKey(key), key);
        storeInCache(key, fresh);
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
    totals: () => ({
      ...totals,
      retriesByCause: { ...totals.retriesByCause },
      costKnown: price !== undefined,
      adaptations: shaper.adaptations(),
      // Per-endpoint figures only say something when there are several endpoints.
      ...(router.size > 1 ? { endpoints: router.totals() } : {}),
    }),
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
