/**
 * The previous stage's meta.jsonl next to the input file: finish reasons by record id, so the
 * truncation rule can drop outputs that were cut at the token limit.
 */
import { existsSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { z } from "zod";
import { UserError } from "../../errors.js";
import { readJsonLines } from "../../io/jsonl.js";
import type { FinishReason } from "../../llm/types.js";

const MetaWithFinishReason = z.object({
  id: z.string(),
  finishReason: z.enum(["stop", "length", "content_filter", "tool_calls", "function_call", "unknown"]),
});

export function readFinishReasons(inPath: string): Map<string, FinishReason> {
  const reasons = new Map<string, FinishReason>();
  const metaPath = join(dirname(inPath), "meta.jsonl");
  if (basename(inPath) === "meta.jsonl" || !existsSync(metaPath)) return reasons;
  let values: unknown[];
  try {
    values = readJsonLines(metaPath).values;
  } catch (error) {
    throw new UserError(`${error instanceof Error ? error.message : String(error)} (the filter reads finish reasons from it; move it aside to filter without them)`);
  }
  for (const value of values) {
    const parsed = MetaWithFinishReason.safeParse(value);
    if (parsed.success) reasons.set(parsed.data.id, parsed.data.finishReason);
  }
  return reasons;
}
