/** Language heuristics shared by the stages: Han share, zh/en detection, word counts. */

const HAN = /\p{Script=Han}/gu;
const LETTER = /\p{L}/gu;
const URL = /\b(?:https?|ftp):\/\/\S+/g;
const CODE_FENCE = /```[\s\S]*?```/g;
const NOT_COUNTED_IN_CHINESE = /[\s\p{P}\p{S}]/u;

/**
 * Share of Han characters among all letters (Han characters are letters too). URLs and fenced
 * code blocks are ignored: a Chinese question about Python code is still Chinese.
 * 0 when there are no letters.
 */
export function hanShare(text: string): number {
  const prose = text.replace(CODE_FENCE, " ").replace(URL, " ");
  const letters = countMatches(prose, LETTER);
  return letters === 0 ? 0 : countMatches(prose, HAN) / letters;
}

/**
 * Han characters carry about three Latin letters' worth of text each, so a share of 0.2 already
 * means Chinese dominates ("把下面的句子翻译成英文：<English sentence>" is Chinese).
 * franc-style detectors are unreliable on short strings; this is not.
 */
export const CHINESE_HAN_SHARE = 0.2;

export function detectLanguage(text: string): "zh" | "en" {
  return hanShare(text) >= CHINESE_HAN_SHARE ? "zh" : "en";
}

/**
 * Length in words. English: whitespace-separated words (the Alpaca rule).
 * Chinese: characters, not counting whitespace, punctuation or symbols.
 */
export function countWords(text: string, lang: "zh" | "en"): number {
  if (lang === "en") return countWhitespaceSeparated(text);
  let count = 0;
  for (const char of text) if (!NOT_COUNTED_IN_CHINESE.test(char)) count++;
  return count;
}

function countMatches(text: string, pattern: RegExp): number {
  let count = 0;
  pattern.lastIndex = 0;
  while (pattern.exec(text) !== null) count++;
  return count;
}

/** `text.split(/\s+/).filter(Boolean).length` without building the array (runs per generated task). */
function countWhitespaceSeparated(text: string): number {
  let count = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const space = isJsWhitespace(text.charCodeAt(i));
    if (!space && !inWord) count++;
    inWord = !space;
  }
  return count;
}

/** JavaScript's `\s`: ASCII tab to carriage return and space, then Unicode Zs, NBSP, BOM and the line separators. */
function isJsWhitespace(c: number): boolean {
  if (c < 128) return c === 32 || (c >= 9 && c <= 13);
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}
