/**
 * LLM scoring with per-record validation, shared by the quality judge and the complexity scorer.
 *
 * A "single" prompt sends one record per request (the AlpaGasus and Deita way); a "batch" prompt
 * numbers several records 1..n and expects one JSON object holding a list of `{id, …}` entries.
 * Every entry is checked with zod on its own, so one bad entry costs only its record: records
 * without a valid entry are asked again (alone with the other failures, with a note saying what
 * was wrong and `sampleIndex` = attempt), and after the last attempt they are reported as invalid
 * with the last problem and the last raw reply.
 *
 * Servers that ignore `response_format` (llama.cpp under its default templates) answer in plain
 * text, so a reply is read leniently before it counts as invalid: a JSON object anywhere in the
 * text, else (one record per request) a "Score: x" line or a first line that is only the number,
 * which is the reply format the AlpaGasus prompt asks for.
 */
import { z } from "zod";
import { extractJsonObject, jsonRequest } from "../../llm/structured.js";
import type { ChatRequest, LlmClient } from "../../llm/types.js";
import type { AlpacaRecord } from "../../schemas.js";
import { fillTemplate } from "../../prompts.js";
import type { ScoringPrompt } from "./prompts.js";

export interface ScoringKind<T> {
  prompt: ScoringPrompt;
  /** The key of the list in a batch reply ("ratings", "scores"). */
  listKey: string;
  /** The key of the number in an entry ("score", "complexity"): a "Score: x" line fills it. */
  scoreKey: string;
  /** One entry without its id. */
  entry: z.ZodType<T>;
  /** Placeholder values for a single prompt. */
  renderOne(record: AlpacaRecord): Record<string, string>;
  /** Placeholder values for a batch prompt, records numbered from 1. */
  renderBatch(records: readonly AlpacaRecord[]): Record<string, string>;
  maxTokensPerRecord: number;
}

export type Scored<T> = { ok: true; value: T; attempts: number } | { ok: false; problem: string; attempts: number; reply: string };

/** Raw replies kept in a rejection's evidence are cut to this many characters. */
const MAX_EVIDENCE_REPLY_CHARS = 2000;

const EntryId = z.object({ id: z.coerce.number().int().positive() });

export async function scoreRecords<T>(llm: LlmClient, kind: ScoringKind<T>, records: readonly AlpacaRecord[], maxAttempts: number): Promise<Scored<T>[]> {
  if (kind.prompt.layout === "batch") return scoreTogether(llm, kind, records, maxAttempts);
  const each = await Promise.all(records.map((record) => scoreTogether(llm, kind, [record], maxAttempts)));
  return each.flat();
}

async function scoreTogether<T>(llm: LlmClient, kind: ScoringKind<T>, records: readonly AlpacaRecord[], maxAttempts: number): Promise<Scored<T>[]> {
  const results: Array<Scored<T> | undefined> = records.map(() => undefined);
  let pending = records.map((_, index) => index);
  let problem = "";
  let lastReply = "";
  for (let attempt = 0; attempt < maxAttempts && pending.length > 0; attempt++) {
    const batch = pending.map((index) => records[index]!);
    const reply = await llm.chat(buildRequest(kind, batch, attempt, problem));
    lastReply = reply.text;
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
  const reply = lastReply.length > MAX_EVIDENCE_REPLY_CHARS ? `${lastReply.slice(0, MAX_EVIDENCE_REPLY_CHARS)}…` : lastReply;
  return results.map((result) => result ?? { ok: false, problem, attempts: maxAttempts, reply });
}

function buildRequest<T>(kind: ScoringKind<T>, batch: readonly AlpacaRecord[], attempt: number, problem: string): ChatRequest {
  const values = kind.prompt.layout === "single" ? kind.renderOne(batch[0]!) : { ...kind.renderBatch(batch), count: String(batch.length) };
  const main = fillTemplate(kind.prompt.main, values);
  const content = attempt === 0 ? main : `${main}\n\n${fillTemplate(kind.prompt.retry, { problem, attempt: String(attempt + 1) })}`;
  const system = kind.prompt.system === undefined ? [] : [{ role: "system" as const, content: kind.prompt.system }];
  const request: ChatRequest = { messages: [...system, { role: "user", content }], temperature: 0, max_tokens: 64 + kind.maxTokensPerRecord * batch.length, sampleIndex: attempt };
  return jsonRequest(request, { name: kind.listKey, zod: z.object({ [kind.listKey]: z.array(EntryId.and(kind.entry)) }) });
}

interface ParsedReply<T> {
  /** Valid entries by id (1-based position in the batch). */
  entries: Map<number, T>;
  /** What was wrong, for the retry note and for the `*_invalid` evidence. */
  problem?: string;
}

export function parseReply<T>(kind: Pick<ScoringKind<T>, "listKey" | "scoreKey" | "entry">, text: string, count: number): ParsedReply<T> {
  const entries = new Map<number, T>();
  const json = extractJsonObject(text);
  const fromText = json === undefined && count === 1 ? scoreFromText(text, kind.scoreKey) : undefined;
  if (json === undefined && fromText === undefined) {
    return { entries, problem: count === 1 ? `the reply was neither a JSON object nor a "Score: x" line` : "the reply was not a JSON object" };
  }
  const object = (json ?? fromText) as Record<string, unknown>;
  const list = object[kind.listKey] ?? (count === 1 ? [{ id: 1, ...object }] : undefined);
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

const NUMBER = String.raw`(\d+(?:\.\d+)?)(?:\s*(?:/|out of)\s*\d+)?`;
/** "Score: 4.5", "**Rating:** 4/5", "Complexity = 3" at the start of a line. */
const LABELLED_SCORE = new RegExp(String.raw`^[\s*_#>-]*(?:overall\s+|final\s+)?(?:score|rating|complexity|quality)[\s*_]*[:：=][\s*_]*${NUMBER}`, "im");
/** A first line that is only the number, as the AlpaGasus prompt asks ("4.5", "**4.5**", "4.5/5"). */
const BARE_SCORE = new RegExp(String.raw`^[\s*_]*${NUMBER}[\s*_.]*$`);
const EXPLANATION_LABEL = /^[\s*_#>-]*(?:explanation|rationale|reason(?:ing)?)[\s*_]*[:：][\s*_]*/i;

/** `{[scoreKey]: x, rationale}` read from a plain-text reply, or undefined when it holds no score. */
export function scoreFromText(text: string, scoreKey: string): Record<string, unknown> | undefined {
  const lines = text.split("\n");
  const first = lines.findIndex((line) => line.trim() !== "");
  const bare = first >= 0 ? BARE_SCORE.exec(lines[first]!) : null;
  const labelled = bare ? null : LABELLED_SCORE.exec(text);
  const score = bare?.[1] ?? labelled?.[1];
  if (score === undefined) return undefined;
  const scoreLine = labelled ? text.slice(0, labelled.index + labelled[0].length).split("\n").length - 1 : first;
  const rest = lines
    .filter((_, i) => i !== scoreLine)
    .join("\n")
    .trim()
    .replace(EXPLANATION_LABEL, "");
  return { [scoreKey]: Number(score), rationale: rest === "" ? text.trim() : rest };
}
