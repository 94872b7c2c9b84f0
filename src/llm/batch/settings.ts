/**
 * Settings of the OpenAI Batch API mode (`--mode batch`). Requests that miss the response cache
 * are collected into waves, written as JSONL files, submitted as batches and polled; the stage sees
 * ordinary chat replies. In batch mode `LlmSettings.concurrency` is HALF a wave: stages keep twice
 * `concurrency` units going (their window), and one window is one wave, so a stage that stops at a
 * target (generate) pays for at most one wave it did not need. The CLI sets it from `--batch-wave`.
 */
import { z } from "zod";

export const LlmMode = z.enum(["online", "batch"]);
export type LlmMode = z.infer<typeof LlmMode>;

/** OpenAI's `service_tier` request field; `flex` is half price, slower, and may answer 429 when busy. */
export const ServiceTier = z.enum(["auto", "default", "flex", "priority"]);
export type ServiceTier = z.infer<typeof ServiceTier>;

/** The Batch API's own limits per input file (OpenAI, 2026). */
export const BATCH_FILE_MAX_LINES = 50_000;
export const BATCH_FILE_MAX_BYTES = 200 * 1024 * 1024;

/** Batch and flex requests cost half the online price (OpenAI pricing, 2026). */
export const BATCH_PRICE_FACTOR = 0.5;

export const BatchSettings = z.object({
  /** On Ctrl-C (the abort signal), cancel the open batches; by default they are left running. */
  cancelOnAbort: z.boolean().default(false),
  /** Longest wait between two status checks; the back-off starts at `pollMinMs`. */
  pollMaxMs: z.number().int().positive().default(60_000),
  pollMinMs: z.number().int().positive().default(1_000),
  /** A wave is submitted once no new request has arrived for this long (or it is full). */
  idleMs: z.number().int().nonnegative().default(250),
  maxFileLines: z.number().int().positive().max(BATCH_FILE_MAX_LINES).default(BATCH_FILE_MAX_LINES),
  maxFileBytes: z.number().int().positive().max(BATCH_FILE_MAX_BYTES).default(BATCH_FILE_MAX_BYTES),
});
export type BatchSettings = z.infer<typeof BatchSettings>;
