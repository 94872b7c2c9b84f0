/** The Deita-style complexity scorer: how demanding an instruction is, from 1 to COMPLEXITY_MAX. */
import { z } from "zod";
import type { AlpacaRecord } from "../../schemas.js";
import { COMPLEXITY_MAX } from "./config.js";
import type { ScoringPrompt } from "./prompts.js";
import type { ScoringKind } from "./scoring.js";

export const ComplexityScore = z.object({
  complexity: z.coerce.number().int("complexity must be a whole number").min(1).max(COMPLEXITY_MAX, `complexity must be from 1 to ${COMPLEXITY_MAX}`),
});
export type ComplexityScore = z.infer<typeof ComplexityScore>;

/** How an instruction appears in the complexity prompt; the simulator's handler reads this shape. */
export function renderInstruction(id: number, record: AlpacaRecord): string {
  const input = record.input.trim() === "" ? "" : `\n[Input]\n${record.input}`;
  return `### Instruction ${id}\n${record.instruction}${input}`;
}

export function complexityKind(prompt: ScoringPrompt): ScoringKind<ComplexityScore> {
  return {
    prompt,
    listKey: "scores",
    entry: ComplexityScore,
    render: (records) => ({ instructions: records.map((record, i) => renderInstruction(i + 1, record)).join("\n\n"), max: String(COMPLEXITY_MAX) }),
    maxTokensPerRecord: 20,
  };
}
