/**
 * Batched LLM scoring with per-record validation, shared by the quality judge and the complexity
 * scorer. One request scores several records, numbered 1..n in the prompt; the reply must be one
 * JSON object holding a list of `{id, …}` entries. Each entry is checked with zod on its own, so
 * one bad entry costs only its record: records without a valid entry are asked again (alone with
 * the other failures, with a note saying what was wrong and `sampleIndex` = attempt), and after
 * the last attempt they are reported as invalid with the last problem.
 */
import { z } from "zod";
import { extractJsonObject, jsonRequest } from "../../llm/structured.js";
import type { ChatRequest, LlmClient } from "../../llm/types.js";
import type { AlpacaRecord } from "../../schemas.js";
import { fillTemplate } from "../../prompts.js";
import type { ScoringPrompt } from "./prompts.js";

export interface ScoringKind<T> {
  prompt: ScoringPrompt;
  /** The key of the list in the reply object ("ratings", "scores"). */
  listKey: string;
  /** One list entry without its id. */
  entry: z.ZodType<T>;
  /** Placeholder values for the main prompt, records numbered from 1. */
  render(records: readonly AlpacaRecord[]): Record<string, string>;
  maxTokensPerRecord: number;
}

/** A failure keeps the last raw reply, so a rejected record shows what the judge actually said. */
export type Scored<T> = { ok: true; value: T; attempts: number } | { ok: false; problem: string; attempts: number; raw: string };

const EntryId = z.object({ id: z.coerce.number().int().positive() });

export async function scoreRecords<T>(llm: LlmClient, kind: ScoringKind<T>, records: readonly AlpacaRecord[], maxAttempts: number): Promise<Scored<T>[]> {
  const results: Array<Scored<T> | undefined> = records.map(() => undefined);
  let pending = records.map((_, index) => index);
  let problem = "";
  let raw = "";
  for (let attempt = 0; attempt < maxAttempts && pending.length > 0; attempt++) {
    const batch = pending.map((index) => records[index]!);
    const reply = await llm.chat(buildRequest(kind, batch, attempt, problem));
    raw = reply.text;
    const parsed = parseReply(kind, reply.text, batch.length);
    problem = parsed.problem ?? "";
    const stillPending: number[] = [];
    pending.forEach((recordIndex, position) => {
      const value = parsed.entries.get(position + 1);
      if (value === undefined) stillPending.push(recordIndex);
      else results[recordIndex] = { ok: true, value, attempts: attempt + 1 };
    });
    if (stillPending.length > 0 && problem === "") problem = `no valid entry for ${stillPending.length === 1 ? "one example" : `${stillPending.length} examples`}`;
    pending = stillPending;
  }
  return results.map((result) => result ?? { ok: false, problem, attempts: maxAttempts, raw });
}

function buildRequest<T>(kind: ScoringKind<T>, batch: readonly AlpacaRecord[], attempt: number, problem: string): ChatRequest {
  const main = fillTemplate(kind.prompt.main, { ...kind.render(batch), count: String(batch.length) });
  const content = attempt === 0 ? main : `${main}\n\n${fillTemplate(kind.prompt.retry, { problem, attempt: String(attempt + 1) })}`;
  const request: ChatRequest = { messages: [{ role: "user", content }], temperature: 0, max_tokens: 64 + kind.maxTokensPerRecord * batch.length, sampleIndex: attempt };
  return jsonRequest(request, { name: kind.listKey, zod: z.object({ [kind.listKey]: z.array(EntryId.and(kind.entry)) }) });
}

interface ParsedReply<T> {
  /** Valid entries by id (1-based position in the batch). */
  entries: Map<number, T>;
  /** What was wrong, for the retry note and for `judge_invalid` evidence. */
  problem?: string;
}

function parseReply<T>(kind: ScoringKind<T>, text: string, count: number): ParsedReply<T> {
  const entries = new Map<number, T>();
  const json = extractJsonObject(text);
  if (json === undefined) return { entries, problem: "the reply was not a JSON object" };
  const list = json[kind.listKey] ?? (count === 1 ? [{ id: 1, ...json }] : undefined);
  if (!Array.isArray(list)) return { entries, problem: `the JSON object has no "${kind.listKey}" list` };
  let problem: string | undefined;
  for (const raw of list) {
    const id = EntryId.safeParse(raw);
    const entry = kind.entry.safeParse(raw);
    if (!id.success || id.data.id > count) {
      problem ??= `an entry has no valid id (1 to ${count})`;
    } else if (!entry.success) {
      const issue = entry.error.issues[0];
      problem ??= `entry ${id.data.id}: ${issue?.path.join(".") || "value"} ${issue?.message ?? "is invalid"}`;
    } else if (!entries.has(id.data.id)) {
      entries.set(id.data.id, entry.data);
    }
  }
  return { entries, problem };
}
