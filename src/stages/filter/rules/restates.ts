/**
 * Echoes, at any length: an output that is (nearly: ROUGE-L ≥ `echoThreshold`) the instruction
 * itself, or the input unchanged when the task transforms its input (restyle, translate,
 * summarise, paraphrase — see `taskKind`). A correction task returning a correct input
 * unchanged is no echo; a one-token output of a transform task passes (a cognate, a name:
 * "taxi" in French is "taxi").
 *
 * Restatements, from `restateMinTokens` on: ROUGE-L F1 (the similarity the dedup engine uses) of
 * the output against the instruction, and against the input, at or above the threshold, while
 * adding no token of its own (`restateMaxNovelTokens`). An answer that echoes the question and
 * adds the result ("The smallest prime in the list is 7.", "铁的化学符号是Fe。") adds tokens,
 * so it passes. Short outputs count only as echoes (a label or a name may well appear in the
 * question). Against the input, editing tasks (rewrite, correct, sort, format …) and code are
 * exempt: an output close to the input is their expected answer ("Correct the grammar" on a
 * correct sentence returns it unchanged; a code fix keeps most of the code).
 */
import { rougeL } from "../../../text/rougeL.js";
import { Vocabulary } from "../../../text/tokenize.js";
import type { AlpacaRecord } from "../../../schemas.js";
import { isEditingTask, looksLikeCode, taskKind, tokensOf } from "../textShape.js";
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
  return fail({ against, cause: "restatement", rougeL: round(score), novelTokens: novel });
}

/** Same tokens, or near enough: ROUGE-L at or above the echo threshold. */
function echoes(output: readonly string[], other: readonly string[], threshold: number): number | undefined {
  if (output.length === 0 || other.length === 0) return undefined;
  if (output.length === other.length && output.every((token, i) => token === other[i])) return 1;
  if (Math.max(output.length, other.length) > 1.2 * Math.min(output.length, other.length)) return undefined;
  const vocabulary = new Vocabulary();
  const score = rougeL(vocabulary.encode(output), vocabulary.encode(other));
  return score >= threshold ? score : undefined;
}

function echo(record: AlpacaRecord, output: readonly string[], thresholds: FilterThresholds): RuleVerdict {
  const ofInstruction = echoes(output, tokensOf(record.instruction), thresholds.echoThreshold);
  if (ofInstruction !== undefined) return fail({ against: "instruction", cause: "echo", rougeL: round(ofInstruction) });
  if (record.input.trim() === "" || output.length < thresholds.echoMinTokensTransform || looksLikeCode(record.output)) return PASS;
  const task = taskKind(record.instruction);
  if (task.kind !== "transform") return PASS;
  const ofInput = echoes(output, tokensOf(record.input), thresholds.echoThreshold);
  return ofInput === undefined ? PASS : fail({ against: "input", cause: "unchanged_transform", task: task.matched, rougeL: round(ofInput) });
}

const round = (n: number): number => Math.round(n * 1000) / 1000;

export const restatesInput: Rule = (record, { thresholds }) => {
  const output = tokensOf(record.output);
  const echoed = echo(record, output, thresholds);
  if (!echoed.pass) return echoed;
  if (output.length < thresholds.restateMinTokens) return PASS;
  const verdict = compare(record.output, output, record.instruction, "instruction", thresholds);
  if (!verdict.pass) return verdict;
  if (record.input.trim() === "" || isEditingTask(record.instruction) || taskKind(record.instruction).kind === "corrective" || looksLikeCode(record.output)) return PASS;
  return compare(record.output, output, record.input, "input", thresholds);
};
