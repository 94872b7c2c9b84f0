/**
 * Rule 1's LLM judge: does the evolved instruction ask for anything the original did not?
 * An unreadable verdict is asked once more (a stricter follow-up, another sample); if that is
 * unreadable too the evolution is eliminated as `judge_unparseable`, never guessed.
 */
import type { LlmClient } from "../../llm/types.js";
import { judgeMessages, judgeRetryMessages, type EvolveTemplates } from "./prompts.js";
import { parseEqualVerdict, type Verdict } from "./rules.js";

export interface JudgeResult {
  verdict: Verdict | "unparseable";
  /** The raw replies, as evidence in rejected.jsonl. */
  replies: string[];
}

const JUDGE_MAX_TOKENS = 16;

export async function judgeInformationGain(llm: LlmClient, templates: EvolveTemplates, original: string, evolved: string): Promise<JudgeResult> {
  const first = await llm.chat({ messages: judgeMessages(templates, original, evolved), temperature: 0, max_tokens: JUDGE_MAX_TOKENS });
  const verdict = parseEqualVerdict(first.text);
  if (verdict) return { verdict, replies: [first.text] };
  const second = await llm.chat({
    messages: judgeRetryMessages(templates, original, evolved, first.text),
    temperature: 0,
    max_tokens: JUDGE_MAX_TOKENS,
    sampleIndex: 1,
  });
  return { verdict: parseEqualVerdict(second.text) ?? "unparseable", replies: [first.text, second.text] };
}
