/**
 * Retry policy of the LLM client: which failures are worth another attempt, how long to wait
 * (exponential backoff with full jitter, or what the server asked for), and the one-sentence
 * messages a user sees when we give up. The SDK's own retries are off so every retry is counted here.
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError } from "openai";

export type RetryCause = "429" | "5xx" | "timeout" | "connection" | "409";

export interface BackoffPolicy {
  /** First retry waits up to this long; each further retry doubles it. */
  baseMs: number;
  /** Upper bound of any single wait (backoff or server-requested). */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 60_000 };

/** Full jitter: uniform in [0, min(max, base·2^retry)] — spreads retry storms apart. */
export function backoffDelayMs(retryIndex: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** retryIndex);
  return Math.floor(random() * ceiling);
}

/**
 * The wait a server asked for: `retry-after-ms` (OpenAI's precise header) first, then `Retry-After`
 * as seconds or as an HTTP date. Undefined when absent or unparseable.
 */
export function retryAfterFromHeaders(headers: Headers | undefined, now: number = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = Number(headers.get("retry-after-ms") ?? Number.NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers.get("retry-after");
  if (value === null || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The server refused one request for what it holds (too long for the context, invalid for this input). */
export interface RequestRefusal {
  status: number;
  /** The server's error type or code, e.g. `exceed_context_size_error`, `context_length_exceeded`. */
  type?: string;
  message: string;
}

/** The outcome of one failed attempt. */
export type AttemptFailure =
  | { retryable: true; cause: RetryCause; detail: string; retryAfterMs?: number }
  | { retryable: false; message: string; refusal?: RequestRefusal };

export interface FailureContext {
  baseUrl: string;
  model: string;
  timeoutMs: number;
}

const CONNECTION_CODES: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  EPIPE: "connection reset",
  UND_ERR_SOCKET: "connection reset",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host name lookup failed",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ETIMEDOUT: "connect timed out",
  UND_ERR_CONNECT_TIMEOUT: "connect timed out",
};

/** Walk the `cause` chain (fetch wraps the socket error twice) for a system error code. */
function connectionProblem(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && CONNECTION_CODES[code]) return CONNECTION_CODES[code];
    current = (current as { cause?: unknown }).cause;
  }
  return "connection failed";
}

/** The server's own error message, if it sent one (shortened; secrets are redacted by the caller). */
function serverMessage(error: APIError): string {
  const body = error.error as { message?: unknown } | undefined;
  const text = typeof body?.message === "string" ? body.message : "";
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** Statuses by which a server refuses a request for its content, not the client's setup. */
const REFUSAL_STATUSES: ReadonlySet<number> = new Set([400, 413, 422]);

/** `error.type`, else `error.code`, of an OpenAI-style error body. */
function errorType(error: APIError): string | undefined {
  const body = error.error as { type?: unknown; code?: unknown } | undefined;
  if (typeof body?.type === "string") return body.type;
  return typeof body?.code === "string" ? body.code : undefined;
}

function statusFailure(error: APIError & { status: number }, context: FailureContext): AttemptFailure {
  const { status } = error;
  const detail = serverMessage(error);
  const retryAfterMs = retryAfterFromHeaders(error.headers);
  if (status === 429) return { retryable: true, cause: "429", detail: `HTTP 429 (rate limited)${detail ? `: ${detail}` : ""}`, retryAfterMs };
  if (status >= 500) return { retryable: true, cause: "5xx", detail: `HTTP ${status}${detail ? `: ${detail}` : ""}`, retryAfterMs };
  if (status === 408) return { retryable: true, cause: "timeout", detail: "HTTP 408 (request timeout)", retryAfterMs };
  if (status === 409) return { retryable: true, cause: "409", detail: `HTTP 409 (conflict)${detail ? `: ${detail}` : ""}`, retryAfterMs };
  const where = context.baseUrl;
  if (status === 401) return { retryable: false, message: `authentication failed at ${where} (HTTP 401): check OPENAI_API_KEY or --api-key` };
  if (status === 403) return { retryable: false, message: `access denied at ${where} (HTTP 403) for model '${context.model}': check the key's permissions` };
  if (status === 404) {
    return { retryable: false, message: `${where} answered HTTP 404 for model '${context.model}': check --base-url (it usually ends in /v1) and --model` };
  }
  const message = `${where} rejected the request (HTTP ${status})${detail ? `: ${detail}` : ""}`;
  return { retryable: false, message, ...(REFUSAL_STATUSES.has(status) ? { refusal: { status, type: errorType(error), message: detail || message } } : {}) };
}

export function classifyFailure(error: unknown, context: FailureContext): AttemptFailure {
  if (error instanceof APIConnectionTimeoutError) {
    return { retryable: true, cause: "timeout", detail: `no reply within ${formatSeconds(context.timeoutMs)}` };
  }
  if (error instanceof APIError && typeof error.status === "number") return statusFailure(error as APIError & { status: number }, context);
  if (error instanceof APIConnectionError) return { retryable: true, cause: "connection", detail: connectionProblem(error) };
  const message = error instanceof Error ? error.message : String(error);
  return { retryable: false, message: `request to ${context.baseUrl} failed: ${message}` };
}

/** The one sentence shown when the retries are used up. */
export function giveUpMessage(baseUrl: string, retries: number, last: { cause: RetryCause; detail: string }): string {
  const after = `after ${retries} ${retries === 1 ? "retry" : "retries"}`;
  switch (last.cause) {
    case "connection":
      return `could not reach ${baseUrl} ${after}: ${last.detail}`;
    case "timeout":
      return `${baseUrl} did not answer ${after}: ${last.detail}`;
    case "429":
      return `${baseUrl} kept rate-limiting ${after} (${last.detail}); lower --concurrency or set --rpm/--tpm`;
    default:
      return `${baseUrl} kept failing ${after}: ${last.detail}`;
  }
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

/** Belt and braces: whatever a server echoes back, the key never reaches a message or log. */
export function redactSecret(text: string, secret: string): string {
  return secret.length >= 4 ? text.split(secret).join("***") : text;
}
