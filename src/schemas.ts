/**
 * The single source of truth for the records that flow between stages.
 * TypeScript types are inferred from these schemas; parse errors come from them.
 */
import { z } from "zod";
import { sha256Hex } from "./hash.js";

/** One Alpaca example: exactly what a line of `data.jsonl` holds. */
export const AlpacaRecord = z.object({
  instruction: z.string(),
  input: z.string(),
  output: z.string(),
});
export type AlpacaRecord = z.infer<typeof AlpacaRecord>;

/** Alpaca files in the wild often omit `input` or `output`; read them leniently, write them strictly. */
export const LooseAlpacaRecord = z.object({
  instruction: z.string().min(1, "instruction must not be empty"),
  input: z.string().optional().default(""),
  output: z.string().optional().default(""),
});

/** The public Self-Instruct / Alpaca seed-task schema (one per line in seed_tasks.jsonl). */
export const SeedTask = z.object({
  id: z.string().min(1),
  name: z.string(),
  instruction: z.string().min(1, "instruction must not be empty"),
  instances: z.array(z.object({ input: z.string(), output: z.string() })).min(1, "a seed task needs at least one instance"),
  is_classification: z.boolean(),
});
export type SeedTask = z.infer<typeof SeedTask>;

/** Languages the pipeline knows how to generate, filter and translate into. */
export const Language = z.enum(["en", "zh"]);
export type Language = z.infer<typeof Language>;

/** Stable id of a record: a content hash, so ids survive resume and re-runs and match across stages. */
export function recordId(record: AlpacaRecord): string {
  return sha256Hex(JSON.stringify([record.instruction, record.input, record.output])).slice(0, 16);
}

/** A record that a stage dropped, with a machine-readable reason (written to `rejected.jsonl`). */
export const RejectedRecord = z.object({
  stage: z.string(),
  reason: z.string(),
  record: z.object({ instruction: z.string(), input: z.string(), output: z.string() }).partial(),
  /** Evidence for the decision: scores, the matched pattern, the record it duplicates… */
  detail: z.record(z.string(), z.unknown()).optional(),
});
export type RejectedRecord = z.infer<typeof RejectedRecord>;

/** Sidecar metadata for an accepted record (one line of `meta.jsonl`), keyed by `recordId`. */
export const RecordMeta = z
  .object({
    id: z.string(),
    stage: z.string(),
  })
  .catchall(z.unknown());
export type RecordMeta = z.infer<typeof RecordMeta>;
