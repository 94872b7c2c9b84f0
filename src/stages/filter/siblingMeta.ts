/**
 * The previous stage's meta.jsonl next to the input file: finish reasons by record id, so the
 * truncation rule can drop outputs that were cut at the token limit.
 */
import { z } from "zod";
import { readSiblingMeta } from "../../io/siblingMeta.js";
import type { FinishReason } from "../../llm/types.js";

const MetaWithFinishReason = z.object({
  id: z.string(),
  finishReason: z.enum(["stop", "length", "content_filter", "tool_calls", "function_call", "unknown"]),
});

export function readFinishReasons(inPath: string): Map<string, FinishReason> {
  const reasons = new Map<string, FinishReason>();
  for (const value of readSiblingMeta(inPath, "the filter reads finish reasons from it")) {
    const parsed = MetaWithFinishReason.safeParse(value);
    if (parsed.success) reasons.set(parsed.data.id, parsed.data.finishReason);
  }
  return reasons;
}
