/**
 * Outputs cut short: the generating call stopped at its token limit (`finishReason: "length"` in
 * the previous stage's meta.jsonl), a code fence was opened and never closed, or the output
 * stops mid-sentence. Outputs that legitimately end without punctuation pass: code, list items,
 * table rows, numbers, labels, single words, titles, poems and sign-offs (short last lines),
 * hashtags, links, quote attributions, and transformations of the input (a reversed or
 * re-cased sentence ends where the input ends).
 *
 * Mid-sentence, English: a last line ending in a comma or a connective ("and", "the", "such
 * as"), or a paragraph whose last sentence runs on for several words and stops on a lower-case
 * word (a title, a lyric line or a label is one short unpunctuated sentence; not flagged). Chinese: only a dangling comma or connective —
 * translated Chinese data often omits the final "。" (about 100 false alarms in 10K carbonz0
 * records otherwise); a Chinese output cut by the token limit is caught by its finish reason.
 */
import { looksLikeCode, lengthOf, tokensOf } from "../textShape.js";
import type { FilterThresholds } from "../config.js";
import { excerpt, fail, PASS, type Rule, type RuleVerdict } from "./types.js";

/** A sentence (or a quote, bracket, emoji, code span) has ended. */
const FINISHED_END = /[.!?。！？…~～"'”’»」』）)\]}>*`;；%°\p{Emoji_Presentation}\p{Extended_Pictographic}]$/u;
const ENDS_WITH_NUMBER = /\d$/;
const LIST_OR_TABLE_LINE = /^\s*(?:[-*•+>|#]|\d+[.)、]|[a-zA-Z][.)]\s|[（(]?[一二三四五六七八九十\d]+[)）、.])|\|/;
/** Hashtags, mentions, links and "— Author" attributions end texts without punctuation. */
const ENDS_IN_TAG_LINK_OR_ATTRIBUTION = /(?:^|\s)(?:[#＃@]\S+|https?:\/\/\S+|www\.\S+)$|["'”’」]\s*[-—–]{1,2}\s*[^\n]{1,40}$/u;
const DANGLING_EN = /(?:[,，、:：]|\b(?:and|or|but|the|a|an|of|to|with|for|in|on|that|which|because|such as|including|is|are|was|were))$/i;
const DANGLING_ZH = /(?:[，、,（(：:]|和|与|以及|或者|但是|因为|所以|例如|包括|比如)$/;
/** The last token is a lower-case word: prose that simply stops (titles end capitalised). */
const ENDS_IN_LOWERCASE_WORD = /(?:^|\s)\p{Ll}+$/u;
const SENTENCE_END = /[.!?]["'”’)]?\s+(?=\S)/g;
const OPEN_FENCE = /^\s*```/gm;

export const truncatedOutput: Rule = (record, { finishReason, thresholds, lang }) => {
  if (finishReason === "length") return fail({ cause: "finish_reason_length" });
  const output = record.output.trimEnd();
  if (output === "") return PASS;
  const fences = output.match(OPEN_FENCE)?.length ?? 0;
  if (fences % 2 === 1) return fail({ cause: "unclosed_code_fence", fences });
  const lastLine = output.slice(output.lastIndexOf("\n") + 1).trim();
  if (endsLegitimately(lastLine) || looksLikeCode(output) || transformsInput(record.output, record.input)) return PASS;
  return midSentence(lastLine, lang === "auto" ? "auto" : lang, thresholds);
};

function endsLegitimately(lastLine: string): boolean {
  return FINISHED_END.test(lastLine) || ENDS_WITH_NUMBER.test(lastLine) || LIST_OR_TABLE_LINE.test(lastLine) || ENDS_IN_TAG_LINK_OR_ATTRIBUTION.test(lastLine);
}

/** Most of the output's tokens come from the input: it is the input reworked, ending as the input does. */
function transformsInput(output: string, input: string): boolean {
  if (input.trim() === "") return false;
  const inputTokens = new Set(tokensOf(input.toLowerCase()));
  const outputTokens = tokensOf(output.toLowerCase());
  return outputTokens.length > 0 && outputTokens.filter((token) => inputTokens.has(token)).length / outputTokens.length >= 0.8;
}

function midSentence(lastLine: string, lang: "auto" | "en" | "zh", thresholds: FilterThresholds): RuleVerdict {
  const { length, lang: lineLang } = lengthOf(lastLine, lang);
  const ending = excerpt(lastLine.slice(-40), 40);
  if (lineLang === "zh") return DANGLING_ZH.test(lastLine) && length >= thresholds.truncatedMinLastLineChars ? fail({ cause: "dangling_end", ending }) : PASS;
  // Sign-offs ("Best regards,") and labels are short; a dangling word in a real sentence is not.
  const realWords = lastLine.match(/\p{L}{3,}/gu)?.length ?? 0;
  if (DANGLING_EN.test(lastLine) && length >= 4 && realWords >= 3) return fail({ cause: "dangling_end", ending });
  if (!ENDS_IN_LOWERCASE_WORD.test(lastLine)) return PASS;
  const sentenceStarts = [...lastLine.matchAll(SENTENCE_END)].map((m) => m.index + m[0].length);
  const tail = lastLine.slice(sentenceStarts.at(-1) ?? 0);
  const tailWords = lengthOf(tail, "en").length;
  const runsOn = sentenceStarts.length > 0 ? tailWords >= thresholds.truncatedMinTailWords : length >= thresholds.truncatedMinParagraphWords;
  return runsOn ? fail({ cause: "ends_mid_sentence", ending }) : PASS;
}
