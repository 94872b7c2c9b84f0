/**
 * Answers in the wrong language: a Chinese instruction answered in English or the reverse.
 * A text is Chinese when its Han share (`hanShare`, URLs and code blocks ignored) is at least
 * `languageZhMinShare`, English when it is at most `languageEnMaxShare`; in between (a Chinese
 * sentence quoting an English title) it is not judged. With --lang auto the output must be in the
 * language of the instruction or of the input (a Chinese instruction may ask to fix an English
 * sentence); with --lang en|zh both the instruction and the output must be in that language.
 * Translation tasks, code, and outputs that are no prose (a formula, names, URLs, hashtags,
 * an e-mail address: no English function words) pass.
 */
import { countWords, hanShare } from "../../../text/language.js";
import { isTranslationTask, looksLikeCode } from "../textShape.js";
import { fail, PASS, type Rule, type RuleContext } from "./types.js";

type Lang = "en" | "zh";
const URL = /(?:https?:\/\/|www\.)\S+/g;
/**
 * English function words, lower case: every English sentence has some, while lists of names,
 * identifiers or notes ("D-C-B-A G-A-G") do not. Case-sensitive so a capital "A" note is no "a".
 */
const FUNCTION_WORD = /\b(?:the|a|an|is|are|was|were|be|of|to|in|on|for|with|and|or|but|that|this|it|as|by|at|from|not|can|will|you|your|we|they|he|she|has|have|do|does)\b/g;

/**
 * The clear language of a text, or undefined when it is mixed or too short to tell. Outputs must
 * read as English prose to count as English; instructions only need Latin letters.
 */
function clearLanguage(text: string, context: RuleContext, prose = true): Lang | undefined {
  const { languageZhMinShare, languageEnMaxShare, languageMinFunctionWords, languageMinChars } = context.thresholds;
  const share = hanShare(text);
  if (share >= languageZhMinShare) return countWords(text, "zh") >= languageMinChars ? "zh" : undefined;
  if (share > languageEnMaxShare) return undefined;
  if (!prose) return /\p{L}{2,}/u.test(text) ? "en" : undefined;
  return (text.replace(URL, " ").match(FUNCTION_WORD)?.length ?? 0) >= languageMinFunctionWords ? "en" : undefined;
}

function evidence(field: string, expected: Lang | Lang[], found: Lang, text: string): Record<string, unknown> {
  return { field, expected, found, hanShare: Math.round(hanShare(text) * 100) / 100 };
}

export const languageMismatch: Rule = (record, context) => {
  const { instruction, input, output } = record;
  if (context.lang !== "auto") {
    const found = clearLanguage(instruction, context, false);
    if (found !== undefined && found !== context.lang) return fail(evidence("instruction", context.lang, found, instruction));
  }
  if (isTranslationTask(instruction) || looksLikeCode(output)) return PASS;
  const found = clearLanguage(output, context);
  if (found === undefined) return PASS;
  const expected = context.lang !== "auto" ? [context.lang] : [clearLanguage(instruction, context, false), clearLanguage(input, context, false)].filter((l): l is Lang => l !== undefined);
  if (expected.length === 0 || expected.includes(found)) return PASS;
  return fail(evidence("output", expected, found, output));
};
