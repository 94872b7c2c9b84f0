/**
 * One evolution attempt: evolve → strip echoed labels → the checks, cheapest first:
 *
 *   1. evolution_truncated, empty_evolution      free: the reply itself
 *   2. template_leak (rule 4)                     free: a regex
 *   3. too_similar_to_parent                      free: ROUGE-L against the parent (opt-in)
 *   4. no_information_gain (rule 1), judge_unparseable   one short judge call
 *   5. apology_short_answer (rule 2), answer_only_punctuation_stopwords (rule 3)
 *                                                 need the answer, the most expensive call
 *
 * Every rule eliminates on its own, so the order changes only which reason a multiply-failing
 * evolution is filed under and what it costs — never whether it survives. Rules 2 and 3 are
 * skipped with --no-answer (there is no answer to judge).
 */
import type { LlmClient } from "../../llm/types.js";
import type { AlpacaRecord } from "../../schemas.js";
import { answerInstruction } from "../answer/answer.js";
import { WIZARDLM_DECODING } from "./defaults.js";
import { judgeInformationGain } from "./judge.js";
import type { EvolveLineage, PoolRoot, PoolVersion } from "./lineage.js";
import { lineageOf } from "./lineage.js";
import type { Operation } from "./operations.js";
import { evolveMessages, type EvolveTemplates } from "./prompts.js";
import { apologyShortAnswer, findTemplateLeak, onlyPunctuationAndStopwords, rougeLSimilarity, stripEchoedLabels } from "./rules.js";

export interface AttemptSettings {
  templates: EvolveTemplates;
  answer: boolean;
  /** Drop an evolution whose ROUGE-L F1 to its parent is above this; undefined: no such rule (the reference has none). */
  maxParentSimilarity?: number;
  answerMaxTokens: number;
  /** The answers' system message; null sends none (the default). */
  answerSystem: string | null;
  answerTemperature: number;
  answerTopP: number;
}

export type AttemptOutcome =
  | { passed: true; record: AlpacaRecord; lineage: EvolveLineage }
  | { passed: false; reason: string; record: Partial<AlpacaRecord>; detail: Record<string, unknown> };


export async function attemptEvolution(
  llm: LlmClient,
  settings: AttemptSettings,
  root: PoolRoot,
  parent: PoolVersion,
  round: number,
  operation: Operation,
): Promise<AttemptOutcome> {
  const lineage = lineageOf(root, parent, round, operation);
  const reject = (reason: string, record: Partial<AlpacaRecord>, evidence: Record<string, unknown> = {}): AttemptOutcome => ({
    passed: false,
    reason,
    record,
    detail: { ...lineage, parentDepth: parent.depth, ...evidence },
  });

  const reply = await llm.chat({
    messages: evolveMessages(settings.templates, operation, parent.givenPrompt),
    temperature: WIZARDLM_DECODING.temperature,
    top_p: WIZARDLM_DECODING.topP,
    max_tokens: WIZARDLM_DECODING.maxTokens,
    // A failed item meets the same prompt again in a later round: ask for a fresh sample, not the cached failure.
    sampleIndex: round,
  });
  const instruction = stripEchoedLabels(reply.text);
  const evolved = { instruction, input: "" };
  if (reply.finishReason === "length") return reject("evolution_truncated", evolved);
  if (instruction === "") return reject("empty_evolution", evolved, { reply: reply.text });

  const leak = findTemplateLeak(instruction);
  if (leak !== undefined) return reject("template_leak", evolved, { matched: leak });
  if (settings.maxParentSimilarity !== undefined) {
    const similarity = rougeLSimilarity(parent.givenPrompt, instruction);
    if (similarity > settings.maxParentSimilarity) return reject("too_similar_to_parent", evolved, { rougeL: round4(similarity) });
  }

  const judged = await judgeInformationGain(llm, settings.templates, parent.givenPrompt, instruction);
  if (judged.verdict === "equal") return reject("no_information_gain", evolved, { judge: judged.replies });
  if (judged.verdict === "unparseable") return reject("judge_unparseable", evolved, { judge: judged.replies });

  if (!settings.answer) {
    return { passed: true, record: { ...evolved, output: "" }, lineage: { kind: "evolved", ...lineage, depth: parent.depth + 1, finishReason: null } };
  }
  const answer = await answerInstruction(llm, evolved, answerOptionsOf(settings));
  const answered = { ...evolved, output: answer.output };
  const apology = apologyShortAnswer(answer.output);
  if (apology) return reject("apology_short_answer", answered, apology);
  if (onlyPunctuationAndStopwords(answer.output)) return reject("answer_only_punctuation_stopwords", answered);
  return {
    passed: true,
    record: answered,
    lineage: { kind: "evolved", ...lineage, depth: parent.depth + 1, finishReason: answer.finishReason },
  };
}

/** How the evolve stage answers: WizardLM's decoding, and no system message unless one is given. */
export function answerOptionsOf(settings: AttemptSettings): { maxTokens: number; systemPrompt: string | null; temperature: number; topP: number } {
  return { maxTokens: settings.answerMaxTokens, systemPrompt: settings.answerSystem, temperature: settings.answerTemperature, topP: settings.answerTopP };
}

function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
