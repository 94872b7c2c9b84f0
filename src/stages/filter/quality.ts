/**
 * The AlpaGasus quality judge: the accuracy of a response to its instruction and input, from 0
 * to 5, with an explanation. AlpaGasus (Chen et al. 2023, "Training a Better Alpaca with Fewer
 * Data", §2 and Fig. 3) sent one record per request and kept records scoring ≥ 4.5.
 */
import { z } from "zod";
import type { AlpacaRecord } from "../../schemas.js";
import type { PromptPlaceholders, ScoringPrompt } from "./prompts.js";
import type { ScoringKind } from "./scoring.js";

/** Explanations longer than this are cut (the paper asks for a comprehensive one), not refused. */
const MAX_RATIONALE_CHARS = 1000;

export const QualityRating = z.object({
  score: z.coerce.number().min(0, "score must be from 0 to 5").max(5, "score must be from 0 to 5"),
  rationale: z
    .string()
    .trim()
    .min(1, "rationale must not be empty")
    .transform((text) => (text.length > MAX_RATIONALE_CHARS ? `${text.slice(0, MAX_RATIONALE_CHARS - 1)}…` : text)),
});
export type QualityRating = z.infer<typeof QualityRating>;

export const QUALITY_PLACEHOLDERS: PromptPlaceholders = { single: ["instruction", "input", "response"], batch: ["examples", "count"] };

/** How an example appears in a batch judge prompt; the simulator's judge handler reads this shape. */
export function renderExample(id: number, record: AlpacaRecord): string {
  const input = record.input.trim() === "" ? "" : `\n[Input]\n${record.input}`;
  return `### Example ${id}\n[Instruction]\n${record.instruction}${input}\n[Response]\n${record.output}`;
}

export function qualityKind(prompt: ScoringPrompt): ScoringKind<QualityRating> {
  return {
    prompt,
    listKey: "ratings",
    scoreKey: "score",
    entry: QualityRating,
    renderOne: (record) => ({ instruction: record.instruction, input: record.input, response: record.output }),
    renderBatch: (records) => ({ examples: records.map((record, i) => renderExample(i + 1, record)).join("\n\n") }),
    // 64 + 192 = 256 for one record: the reference rating script's max_tokens (gpt4life/alpagasus, rating/chatgpt_rating.py).
    maxTokensPerRecord: 192,
  };
}
