/**
 * The elimination rules of Evol-Instruct as pure functions, plus the label stripping that runs
 * before them. Each returns the evidence the rejected record carries, or undefined when it passes.
 */
import { countWords, detectLanguage } from "../../text/language.js";
import { rougeL } from "../../text/rougeL.js";
import { tokenize, Vocabulary } from "../../text/tokenize.js";
import { CHINESE_STOPWORDS, ENGLISH_STOPWORDS } from "./stopwords.js";

const EMPHASIS = String.raw`(?:\*{1,3}|_{1,3})?`;
/** The label words a rewriter echoes: "Rewritten Prompt", "The Created Prompt", "New prompt", 改写后的提示 … */
const LABEL_WORDS = String.raw`(?:(?:the\s+)?(?:rewritten|created|new|evolved|revised|final)\s+prompt|(?:改写|重写|创建|新建)(?:后)?的?提示(?:词)?|新的?提示(?:词)?)`;
const ECHOED_LABELS: readonly RegExp[] = [
  // "#Rewritten Prompt#:" / "#The Given Prompt#：" anywhere: the reference prompt's own label form.
  /#[^#\n]{0,40}?(?:prompt|提示)#\s*[:：]/giu,
  // A label that opens its line, with a colon: "Rewritten Prompt:", "**Rewritten Prompt:**",
  // "**Rewritten Prompt**:", "## Created Prompt:", "#Rewritten Prompt#:", "改写后的提示：".
  new RegExp(String.raw`^[ \t]*(?:#{1,6}[ \t]*)?${EMPHASIS}[ \t]*#?${LABEL_WORDS}#?[ \t]*${EMPHASIS}[ \t]*[:：][ \t]*${EMPHASIS}`, "gimu"),
  // A label alone on its line, without a colon: "#Rewritten Prompt#", "**Rewritten Prompt**", "## 改写后的提示".
  new RegExp(String.raw`^[ \t]*(?:#{1,6}[ \t]*)?${EMPHASIS}[ \t]*(?:#[^#\n]{0,40}?(?:prompt|提示)#|${LABEL_WORDS})[ \t]*${EMPHASIS}[ \t]*$`, "gimu"),
];

/**
 * Models often echo the labels ("#Rewritten Prompt#: …", "**Rewritten Prompt:** …",
 * "#Rewritten Prompt#" on a line of its own); the prompt itself is what follows the last label.
 * A label is recognised with a colon anywhere for the `#…Prompt#:` form, or at the start of a
 * line (with a colon, or alone on the line) for the others; "(#Rewritten Prompt#)" inside a
 * sentence is not a label but a leak, which rule 4 catches.
 */
export function stripEchoedLabels(reply: string): string {
  let end = -1;
  for (const label of ECHOED_LABELS) {
    for (const match of reply.matchAll(label)) end = Math.max(end, match.index + match[0].length);
  }
  return (end >= 0 ? reply.slice(end) : reply).trim();
}

/** Rule 4: the template words our evolve prompts use, in English and Chinese. */
const TEMPLATE_WORDS: readonly RegExp[] = [
  /#[^#\n]{0,40}?prompt#/i,
  /\b(given|rewritten|created) prompt\b/i,
  /给定的?提示|(改写|重写)后的提示|创建的提示/,
  /#[^#\n]{0,12}?提示#/,
];

export function findTemplateLeak(instruction: string): string | undefined {
  for (const pattern of TEMPLATE_WORDS) {
    const match = pattern.exec(instruction);
    if (match) return match[0];
  }
  return undefined;
}

/** ROUGE-L F1 of two texts with the project's tokenizer (per character for Chinese). */
export function rougeLSimilarity(a: string, b: string): number {
  const vocabulary = new Vocabulary();
  return rougeL(vocabulary.encode(tokenize(a)), vocabulary.encode(tokenize(b)));
}

const APOLOGY = /sorry|apologi[sz]e|抱歉|对不起|很遗憾/i;
/** The paper's threshold is 80 words; a Chinese word is about 1.5 characters, so 120 characters. */
const SHORT_ENGLISH_WORDS = 80;
const SHORT_CHINESE_CHARACTERS = 80 * 1.5;

/**
 * Rule 2: the answer apologises and is short — a refusal, not an answer. Length in words for
 * English; for Chinese in characters (punctuation and spaces not counted) against 80 × 1.5 = 120.
 */
export function apologyShortAnswer(answer: string): { apology: string; length: number; limit: number } | undefined {
  const apology = APOLOGY.exec(answer)?.[0];
  if (apology === undefined) return undefined;
  const lang = detectLanguage(answer);
  const length = countWords(answer, lang);
  const limit = lang === "zh" ? SHORT_CHINESE_CHARACTERS : SHORT_ENGLISH_WORDS;
  return length < limit ? { apology, length, limit } : undefined;
}

/**
 * Rule 3: nothing but punctuation and stop words (an empty answer too). Chinese stop words are
 * removed as substrings, longest first; whatever is left must split into English stop words.
 */
export function onlyPunctuationAndStopwords(answer: string): boolean {
  let rest = answer.toLowerCase().replace(/[’‘]/g, "'");
  for (const word of CHINESE_STOPWORDS) rest = rest.replaceAll(word, " ");
  const tokens = rest.split(/[^\p{L}\p{N}']+/u).map((t) => t.replace(/^'+|'+$/g, "")).filter(Boolean);
  return tokens.every((token) => ENGLISH_STOPWORDS.has(token));
}

export type Verdict = "equal" | "not_equal";

const VERDICT_LABEL = /^(?:your\s+)?(?:judge?ment|verdict|answer|decision|判断|结论|回答)\s*[:：]\s*/u;
const NOT_EQUAL = /^(?:not\s+equal|unequal|不相等|不相同|不等|不同)/u;
const EQUAL = /^(?:equal|相等|相同)/u;

/**
 * Rule 1's judge reply, read strictly: the first non-empty line, stripped of markdown, quotes and
 * a leading "Judgement:" label, must BE the verdict, optionally followed by punctuation and a
 * reason. "Not Equal" is tested first and "Equal" only at the start of the line, so "Not Equal"
 * can never be read as "Equal". Anything else is undefined (unparseable).
 */
export function parseEqualVerdict(reply: string): Verdict | undefined {
  const firstLine = reply.split("\n").map((line) => line.trim()).find((line) => line !== "") ?? "";
  const line = firstLine
    .replace(/[*_`"'“”「」]/g, "")
    .trim()
    .toLowerCase()
    .replace(VERDICT_LABEL, "")
    .replace(/\s+/g, " ");
  for (const [pattern, verdict] of [
    [NOT_EQUAL, "not_equal"],
    [EQUAL, "equal"],
  ] as const) {
    const match = pattern.exec(line);
    if (!match) continue;
    const after = line.slice(match[0].length);
    // The verdict must be the whole statement: "Equal." or "Not Equal — the second adds…", never "Equally hard".
    return after === "" || /^\s*[.,;:!。，；：！—-]/u.test(after) ? verdict : undefined;
  }
  return undefined;
}
