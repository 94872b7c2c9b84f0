/** The AlpaGasus-style quality judge: accuracy and helpfulness from 0 to 5, with a short rationale. */
import { z } from "zod";
import type { AlpacaRecord } from "../../schemas.js";
import type { ScoringPrompt } from "./prompts.js";
import type { ScoringKind } from "./scoring.js";

export const QualityRating = z.object({
  score: z.coerce.number().min(0, "score must be from 0 to 5").max(5, "score must be from 0 to 5"),
  rationale: z.string().trim().min(1, "rationale must not be empty").max(600, "rationale must be short"),
});
export type QualityRating = z.infer<typeof QualityRating>;

/** How an example appears in the judge prompt; the simulator's judge handler reads this shape. */
export function renderExample(id: number, record: AlpacaRecord): string {
  const input = record.input.trim() === "" ? "" : `\n[Input]\n${record.input}`;
  return `### Example ${id}\n[Instruction]\n${record.instruction}${input}\n[Response]\n${record.output}`;
}

export function qualityKind(prompt: ScoringPrompt): ScoringKind<QualityRating> {
  return {
    prompt,
    listKey: "ratings",
    entry: QualityRating,
    render: (records) => ({ examples: records.map((record, i) => renderExample(i + 1, record)).join("\n\n") }),
    maxTokensPerRecord: 120,
  };
}
