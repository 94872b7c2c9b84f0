/**
 * The OpenAI-compatible SIMULATOR: a TEST DOUBLE for offline runs, tests and benches — never a
 * model. It answers `POST /v1/chat/completions` with deterministic canned text from the handlers
 * in `handlers/`, can inject the faults real endpoints show (429, 500, hangs, damaged or cut
 * replies), and reports what it saw at `GET /sim/stats`.
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
import { SimPromptCache, promptCacheText } from "./promptCache.js";
import { createRng, deriveSeed, hashString } from "./rng.js";
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

export const SIMULATOR_OWNER = "instructforge-simulator (test double)";
export const SIMULATOR_MODEL_ID = "instructforge-simulator";
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
  /**
   * Fault: the server dies when a request arrives after this many: that request and every reply
   * still owed are cut (connection reset), and later connections are refused.
   */
  dieAfterRequests?: number;
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
  service_tier: z.string().nullish(),
});
type ChatBody = z.infer<typeof ChatBody>;

function emptyStats(): SimStats {
  return {
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
  const messages = body.messages.map((m) => [m.role, m.content]);
  const fingerprint: unknown[] = [body.model, messages, body.temperature ?? null, body.top_p ?? null, maxTokensOf(body) ?? null];
  // A sampling seed asks for a different sample of the same prompt, as it does on a real server.
  if (body.seed != null) fingerprint.push(body.seed);
  return hashString(JSON.stringify(fingerprint));
}

function maxTokensOf(body: ChatBody): number | undefined {
  return body.max_tokens ?? body.max_completion_tokens ?? undefined;
}

function toSimRequest(body: ChatBody): SimRequest {
  const lastUser = [...body.messages].reverse().find((m) => m.role === "user");
  return {
    model: body.model,
    messages: body.messages,
    prompt: lastUser?.content ?? body.messages[body.messages.length - 1]?.content ?? "",
    temperature: body.temperature ?? undefined,
    maxTokens: maxTokensOf(body),
    json: body.response_format?.type === "json_object",
  };
}

/** What a real server does after generation: stop at a stop sequence, or cut at max_tokens. */
function applyDecodingLimits(reply: SimReply, body: ChatBody): SimReply {
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
  const maxTokens = maxTokensOf(body);
  if (maxTokens !== undefined && simTokens(text) > maxTokens) {
    text = text.slice(0, maxTokens * 4);
    finishReason = "length";
  }
  return { text, finishReason };
}

function sendJson(res: http.ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(payload);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers });
  res.end(body);
}

