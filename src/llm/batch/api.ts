/**
 * The Files and Batches endpoints of an OpenAI-compatible server: upload a JSONL file with purpose
 * `batch`, create / retrieve / list / cancel batches, download a file's content. Transient failures
 * (429, 5xx, timeouts, refused connections) are retried with the client's back-off policy; HTTP
 * failures are raised as the openai SDK's error classes so `retry.ts` classifies them as usual.
 * Few calls per wave, so Node's fetch is plenty here (chat requests keep their own transport).
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError } from "openai";
import type { z } from "zod";
import { parseJsonOrUndefined } from "../../io/json.js";
import { DEFAULT_BACKOFF, backoffDelayMs, classifyFailure, giveUpMessage, redactSecret, type BackoffPolicy } from "../retry.js";
import { BatchObject, BatchPage, FileObject } from "./schemas.js";

export interface BatchApiOptions {
  baseUrl: string;
  apiKey: string;
  model: string;
  maxRetries: number;
  /** Per call; uploads of 200 MB need minutes. */
  timeoutMs: number;
  backoff?: Partial<BackoffPolicy>;
}

export class BatchApiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BatchApiError";
  }
}

export interface BatchApi {
  uploadFile(jsonl: Buffer, filename: string): Promise<string>;
  createBatch(inputFileId: string, metadata: Record<string, string>): Promise<BatchObject>;
  retrieveBatch(id: string): Promise<BatchObject>;
  /** One page, newest first; pass the previous page's `last_id` as `after`. */
  listBatches(after?: string): Promise<z.infer<typeof BatchPage>>;
  cancelBatch(id: string): Promise<BatchObject>;
  fileContent(id: string): Promise<string>;
}

type RequestBody = string | FormData;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createBatchApi(options: BatchApiOptions): BatchApi {
  const base = options.baseUrl.replace(/\/+$/, "");
  const backoff: BackoffPolicy = { ...DEFAULT_BACKOFF, ...options.backoff };
  const redact = (text: string) => redactSecret(text, options.apiKey);

  /** One HTTP exchange; an HTTP error or a dropped connection is thrown as the SDK's error. */
  async function exchange(method: string, path: string, body?: RequestBody): Promise<string> {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${options.apiKey}`, ...(typeof body === "string" ? { "content-type": "application/json" } : {}) },
        body,
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      if (error instanceof Error && error.name === "TimeoutError") throw new APIConnectionTimeoutError();
      throw new APIConnectionError({ cause: error instanceof Error ? (error.cause instanceof Error ? error.cause : error) : new Error(String(error)) });
    }
    const text = await response.text();
    if (!response.ok) {
      const parsed = parseJsonOrUndefined(text);
      const errorBody = typeof parsed === "object" && parsed !== null ? parsed : undefined;
      throw APIError.generate(response.status, errorBody, errorBody ? undefined : text, response.headers);
    }
    return text;
  }

  /** `exchange` with retries on transient failures; a lasting failure becomes one clear sentence. */
  async function call(method: string, path: string, body?: () => RequestBody): Promise<string> {
    for (let retry = 0; ; retry++) {
      try {
        return await exchange(method, path, body?.());
      } catch (error) {
        if (error instanceof APIError && error.status === 404 && !path.startsWith("/batches/") && !path.startsWith("/files/")) {
          throw new BatchApiError(`${base} has no Batch API (HTTP 404 for ${method} ${path}): vLLM, Ollama and llama.cpp offer none; use --mode online`);
        }
        const failure = classifyFailure(error, { baseUrl: base, model: options.model, timeoutMs: options.timeoutMs });
        if (!failure.retryable) throw new BatchApiError(redact(`${method} ${path}: ${failure.message}`));
        if (retry >= options.maxRetries) throw new BatchApiError(redact(`${method} ${path}: ${giveUpMessage(base, retry, failure)}`));
        await sleep(failure.retryAfterMs ?? backoffDelayMs(retry, backoff));
      }
    }
  }

  async function callJson<Schema extends z.ZodType>(schema: Schema, method: string, path: string, body?: () => RequestBody): Promise<z.infer<Schema>> {
    const text = await call(method, path, body);
    const parsed = schema.safeParse(parseJsonOrUndefined(text));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new BatchApiError(`${base}: ${method} ${path} answered something unexpected (${issue?.path.join(".") || "(root)"}: ${issue?.message})`);
    }
    return parsed.data;
  }

  return {
    async uploadFile(jsonl, filename) {
      const form = () => {
        const data = new FormData();
        data.append("purpose", "batch");
        data.append("file", new Blob([jsonl], { type: "application/jsonl" }), filename);
        return data;
      };
      return (await callJson(FileObject, "POST", "/files", form)).id;
    },
    createBatch: (inputFileId, metadata) =>
      callJson(BatchObject, "POST", "/batches", () =>
        JSON.stringify({ input_file_id: inputFileId, endpoint: "/v1/chat/completions", completion_window: "24h", metadata }),
      ),
    retrieveBatch: (id) => callJson(BatchObject, "GET", `/batches/${encodeURIComponent(id)}`),
    listBatches: (after) => callJson(BatchPage, "GET", `/batches?limit=100${after ? `&after=${encodeURIComponent(after)}` : ""}`),
    cancelBatch: (id) => callJson(BatchObject, "POST", `/batches/${encodeURIComponent(id)}/cancel`),
    fileContent: (id) => call("GET", `/files/${encodeURIComponent(id)}/content`),
  };
}
