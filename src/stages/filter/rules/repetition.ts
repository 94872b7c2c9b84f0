/**
 * Degenerate looping ("the cat sat on the mat the cat sat on the mat …"): the share of n-gram
 * occurrences that repeat an n-gram seen earlier in the output. Words for English, characters for
 * Chinese (via the similarity tokenizer). Long n (4 words, 8 characters) keeps ordinary phrasing
 * and parallel list items below the threshold. Code is not judged: HTML tables, matrix
 * formulas and rows of printf calls repeat by nature (all 5 code outputs flagged in Code Alpaca
 * 2K were correct).
 *
 * Short outputs have too few n-grams for that ratio, so they get a second test: is the output
 * one short unit (a word, a phrase of up to `loopMaxUnitTokens` tokens) said again and again —
 * "yes yes yes yes", "I love you. I love you. I love you.", "好的好的好的好的"? Units without a
 * letter (numbers: "1 1 1 1" may be the right answer) pass, and so do tasks that ask for a
 * repetition ("repeat", "times", "重复") or whose input already holds it.
 */
import { murmur3Ints } from "../../../text/hash.js";
import { Vocabulary } from "../../../text/tokenize.js";
import { languageOf, looksLikeCode, tokensOf } from "../textShape.js";
import type { FilterThresholds } from "../config.js";
import { fail, PASS, type Rule, type RuleVerdict } from "./types.js";

/**
 * Share of n-gram occurrences that repeat an earlier one. N-grams are keyed by a 32-bit hash of
 * their token ids (a collision only ever adds a repeat, at odds far below any threshold).
 */
export function repeatedNgramRatio(tokens: readonly string[], n: number): { ratio: number; ngrams: number; top?: string } {
  const total = tokens.length - n + 1;
  if (total <= 0) return { ratio: 0, ngrams: 0 };
  const ids = new Vocabulary().encode(tokens);
  const counts = new Map<number, number>();
  let repeats = 0;
  let topAt = 0;
  let topCount = 0;
  for (let i = 0; i < total; i++) {
    const key = murmur3Ints(ids, i, n);
    const count = (counts.get(key) ?? 0) + 1;
    counts.set(key, count);
    if (count > 1) repeats++;
    if (count > topCount) {
      topCount = count;
      topAt = i;
    }
  }
  return { ratio: repeats / total, ngrams: total, top: tokens.slice(topAt, topAt + n).join(" ") };
}

/**
 * The shortest unit (1..maxUnit tokens) whose repetition makes up the token sequence: the share
 * of tokens equal to the token one unit earlier is at least `minShare`, over at least
 * `minRepeats` units. Undefined when no unit does.
 */
export function repeatedUnit(tokens: readonly string[], maxUnit: number, minRepeats: number, minShare: number): { unit: string[]; repeats: number } | undefined {
  for (let period = 1; period <= maxUnit; period++) {
    if (tokens.length < period * minRepeats) return undefined;
    let same = 0;
    for (let i = period; i < tokens.length; i++) if (tokens[i] === tokens[i - period]) same++;
    if (same >= minShare * (tokens.length - period)) return { unit: tokens.slice(0, period), repeats: tokens.length / period };
  }
  return undefined;
}

const ASKS_FOR_REPETITION = /\b(?:repeat\w*|\d+ times|(?:two|three|four|five|six|seven|eight|nine|ten) times|echo|chant)\b|重复|(?:\d+|[一二三四五六七八九十两]+)\s*(?:遍|次)/i;

/** Symbols make up much of a regex, a formula or a path: repeated character classes there are no loop. */
const isSymbolHeavy = (text: string): boolean => (text.match(/[^\p{L}\p{N}\s]/gu)?.length ?? 0) > 0.25 * text.replace(/\s/g, "").length;

function loopsShortUnit(record: { instruction: string; input: string; output: string }, tokens: readonly string[], thresholds: FilterThresholds): RuleVerdict {
  if (isSymbolHeavy(record.output)) return PASS;
  const found = repeatedUnit(tokens, thresholds.loopMaxUnitTokens, thresholds.loopMinRepeats, thresholds.loopMinShare);
  if (found === undefined || !found.unit.some((token) => /\p{L}/u.test(token))) return PASS;
  if (ASKS_FOR_REPETITION.test(record.instruction)) return PASS;
  const inInput = repeatedUnit(tokensOf(record.input), thresholds.loopMaxUnitTokens, thresholds.loopMinRepeats, thresholds.loopMinShare);
  if (inInput !== undefined && inInput.unit.join(" ") === found.unit.join(" ")) return PASS;
  return fail({ cause: "short_unit_repeated", unit: found.unit.join(" "), repeats: Math.round(found.repeats * 10) / 10 });
}

export const repetition: Rule = (record, { thresholds, lang }) => {
  if (looksLikeCode(record.output)) return PASS;
  const tokens = tokensOf(record.output);
  const loop = loopsShortUnit(record, tokens, thresholds);
  if (!loop.pass) return loop;
  const n = languageOf(record.output, lang) === "zh" ? thresholds.repetitionNgramZh : thresholds.repetitionNgramEn;
  const { ratio, ngrams, top } = repeatedNgramRatio(tokens, n);
  if (ngrams < thresholds.repetitionMinNgrams || ratio <= thresholds.repetitionMaxRatio) return PASS;
  return fail({ cause: "repeated_ngrams", repeatedNgramRatio: Math.round(ratio * 1000) / 1000, n, mostRepeated: top });
};