function errorPayload(message: string, type: string, code: string | null = null) {
  return { error: { message, type, param: null, code } };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error("request body too large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const seed = options.seed ?? 1;
  const latencyMs = options.latencyMs ?? 0;
  const retryAfterMs = options.retryAfterMs ?? 1000;
  const knobs = options.knobs ?? {};
  const handlerList = options.handlers ?? defaultHandlers;
  const rates = FaultRates.parse({
    fail429: options.fail429,
    fail500: options.fail500,
    hang: options.hang,
    malformed: options.malformed,
    truncate: options.truncate,
  });

  let stats = emptyStats();
  /** How many attempts of each body were seen: per-attempt faults are drawn from this. */
  let attemptsByBody = new Map<number, number>();
  /** Responses we still owe (latency timers, hangs), so `close()` can end them. */
  const pending = new Set<http.ServerResponse>();
  const promptCache = new SimPromptCache();

  function finish(res: http.ServerResponse, status: number, payload: unknown, headers?: Record<string, string>): void {
    pending.delete(res);
    stats.inFlight = pending.size;
    increment(stats.requestsByStatus, String(status));
    if (status === 200) stats.completed++;
    sendJson(res, status, payload, headers);
  }

  function composeReply(handler: SimHandler, request: SimRequest, body: ChatBody, bodyHash: number): SimReply {
    const reply = handler.respond(request, createRng(deriveSeed(seed, bodyHash)), knobs);
    const fault = decideBodyFault(rates, seed, bodyHash);
    if (fault) stats.faults[fault]++;
    const faultRng = createRng(deriveSeed(seed, bodyHash, "damage"));
    const damaged =
      fault === "malformed"
        ? (handler.malformed?.(request, faultRng) ?? damageReply(reply, faultRng))
        : fault === "truncate"
          ? truncateReply(reply, faultRng)
          : reply;
    return applyDecodingLimits(damaged, body);
  }

  function completionPayload(body: ChatBody, bodyHash: number, attempt: number, reply: SimReply) {
    const promptTokens = simTokens(body.messages.map((m) => m.content).join(""));
    const completionTokens = simTokens(reply.text);
    const cachedTokens = Math.min(promptTokens, promptCache.lookupAndRemember(body.model, promptCacheText(body.messages)));
    stats.cachedPromptTokens += cachedTokens;
    return {
      id: `chatcmpl-sim-${bodyHash.toString(16)}-${attempt}`,
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model: body.model,
      system_fingerprint: "instructforge-simulator",
      choices: [{ index: 0, message: { role: "assistant", content: reply.text }, finish_reason: reply.finishReason ?? "stop", logprobs: null }],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
        prompt_tokens_details: { cached_tokens: cachedTokens },
      },
      // As OpenAI does: the tier that served the request.
      ...(body.service_tier ? { service_tier: body.service_tier === "auto" ? "default" : body.service_tier } : {}),
    };
  }

  function sendAttemptFault(res: http.ServerResponse, fault: AttemptFault): void {
    stats.faults[fault]++;
    if (fault === "429") {
      const headers = { "retry-after-ms": String(retryAfterMs), "retry-after": String(Math.ceil(retryAfterMs / 1000)) };
      finish(res, 429, errorPayload("simulated rate limit (test double)", "rate_limit_error", "rate_limit_exceeded"), headers);
    } else if (fault === "500") {
      finish(res, 500, errorPayload("simulated server error (test double)", "server_error"));
    }
    // "hang": never answer; the entry stays in `pending` until the client gives up or we close.
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
      finish(res, 401, errorPayload("Incorrect API key provided (simulator).", "invalid_request_error", "invalid_api_key"));
      return;
    }
    let raw: string;
    try {
      raw = await readBody(req);
    } catch {
      finish(res, 413, errorPayload("request body too large", "invalid_request_error"));
      return;
    }
    const parsed = ChatBody.safeParse(parseJsonOrUndefined(raw));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      finish(res, 400, errorPayload(`invalid request body at ${issue?.path.join(".") || "(root)"}: ${issue?.message}`, "invalid_request_error"));
      return;
    }
    const body = parsed.data;
    increment(stats.requestsByServiceTier, body.service_tier ?? "none");
    const request = toSimRequest(body);
    const handler = handlerList.find((h) => h.matches(request));
    if (!handler) {
      finish(res, 500, errorPayload("no simulator handler matched (the catch-all is missing)", "server_error"));
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

    let reply: SimReply;
    try {
      reply = composeReply(handler, request, body, bodyHash);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      finish(res, 500, errorPayload(`simulator handler '${handler.kind}' failed: ${message}`, "server_error"));
      return;
    }
    const payload = completionPayload(body, bodyHash, attempt, reply);
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
        if (!res.headersSent) finish(res, 500, errorPayload(`simulator error: ${String(error)}`, "server_error"));
      });
    } else if (req.method === "GET" && path === "/v1/models") {
      sendJson(res, 200, {
        object: "list",
        data: [{ id: SIMULATOR_MODEL_ID, object: "model", created: 0, owned_by: SIMULATOR_OWNER }],
      });
    } else if (req.method === "GET" && path === "/sim/stats") {
      sendJson(res, 200, stats);
    } else if (req.method === "POST" && path === "/sim/reset") {
      resetStats();
      sendJson(res, 200, { ok: true });
    } else {
      sendJson(res, 404, errorPayload(`no route ${req.method} ${path} on the simulator (test double)`, "invalid_request_error"));
    }
  }

  function resetStats(): void {
    stats = emptyStats();
    stats.inFlight = pending.size;
    attemptsByBody = new Map();
    promptCache.clear();
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
  let closing: Promise<void> | undefined;
  function shutdown(): Promise<void> {
    closing ??= new Promise<void>((resolve, reject) => {
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
    resetStats,
    close: shutdown,
  };
}
