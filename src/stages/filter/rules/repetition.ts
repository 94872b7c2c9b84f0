/**
 * Degenerate looping ("the cat sat on the mat the cat sat on the mat …"): the share of n-gram
 * occurrences that repeat an n-gram seen earlier in the output. Words for English, characters for
 * Chinese (via the similarity tokenizer). Long n (4 words, 8 characters) keeps ordinary phrasing
 * and parallel list items below the threshold. Code is not judged: HTML tables, matrix
 * formulas and rows of printf calls repeat by nature (all 5 code outputs flagged in Code Alpaca
 * 2K were correct).
 */
import { murmur3Ints } from "../../../text/hash.js";
import { Vocabulary } from "../../../text/tokenize.js";
import { languageOf, looksLikeCode, tokensOf } from "../textShape.js";
import { fail, PASS, type Rule } from "./types.js";

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

export const repetition: Rule = (record, { thresholds, lang }) => {
  if (looksLikeCode(record.output)) return PASS;
  const tokens = tokensOf(record.output);
  const n = languageOf(record.output, lang) === "zh" ? thresholds.repetitionNgramZh : thresholds.repetitionNgramEn;
  const { ratio, ngrams, top } = repeatedNgramRatio(tokens, n);
  if (ngrams < thresholds.repetitionMinNgrams || ratio <= thresholds.repetitionMaxRatio) return PASS;
  return fail({ repeatedNgramRatio: Math.round(ratio * 1000) / 1000, n, mostRepeated: top });
};
