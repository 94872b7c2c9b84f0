/**
 * The OpenAI-compatible SIMULATOR: a TEST DOUBLE for offline runs, tests and benches — never a
 * model. It answers `POST /v1/chat/completions` with deterministic canned text from the handlers
 * in `handlers/` (and `POST /v1/embeddings` with hashed bag-of-token vectors, `embeddings.ts`),
 * can inject the faults real endpoints show (429, 500, hangs, damaged or cut replies), and
 * reports what it saw at `GET /sim/stats`. A profile (`profiles.ts`) makes it answer the way
 * llama.cpp, vLLM, Ollama or OpenAI do where they differ.
 *
 * Built on Node's `http` only and bound to 127.0.0.1. Latency is a timer, never busy work, so one
 * process serves hundreds of requests per second.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import { parseJsonOrUndefined } from "../io/json.js";
import { ChatMessage } from "../llm/types.js";
import { handlers as defaultHandlers } from "./handlers/index.js";
import { createRng, deriveSeed, hashString } from "./rng.js";
import { embeddingsReply } from "./embeddings.js";
import {
  FaultRates,
  damageReply,
  decideAttemptFault,
  decideBodyFault,
  truncateReply,
  type AttemptFault,
  type BodyFault,
} from "./faults.js";
import type { SimHandler, SimKnobs, SimReply, SimRequest } from "./types.js";
import { cachedPromptTokens, judgeContext, reasoningRefusal, serverProfile, type ErrorDetails, type ProfileName } from "./profiles.js";
import { createBatchService, type BatchSimStats } from "./batch.js";
import { readBodyBytes, sendJson } from "./http.js";

export const SIMULATOR_OWNER = "instructforge-simulator (test double)";
export const SIMULATOR_MODEL_ID = serverProfile("generic").modelId;
const MAX_BODY_BYTES = 32 * 1024 * 1024;

export interface SimulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: "127.0.0.1";
  seed?: number;
  /** Delay before every successful reply (fault replies are immediate, as real 429s are). */
  latencyMs?: number;
  fail429?: number;
  fail500?: number;
  hang?: number;
  malformed?: number;
  truncate?: number;
  /** What 429 replies ask the client to wait (`retry-after-ms`; `Retry-After` is this rounded up to seconds). */
  retryAfterMs?: number;
  /** When set, requests must carry `Authorization: Bearer <apiKey>` (to exercise auth errors). */
  apiKey?: string;
  knobs?: SimKnobs;
  /** Replace the handler list (tests); defaults to `handlers/index.ts`. */
  handlers?: readonly SimHandler[];
  /** Which real server to behave like (`profiles.ts`); default "generic", the simulator's own. */
  profile?: ProfileName;
  /** Context tokens per request, reported where the profile's server reports it and enforced its way. */
  context?: number;
  /** Behave as an OpenAI reasoning model: refuse max_tokens and non-default temperature/top_p. */
  reasoningModel?: boolean;
  /** Batch API (`batch.ts`): processing time of a batch, and injected failed / expired lines. */
  batchDelayMs?: number;
  batchFailRate?: number;
  batchExpireRate?: number;
  /**
   * Fault: the server dies when a request arrives after this many: that request and every reply
   * still owed are cut (connection reset), and later connections are refused.
   */
  dieAfterRequests?: number;
}

/** One chat request as received: its sampling seed and the hash of everything else in it. */
export interface SeedUse {
  seed: number | null;
  /** Hex hash of the body without its seed: equal for retries of one request. */
  request: string;
}

export interface SimStats {
  /** Chat-completion requests received (every attempt counts). */
  requests: number;
  requestsByKind: Record<string, number>;
  requestsByStatus: Record<string, number>;
  faults: Record<AttemptFault | BodyFault, number>;
  /** Replies sent with status 200. */
  completed: number;
  /** Requests received and not yet answered (waiting on latency, or hung). */
  inFlight: number;
  profile: ProfileName;
  /** Every parsed chat request's seed, in arrival order (tests check no two requests share one). */
  seeds: SeedUse[];
  /** The most requests that were in flight at once. */
  maxInFlight: number;
  /** Requests by the `service_tier` they asked for ("none" when absent). */
  requestsByServiceTier: Record<string, number>;
  /** Prompt tokens reported as served from the simulated prompt cache. */
  cachedPromptTokens: number;
}

