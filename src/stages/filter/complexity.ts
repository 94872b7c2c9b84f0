/**
 * The Deita-style complexity scorer: how demanding an instruction is, from 1 to COMPLEXITY_MAX.
 * Deita's scorer (hkust-nlp/deita, src/deita/selection/scorer/base.py) reads the model's
 * probabilities of "1".."6" and returns their expectation, a real number in [1, 6]; a prompted
 * LLM states the number instead, so decimals are accepted.
 */
import { z } from "zod";
import type { AlpacaRecord } from "../../schemas.js";
import { COMPLEXITY_MAX } from "./config.js";
import type { PromptPlaceholders, ScoringPrompt } from "./prompts.js";
import type { ScoringKind } from "./scoring.js";

export const ComplexityScore = z.object({
  complexity: z.coerce.number().min(1, `complexity must be from 1 to ${COMPLEXITY_MAX}`).max(COMPLEXITY_MAX, `complexity must be from 1 to ${COMPLEXITY_MAX}`),
});
export type ComplexityScore = z.infer<typeof ComplexityScore>;

export const COMPLEXITY_PLACEHOLDERS: PromptPlaceholders = { single: ["query"], batch: ["instructions", "count", "max"] };

/** How an instruction appears in a batch complexity prompt; the simulator's handler reads this shape. */
export function renderInstruction(id: number, record: AlpacaRecord): string {
  const input = record.input.trim() === "" ? "" : `\n[Input]\n${record.input}`;
  return `### Instruction ${id}\n${record.instruction}${input}`;
}

/** The user's query as Deita scores it: the whole human turn, so the input joins the instruction. */
export function queryOf(record: AlpacaRecord): string {
  return record.input.trim() === "" ? record.instruction : `${record.instruction}\n\n${record.input}`;
}

export function complexityKind(prompt: ScoringPrompt): ScoringKind<ComplexityScore> {
  return {
    prompt,
    listKey: "scores",
    scoreKey: "complexity",
    entry: ComplexityScore,
    renderOne: (record) => ({ query: queryOf(record), max: String(COMPLEXITY_MAX) }),
    renderBatch: (records) => ({ instructions: records.map((record, i) => renderInstruction(i + 1, record)).join("\n\n"), max: String(COMPLEXITY_MAX) }),
    maxTokensPerRecord: 20,
  };
}
