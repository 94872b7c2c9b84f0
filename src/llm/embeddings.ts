/**
 * Embeddings through the endpoint's `POST /embeddings` (OpenAI-compatible: OpenAI, vLLM,
 * llama.cpp's `llama-server --embeddings`, the simulator). Used by the filter's Deita selection;
 * rare enough (a few requests per thousand records) that the openai SDK's own request path and
 * retries serve, where chat completions use `transport.ts`.
 */
import OpenAI from "openai";
import pLimit from "p-limit";
import { z } from "zod";
import { LlmRequestError } from "./client.js";
import { redactSecret } from "./retry.js";
import type { LlmSettings } from "./types.js";

/** Texts per request: far below every server's limit (OpenAI: 2,048 inputs). */
export const TEXTS_PER_EMBEDDING_REQUEST = 64;

const EmbeddingReply = z.object({
  data: z.array(z.object({ index: z.number().int().nonnegative(), embedding: z.array(z.number()).min(1) })),
});

export interface Embedder {
  readonly model: string;
  /** One vector per text, in the order given. */
  embed(texts: readonly string[]): Promise<number[][]>;
  /** HTTP requests made so far (retries not counted). */
  requests(): number;
}

export function createEmbedder(settings: LlmSettings, model: string): Embedder {
  const client = new OpenAI({ apiKey: settings.apiKey, baseURL: settings.baseUrl, maxRetries: settings.maxRetries, timeout: settings.timeoutMs });
  const limit = pLimit(settings.concurrency);
  let requests = 0;

  const embedChunk = async (texts: readonly string[]): Promise<number[][]> => {
    requests++;
    let raw: unknown;
    try {
      raw = await client.embeddings.create({ model, input: [...texts], encoding_format: "float" });
    } catch (error) {
      const detail = redactSecret(error instanceof Error ? error.message : String(error), settings.apiKey);
      throw new LlmRequestError(`embeddings from ${settings.baseUrl}/embeddings (model ${model}) failed: ${detail} (does the server serve embeddings? llama-server needs --embeddings)`, false);
    }
    const parsed = EmbeddingReply.safeParse(raw);
    if (!parsed.success) throw new LlmRequestError(`embeddings from ${settings.baseUrl}/embeddings: unexpected reply (${parsed.error.issues[0]?.message ?? "invalid"})`, false);
    const vectors: number[][] = [];
    for (const item of parsed.data.data) vectors[item.index] = item.embedding;
    if (vectors.length !== texts.length || texts.some((_, i) => vectors[i] === undefined)) {
      throw new LlmRequestError(`embeddings from ${settings.baseUrl}/embeddings: ${parsed.data.data.length} vectors for ${texts.length} texts`, false);
    }
    return vectors;
  };

  return {
    model,
    requests: () => requests,
    async embed(texts) {
      const chunks: string[][] = [];
      for (let i = 0; i < texts.length; i += TEXTS_PER_EMBEDDING_REQUEST) chunks.push(texts.slice(i, i + TEXTS_PER_EMBEDDING_REQUEST));
      const vectors = (await Promise.all(chunks.map((chunk) => limit(() => embedChunk(chunk))))).flat();
      const dimensions = new Set(vectors.map((v) => v.length));
      if (dimensions.size > 1) throw new LlmRequestError(`embeddings from ${settings.baseUrl}/embeddings: vectors of different lengths (${[...dimensions].join(", ")})`, false);
      return vectors;
    },
  };
}