export interface RunningSimulator {
  /** Base URL ending in `/v1`, e.g. `http://127.0.0.1:8787/v1`. */
  url: string;
  stats(): SimStats;
  /** What the Batch API saw: every submitted custom_id with the outcome of each submission. */
  batchStats(): BatchSimStats;
  /** Zero the stats and forget how often each body was seen (fault draws start over). */
  resetStats(): void;
  close(): Promise<void>;
}

const ChatBody = z.object({
  model: z.string().min(1),
  messages: z.array(ChatMessage).min(1),
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  stop: z.union([z.string(), z.array(z.string())]).nullish(),
  response_format: z.object({ type: z.string() }).nullish(),
  seed: z.number().int().nullish(),
  n: z.number().int().nullish(),
  service_tier: z.string().nullish(),
});
type ChatBody = z.infer<typeof ChatBody>;

function emptyStats(profile: ProfileName): SimStats {
  return {
    profile,
    seeds: [],
    requests: 0,
    requestsByKind: {},
    requestsByStatus: {},
    faults: { "429": 0, "500": 0, hang: 0, malformed: 0, truncate: 0 },
    completed: 0,
    inFlight: 0,
    maxInFlight: 0,
    requestsByServiceTier: {},
    cachedPromptTokens: 0,
  };
}

