/**
 * Translate a small group of records: protect → one batched request → check each record →
 * retry the failed ones alone (new sample, more room when cut) → restore and normalise.
 * Knows nothing about files: the stage loop feeds it groups and commits what it returns.
 */
import type { FinishReason, LlmClient } from "../../llm/types.js";
import { recordId, type AlpacaRecord } from "../../schemas.js";
import { checkField, type FieldFailure } from "./checks.js";
import type { TranslatableField } from "./fields.js";
import { protectRecord, withoutSentinels, type ProtectedText } from "./protect.js";
import type { JsonValueMode } from "./structured.js";
import { parseTranslationReply, type ParsedRecordReply, type ReplyFailure } from "./reply.js";
import { buildTranslateRequest, replyTokenBudget, type SourcePayload, type TranslatePrompt } from "./prompt.js";

export interface TranslateGroupOptions {
  fields: readonly TranslatableField[];
  prompt: TranslatePrompt;
  /** Requests a record may take in all, its share of a batch included. Default 3. */
  maxAttempts?: number;
  /** Which string values of a field that is all JSON are translated. Default "prose". */
  jsonValues?: JsonValueMode;
}

/** What a translated record's meta line says (snake_case: the vocabulary). */
export interface TranslationMeta {
  source_id: string;
  fields_translated: TranslatableField[];
  /** Protected spans (code, URLs, placeholders, table borders…) that came back byte-identical. */
  sentinels: number;
  retries: number;
  converted_traditional: boolean;
  converted_fields: TranslatableField[];
  /** Records in the request that produced the accepted translation (1 when retried alone). */
  batch_size: number;
  /** Of the accepted reply (the pipeline-wide meta field); absent when nothing needed a request. */
  finishReason?: FinishReason;
}

export type Failure = ReplyFailure | FieldFailure | { reason: "truncated"; detail: Record<string, unknown> };

export type TranslationOutcome =
  | { ok: true; record: AlpacaRecord; meta: TranslationMeta }
  | { ok: false; reason: Failure["reason"]; detail: Record<string, unknown>; retries: number };

interface RecordState {
  source: AlpacaRecord;
  protectedFields: Map<TranslatableField, ProtectedText>;
  attempts: number;
  truncations: number;
  lastFailure?: Failure;
  done?: TranslationOutcome;
}

export async function translateGroup(llm: LlmClient, sources: readonly AlpacaRecord[], options: TranslateGroupOptions): Promise<TranslationOutcome[]> {
  const maxAttempts = options.maxAttempts ?? 3;
  const states = sources.map((source) => prepare(source, options.fields, options.jsonValues));
  const waiting = (): RecordState[] => states.filter((s) => !s.done);

  if (waiting().length > 1) await attempt(llm, options.prompt, waiting());
  await Promise.all(
    waiting().map(async (state) => {
      while (!state.done && state.attempts < maxAttempts) await attempt(llm, options.prompt, [state]);
    }),
  );
  return states.map((state) => state.done ?? giveUp(state));
}

/** Protect the chosen fields; those with no words left to translate are copied, not sent. */
function prepare(source: AlpacaRecord, fields: readonly TranslatableField[], jsonValues: JsonValueMode | undefined): RecordState {
  const protectedFields = new Map<TranslatableField, ProtectedText>();
  for (const [field, shielded] of protectRecord(source, fields, { jsonValues })) {
    if (/\p{L}/u.test(withoutSentinels(shielded.text))) protectedFields.set(field, shielded);
  }
  const state: RecordState = { source, protectedFields, attempts: 0, truncations: 0 };
  if (protectedFields.size === 0) state.done = accept(state, source, [], 1);
  return state;
}

/** One request for `group` (a batch, or one record alone); settles whichever records pass. */
async function attempt(llm: LlmClient, prompt: TranslatePrompt, group: RecordState[]): Promise<void> {
  const payload: SourcePayload = {};
  const expected = new Map<string, TranslatableField[]>();
  group.forEach((state, index) => {
    payload[String(index)] = Object.fromEntries([...state.protectedFields].map(([field, shielded]) => [field, shielded.text]));
    expected.set(String(index), [...state.protectedFields.keys()]);
  });
  const attemptNumber = Math.max(...group.map((s) => s.attempts));
  const truncations = Math.max(...group.map((s) => s.truncations));
  const maxTokens = replyTokenBudget(payload) * 2 ** truncations;
  const reply = await llm.chat(buildTranslateRequest(prompt, payload, { attempt: attemptNumber, maxTokens }));
  for (const state of group) state.attempts++;

  if (reply.finishReason === "length") {
    for (const state of group) {
      state.truncations++;
      state.lastFailure = { reason: "truncated", detail: { finishReason: reply.finishReason, maxTokens, replyChars: reply.text.length, reply: reply.text.slice(-120) } };
    }
    return;
  }
  const parsed = parseTranslationReply(reply.text, expected);
  if (!parsed.ok) {
    for (const state of group) state.lastFailure = parsed.failure;
    return;
  }
  group.forEach((state, index) => settle(state, parsed.records.get(String(index))!, group.length, reply.finishReason));
}

function settle(state: RecordState, reply: ParsedRecordReply, batchSize: number, finishReason: FinishReason): void {
  if (!reply.ok) {
    state.lastFailure = reply.failure;
    return;
  }
  const translated: AlpacaRecord = { ...state.source };
  const converted: TranslatableField[] = [];
  for (const [field, shielded] of state.protectedFields) {
    const check = checkField(shielded, state.source[field], reply.fields[field]!);
    if (!check.ok) {
      state.lastFailure = { reason: check.failure.reason, detail: { field, ...check.failure.detail } };
      return;
    }
    translated[field] = check.text;
    if (check.convertedTraditional) converted.push(field);
  }
  state.done = accept(state, translated, converted, batchSize, finishReason);
}

function accept(state: RecordState, record: AlpacaRecord, converted: TranslatableField[], batchSize: number, finishReason?: FinishReason): TranslationOutcome {
  const sentinels = [...state.protectedFields.values()].reduce((sum, shielded) => sum + shielded.spans.length, 0);
  return {
    ok: true,
    record,
    meta: {
      source_id: recordId(state.source),
      fields_translated: [...state.protectedFields.keys()],
      sentinels,
      retries: Math.max(0, state.attempts - 1),
      converted_traditional: converted.length > 0,
      converted_fields: converted,
      batch_size: batchSize,
      ...(finishReason ? { finishReason } : {}),
    },
  };
}

function giveUp(state: RecordState): TranslationOutcome {
  const failure = state.lastFailure ?? { reason: "reply_not_json" as const, detail: { error: "no attempt was made", excerpt: "" } };
  return { ok: false, reason: failure.reason, detail: { ...failure.detail, attempts: state.attempts }, retries: Math.max(0, state.attempts - 1) };
}
