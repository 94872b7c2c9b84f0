/**
 * Structured (JSON) replies that work on every endpoint. Asking: a request marked with
 * `jsonRequest` carries a JSON schema built from the zod schema; the client sends it as
 * `response_format: json_schema`, falls back to `json_object` and then to the prompt's own
 * instruction when the endpoint refuses one (learned once per run, `requestShape.ts`). Reading:
 * servers that ignore `response_format` (llama.cpp under its default Jinja templates, many
 * Ollama models) answer in plain text, so the JSON object is taken out of code fences or prose
 * around it, then always validated with zod. A reply that still fails comes back with its raw
 * text and what was wrong, so a caller can retry with that note and, after its last attempt,
 * keep the raw reply beside the rejection.
 */
import { z } from "zod";
import { parseJsonOrUndefined } from "../io/json.js";
import type { ChatRequest } from "./types.js";

export type JsonReading<T> = { ok: true; value: T } | { ok: false; problem: string; raw: string };

/** The `jsonSchema` a request carries, from a zod schema (draft 2020-12 JSON Schema). */
export function jsonSchemaOf(name: string, schema: z.ZodType): NonNullable<ChatRequest["jsonSchema"]> {
  const { $schema: _dialect, ...body } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
  return { name, schema: body };
}

/** Mark a request as wanting JSON; with a schema, of that shape. */
export function jsonRequest(request: ChatRequest, schema?: { name: string; zod: z.ZodType }): ChatRequest {
  return { ...request, json: true, ...(schema ? { jsonSchema: jsonSchemaOf(schema.name, schema.zod) } : {}) };
}

/**
 * The JSON object in a reply: the whole text, else the first fenced block that is one, else the
 * first balanced `{…}` in the text that parses (prose, a heading or a stray brace before it).
 */
export function extractJsonObject(text: string): Record<string, unknown> | undefined {
  const candidates = [text.trim(), ...fencedBlocks(text)];
  for (const candidate of candidates) {
    const value = parseObject(candidate);
    if (value) return value;
  }
  for (let start = text.indexOf("{"); start >= 0; start = text.indexOf("{", start + 1)) {
    const end = balancedEnd(text, start);
    if (end === undefined) continue;
    const value = parseObject(text.slice(start, end + 1));
    if (value) return value;
  }
  return undefined;
}

/** Extract, then validate: the value, or what was wrong with the raw reply kept. */
export function readJsonReply<T>(text: string, schema: z.ZodType<T>): JsonReading<T> {
  const json = extractJsonObject(text);
  if (json === undefined) return { ok: false, problem: "the reply was not a JSON object", raw: text };
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, problem: `${issue?.path.join(".") || "value"}: ${issue?.message ?? "is invalid"}`, raw: text };
}

function fencedBlocks(text: string): string[] {
  return [...text.matchAll(/```[a-zA-Z]*[ \t]*\r?\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");
}

const JsonObject = z.record(z.string(), z.unknown());

function parseObject(candidate: string): Record<string, unknown> | undefined {
  if (!candidate.startsWith("{")) return undefined;
  const parsed = JsonObject.safeParse(parseJsonOrUndefined(candidate));
  return parsed.success ? parsed.data : undefined;
}

/** Index of the `}` closing the `{` at `start`, skipping braces inside JSON strings. */
function balancedEnd(text: string, start: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === "\\") i++;
      else if (char === '"') inString = false;
    } else if (char === '"') {
      inString = true;
    } else if (char === "{") {
      depth++;
    } else if (char === "}" && --depth === 0) {
      return i;
    }
  }
  return undefined;
}
