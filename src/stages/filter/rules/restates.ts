/**
 * Outputs that only repeat the question: ROUGE-L F1 (the similarity the dedup engine uses) of
 * the output against the instruction, and against the input, at or above the threshold, while
 * adding no token of its own (`restateMaxNovelTokens`). An answer that echoes the question and
 * adds the result ("The smallest prime in the list is 7.", "铁的化学符号是Fe。") adds tokens,
 * so it passes. Short outputs never count (a label or a name may well appear in the
 * question). Against the input, editing tasks (rewrite, correct, sort, format …) and code are
 * exempt: an output close to the input is their expected answer ("Correct the grammar" on a
 * correct sentence returns it unchanged; a code fix keeps most of the code).
 */
import { rougeL } from "../../../text/rougeL.js";
import { Vocabulary } from "../../../text/tokenize.js";
import { isEditingTask, looksLikeCode, tokensOf } from "../textShape.js";
import type { FilterThresholds } from "../config.js";
import { fail, PASS, type Rule, type RuleVerdict } from "./types.js";

/** F1 ≥ 0.8 needs token counts within a factor 1.5; 3× in characters leaves ample room for tokenization. */
const LENGTH_RATIO_BOUND = 3;

function compare(outputText: string, output: string[], other: string, against: "instruction" | "input", thresholds: FilterThresholds): RuleVerdict {
  // Cheap pre-check before tokenizing `other` (Chinese tokenization is the costly part).
  if (outputText.length > LENGTH_RATIO_BOUND * other.length || other.length > LENGTH_RATIO_BOUND * outputText.length) return PASS;
  const otherTokens = tokensOf(other);
  const vocabulary = new Vocabulary();
  const score = rougeL(vocabulary.encode(output), vocabulary.encode(otherTokens));
  if (score < thresholds.restateThreshold) return PASS;
  const known = new Set(otherTokens);
  const novel = output.filter((token) => !known.has(token));
  if (novel.length > thresholds.restateMaxNovelTokens) return PASS;
  return fail({ against, rougeL: Math.round(score * 1000) / 1000, novelTokens: novel });
}

export const restatesInput: Rule = (record, { thresholds }) => {
  const output = tokensOf(record.output);
  if (output.length < thresholds.restateMinTokens) return PASS;
  const verdict = compare(record.output, output, record.instruction, "instruction", thresholds);
  if (!verdict.pass) return verdict;
  if (record.input.trim() === "" || isEditingTask(record.instruction) || looksLikeCode(record.output)) return PASS;
  return compare(record.output, output, record.input, "input", thresholds);
};