function increment(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/** Deterministic token count (no tokenizer: the simulator only needs stable, plausible numbers). */
export function simTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** The request fingerprint that replies and fault draws depend on. */
function bodyHashOf(body: ChatBody): number {
  const fingerprint = unseededFingerprint(body);
  // A sampling seed asks for a different sample of the same prompt, as it does on a real server.
  if (body.seed != null) fingerprint.push(body.seed);
  return hashString(JSON.stringify(fingerprint));
}

function unseededFingerprint(body: ChatBody): unknown[] {
  const messages = body.messages.map((m) => [m.role, m.content]);
  return [body.model, messages, body.temperature ?? null, body.top_p ?? null, maxTokensOf(body) ?? null];
}

function maxTokensOf(body: ChatBody): number | undefined {
  return body.max_tokens ?? body.max_completion_tokens ?? undefined;
}

function toSimRequest(body: ChatBody, jsonEnforced: boolean): SimRequest {
  const lastUser = [...body.messages].reverse().find((m) => m.role === "user");
  return {
    model: body.model,
    messages: body.messages,
    prompt: lastUser?.content ?? body.messages[body.messages.length - 1]?.content ?? "",
    temperature: body.temperature ?? undefined,
    maxTokens: maxTokensOf(body),
    json: jsonEnforced,
  };
}

/** What a real server does after generation: stop at a stop sequence, or cut at max_tokens (or the context's room). */
function applyDecodingLimits(reply: SimReply, body: ChatBody, replyRoom: number | undefined): SimReply {
  let { text } = reply;
  let finishReason = reply.finishReason ?? "stop";
  const stops = typeof body.stop === "string" ? [body.stop] : (body.stop ?? []);
  for (const stop of stops) {
    const at = stop ? text.indexOf(stop) : -1;
    if (at >= 0) {
      text = text.slice(0, at);
      finishReason = "stop";
    }
  }
  const asked = maxTokensOf(body);
  const maxTokens = asked === undefined ? replyRoom : replyRoom === undefined ? asked : Math.min(asked, replyRoom);
  if (maxTokens !== undefined && simTokens(text) > maxTokens) {
    text = text.slice(0, maxTokens * 4);
    finishReason = "length";
  }
  return { text, finishReason };
}


/**
 * A reply held to no JSON mode, the way a small model writes it when only the prompt asks for
 * JSON: the object inside a fence, with a line of prose before it.
 */
function asPlainText(reply: SimReply): SimReply {
  const text = reply.text.trim();
  if (!text.startsWith("{")) return reply;
  return { ...reply, text: `Here is the JSON you asked for:\n\n\`\`\`json\n${text}\n\`\`\`\n` };
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const bytes = await readBodyBytes(req, MAX_BODY_BYTES);
  if (!bytes) throw new Error("request body too large");
  return bytes.toString("utf8");
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const seed = options.seed ?? 1;
  const latencyMs = options.latencyMs ?? 0;
  const retryAfterMs = options.retryAfterMs ?? 1000;
  const knobs = options.knobs ?? {};
  const handlerList = options.handlers ?? defaultHandlers;
  const profile = serverProfile(options.profile);
  const context = options.context ?? profile.defaultContext;
  const rates = FaultRates.parse({
    fail429: options.fail429,
    fail500: options.fail500,
    hang: options.hang,
    malformed: options.malformed,
    truncate: options.truncate,
  });

  let stats = emptyStats(profile.name);
  /** How many attempts of each body were seen: per-attempt faults are drawn from this. */
  let attemptsByBody = new Map<number, number>();
  /** Prompts seen, by their first characters: the profile's prompt cache. */
  let promptPrefixes = new Map<string, string>();
  let chatUrl = "";
  const batchService = createBatchService({
    seed,
    delayMs: options.batchDelayMs ?? 0,
    failRate: options.batchFailRate ?? 0,
    expireRate: options.batchExpireRate ?? 0,
    apiKey: options.apiKey,
    chatUrl: () => chatUrl,
  });
  /** Responses we still owe (latency timers, hangs), so `close()` can end them. */
  const pending = new Set<http.ServerResponse>();

  function finish(res: http.ServerResponse, status: number, payload: unknown, headers?: Record<string, string>): void {
    pending.delete(res);
    stats.inFlight = pending.size;
    increment(stats.requestsByStatus, String(status));
    if (status === 200) stats.completed++;
    sendJson(res, status, payload, headers);
  }

  /** An error in the profile's own shape. */
  function refuse(res: http.ServerResponse, details: ErrorDetails, headers?: Record<string, string>): void {
    finish(res, details.status, profile.errorBody(details), headers);
  }

  function composeReply(handler: SimHandler, request: SimRequest, body: ChatBody, bodyHash: number, replyRoom: number | undefined, choice: number): SimReply {
    const rng = createRng(choice === 0 ? deriveSeed(seed, bodyHash) : deriveSeed(seed, bodyHash, `choice-${choice}`));
    const reply = handler.respond(request, rng, knobs);
    const fault = choice === 0 ? decideBodyFault(rates, seed, bodyHash) : undefined;
    if (fault) stats.faults[fault]++;
    const faultRng = createRng(deriveSeed(seed, bodyHash, "damage"));
    const damaged =
      fault === "malformed"
        ? (handler.malformed?.(request, faultRng) ?? damageReply(reply, faultRng))
        : fault === "truncate"
          ? truncateReply(reply, faultRng)
          : reply;
    const plain = request.json || profile.name === "generic" ? damaged : asPlainText(damaged);
    return applyDecodingLimits(plain, body, replyRoom);
  }

  function completionPayload(body: ChatBody, bodyHash: number, attempt: number, replies: SimReply[], promptTokens: number) {
    const prompt = body.messages.map((m) => m.content).join("");
    const perChoice = replies.map((reply) => simTokens(reply.text));
    // llama.cpp counts only the first choice when n > 1; the others count all.
    const completionTokens = profile.n === "firstCounted" ? (perChoice[0] ?? 0) : perChoice.reduce((sum, n) => sum + n, 0);
    const cached = cachedPromptTokens(profile, promptPrefixes, prompt, simTokens);
    stats.cachedPromptTokens += cached;
    return {
      id: `chatcmpl-sim-${bodyHash.toString(16)}-${attempt}`,
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model: profile.replyModelIsAlias ? profile.modelId : body.model,
      system_fingerprint: "instructforge-simulator",
      choices: replies.map((reply, index) => ({ index, message: { role: "assistant", content: reply.text }, finish_reason: reply.finishReason ?? "stop", logprobs: null })),
      usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens, ...profile.usageExtras(cached) },
      // As OpenAI does: the tier that served the request.
      ...(body.service_tier ? { service_tier: body.service_tier === "auto" ? "default" : body.service_tier } : {}),
    };
  }

  function sendAttemptFault(res: http.ServerResponse, fault: AttemptFault): void {
    stats.faults[fault]++;
    if (fault === "429") {
      const headers = { "retry-after-ms": String(retryAfterMs), "retry-after": String(Math.ceil(retryAfterMs / 1000)) };
      refuse(res, { status: 429, message: "simulated rate limit (test double)", type: "rate_limit_error", code: "rate_limit_exceeded" }, headers);
    } else if (fault === "500") {
      refuse(res, { status: 500, message: "simulated server error (test double)", type: "server_error" });
    }
    // "hang": never answer; the entry stays in `pending` until the client gives up or we close.
  }

  /** Parse and check the body the way the profile's server does; undefined when already refused. */
  function acceptBody(res: http.ServerResponse, raw: string): ChatBody | undefined {
    const json = parseJsonOrUndefined(raw);
    if (json === undefined) {
      refuse(res, { status: profile.malformedBodyStatus, message: "the request body is not valid JSON", type: profile.malformedBodyStatus >= 500 ? "server_error" : "invalid_request_error" });
      return undefined;
    }
    const parsed = ChatBody.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      refuse(res, { status: 400, message: `invalid request body at ${issue?.path.join(".") || "(root)"}: ${issue?.message}`, type: "invalid_request_error" });
      return undefined;
    }
    const body = parsed.data;
    stats.seeds.push({ seed: body.seed ?? null, request: hashString(JSON.stringify(unseededFingerprint(body))).toString(16) });
    const refusal = fieldRefusal(body);
    if (refusal) {
      refuse(res, refusal);
      return undefined;
    }
    return body;
  }

  function fieldRefusal(body: ChatBody): ErrorDetails | undefined {
    if (options.reasoningModel) {
      const refusal = reasoningRefusal(body);
      if (refusal) return refusal;
    }
    if (profile.n !== "ignored" && body.n != null && (body.n < 1 || body.n > profile.maxN)) {
      return { status: 400, message: `n must be from 1 to ${profile.maxN}, got ${body.n}`, type: "invalid_request_error", param: "n" };
    }
    if (body.response_format?.type === "json_schema" && profile.jsonSchema === "rejected") {
      return { status: 400, message: "Failed to initialize samplers", type: "invalid_request_error" };
    }
    return undefined;
  }

  /** True when the profile's server holds the reply to the JSON mode the body asks for. */
  function jsonEnforced(body: ChatBody): boolean {
    const type = body.response_format?.type;
    if (type === "json_object") return profile.jsonObject === "enforced";
    if (type === "json_schema") return profile.jsonSchema === "enforced";
    return false;
  }

  async function handleChat(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (options.dieAfterRequests !== undefined && stats.requests >= options.dieAfterRequests) {
      res.destroy();
      void shutdown().catch(() => undefined);
      return;
    }
    stats.requests++;
    pending.add(res);
    stats.inFlight = pending.size;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    res.on("close", () => {
      pending.delete(res);
      stats.inFlight = pending.size;
    });

    if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      const type = profile.name === "llamacpp" ? "authentication_error" : "invalid_request_error";
      refuse(res, { status: 401, message: "Incorrect API key provided (simulator).", type, code: "invalid_api_key" });
      return;
    }
    let raw: string;
    try {
      raw = await readBody(req);
    } catch {
      refuse(res, { status: 413, message: "request body too large", type: "invalid_request_error" });
      return;
    }
    const body = acceptBody(res, raw);
    if (!body) return;
    const request = toSimRequest(body, jsonEnforced(body));
    increment(stats.requestsByServiceTier, body.service_tier ?? "none");
    const handler = handlerList.find((h) => h.matches(request));
    if (!handler) {
      refuse(res, { status: 500, message: "no simulator handler matched (the catch-all is missing)", type: "server_error" });
      return;
    }
    increment(stats.requestsByKind, handler.kind);

    const bodyHash = bodyHashOf(body);
    const attempt = (attemptsByBody.get(bodyHash) ?? 0) + 1;
    attemptsByBody.set(bodyHash, attempt);
    const fault = decideAttemptFault(rates, seed, bodyHash, attempt);
    if (fault) {
      sendAttemptFault(res, fault);
      return;
    }
    const verdict = judgeContext(profile, context, simTokens(body.messages.map((m) => m.content).join("")), maxTokensOf(body));
    if (verdict.refusal) {
      refuse(res, verdict.refusal);
      return;
    }

    let replies: SimReply[];
    try {
      const choices = profile.n === "ignored" ? 1 : (body.n ?? 1);
      replies = Array.from({ length: choices }, (_, choice) => composeReply(handler, request, body, bodyHash, verdict.replyRoom, choice));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      refuse(res, { status: 500, message: `simulator handler '${handler.kind}' failed: ${message}`, type: "server_error" });
      return;
    }
    const payload = completionPayload(body, bodyHash, attempt, replies, verdict.promptTokens);
    if (latencyMs <= 0) {
      finish(res, 200, payload);
      return;
    }
    const timer = setTimeout(() => {
      if (!res.destroyed) finish(res, 200, payload);
    }, latencyMs);
    res.on("close", () => clearTimeout(timer));
  }

  function route(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "POST" && path === "/v1/chat/completions") {
      handleChat(req, res).catch((error: unknown) => {
        if (!res.headersSent) refuse(res, { status: 500, message: `simulator error: ${String(error)}`, type: "server_error" });
      });
    } else if (req.method === "POST" && path === "/v1/embeddings") {
      increment(stats.requestsByKind, "embeddings");
      readBody(req).then((raw) => sendJson(res, ...embeddingsReply(raw)), () => refuse(res, { status: 413, message: "request body too large", type: "invalid_request_error" }));
    } else if (req.method === "GET" && path === "/v1/models") {
      sendJson(res, 200, profile.models(context, SIMULATOR_OWNER));
    } else if (batchService.handle(req, res, path ?? "/")) {
      // the Batch and Files API (batch.ts)
    } else if (req.method === "GET" && path === "/sim/batch-stats") {
      sendJson(res, 200, batchService.stats());
    } else if (req.method === "GET" && path === "/sim/stats") {
      sendJson(res, 200, stats);
    } else if (req.method === "POST" && path === "/sim/reset") {
      resetStats();
      sendJson(res, 200, { ok: true });
    } else {
      sendJson(res, 404, profile.errorBody({ status: 404, message: `no route ${req.method} ${path} on the simulator (test double)`, type: "invalid_request_error" }));
    }
  }

  function resetStats(): void {
    stats = emptyStats(profile.name);
    stats.inFlight = pending.size;
    attemptsByBody = new Map();
    promptPrefixes = new Map();
    batchService.reset();
  }

  const server = http.createServer(route);
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  chatUrl = `http://${host}:${port}/v1/chat/completions`;
  let closing: Promise<void> | undefined;
  function shutdown(): Promise<void> {
    closing ??= new Promise<void>((resolve, reject) => {
      batchService.close();
      for (const res of pending) res.destroy();
      pending.clear();
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections();
    });
    return closing;
  }

  return {
    url: `http://${host}:${port}/v1`,
    stats: () => structuredClone(stats),
    batchStats: () => batchService.stats(),
    resetStats,
    close: shutdown,
  };
}
