/**
 * Reading a translation reply: one JSON object keyed by batch index, each value holding exactly
 * the fields that were sent. Problems come back as named failures with evidence, per record
 * where possible, so one bad record of a batch does not sink the others.
 */
import { z } from "zod";
import { extractJsonObject } from "../../llm/structured.js";
import type { TranslatableField } from "./fields.js";

export type ReplyFailure =
  | { reason: "reply_not_json"; detail: { error: string; excerpt: string } }
  | { reason: "missing_fields"; detail: { missing: string[]; unexpected: string[]; notText: string[] } };

export type ParsedRecordReply = { ok: true; fields: Partial<Record<TranslatableField, string>> } | { ok: false; failure: ReplyFailure };

const JsonObject = z.record(z.string(), z.unknown());

/**
 * Split a reply into per-record results. `expected` maps each batch key to the fields sent for it.
 * Returns a reply-level failure when the text is not one JSON object.
 */
export function parseTranslationReply(
  text: string,
  expected: ReadonlyMap<string, readonly TranslatableField[]>,
): { ok: true; records: Map<string, ParsedRecordReply> } | { ok: false; failure: ReplyFailure } {
  const json = parseJsonObject(text);
  if (!json.ok) return json;
  const top = unwrapSingleRecord(json.value, expected);
  const records = new Map<string, ParsedRecordReply>();
  for (const [key, fields] of expected) records.set(key, readRecordFields(top[key], fields));
  return { ok: true, records };
}

function parseJsonObject(text: string): { ok: true; value: Record<string, unknown> } | { ok: false; failure: ReplyFailure } {
  // Servers that ignore response_format answer in plain text: the object may sit in a fence or prose.
  const value = extractJsonObject(text);
  return value ? { ok: true, value } : notJson("no JSON object in the reply", text);
}

const notJson = (error: string, text: string) => ({ ok: false as const, failure: { reason: "reply_not_json" as const, detail: { error, excerpt: text.slice(0, 200) } } });

/** A one-record request answered without the "0" wrapper is still a clear answer: accept it. */
function unwrapSingleRecord(value: Record<string, unknown>, expected: ReadonlyMap<string, readonly TranslatableField[]>): Record<string, unknown> {
  if (expected.size !== 1) return value;
  const [key, fields] = [...expected][0]!;
  if (key in value) return value;
  return fields.every((field) => field in value) ? { [key]: value } : value;
}

function readRecordFields(value: unknown, fields: readonly TranslatableField[]): ParsedRecordReply {
  const object = JsonObject.safeParse(value);
  if (!object.success) return missing(fields.slice(), [], []);
  const missingFields = fields.filter((field) => !(field in object.data));
  const unexpected = Object.keys(object.data).filter((key) => !(fields as readonly string[]).includes(key));
  const notText = fields.filter((field) => field in object.data && typeof object.data[field] !== "string");
  if (missingFields.length + unexpected.length + notText.length > 0) return missing(missingFields, unexpected, notText);
  const out: Partial<Record<TranslatableField, string>> = {};
  for (const field of fields) out[field] = object.data[field] as string;
  return { ok: true, fields: out };
}

const missing = (missingFields: string[], unexpected: string[], notText: string[]): ParsedRecordReply => ({
  ok: false,
  failure: { reason: "missing_fields", detail: { missing: missingFields, unexpected, notText } },
});
