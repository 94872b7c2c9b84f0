/**
 * The simulator's (TEST DOUBLE's) `POST /v1/embeddings`: deterministic vectors, not a model.
 * Each text becomes a hashed bag of its tokens (`tokenize`: words for English, characters for
 * Chinese) in SIMULATED_EMBEDDING_DIMENSIONS dimensions, unit length: texts sharing most of
 * their tokens get a cosine similarity near 1, unrelated ones near 0, so tests can plant near
 * duplicates and predict which ones a similarity threshold catches (`simulatedEmbedding`).
 */
import { z } from "zod";
import { parseJsonOrUndefined } from "../io/json.js";
import { tokenize } from "../text/tokenize.js";
import { hashString } from "./rng.js";
import { simTokens } from "./server.js";

export const SIMULATED_EMBEDDING_DIMENSIONS = 256;

const EmbeddingsBody = z.object({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.string()).min(1)]),
  encoding_format: z.enum(["float"]).optional(),
});

export function simulatedEmbedding(text: string): number[] {
  const vector = new Array<number>(SIMULATED_EMBEDDING_DIMENSIONS).fill(0);
  for (const token of tokenize(text)) {
    const hash = hashString(token);
    vector[hash % SIMULATED_EMBEDDING_DIMENSIONS]! += hash & 0x80000000 ? -1 : 1;
  }
  const norm = Math.hypot(...vector);
  return norm === 0 ? vector : vector.map((x) => x / norm);
}

/** The reply to one request body: HTTP status and JSON payload, in the OpenAI shape. */
export function embeddingsReply(raw: string): [status: number, payload: unknown] {
  const parsed = EmbeddingsBody.safeParse(parseJsonOrUndefined(raw));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const message = `invalid embeddings request at ${issue?.path.join(".") || "(root)"}: ${issue?.message} (simulator, test double; encoding_format must be "float")`;
    return [400, { error: { message, type: "invalid_request_error", param: null, code: null } }];
  }
  const texts = typeof parsed.data.input === "string" ? [parsed.data.input] : parsed.data.input;
  const tokens = texts.reduce((sum, text) => sum + simTokens(text), 0);
  return [
    200,
    {
      object: "list",
      model: parsed.data.model,
      data: texts.map((text, index) => ({ object: "embedding", index, embedding: simulatedEmbedding(text) })),
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    },
  ];
}
