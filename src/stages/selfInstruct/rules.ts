/**
 * The per-task quality rules applied before the similarity check. English follows the Alpaca
 * recipe exactly (word count, whole-word blacklist, "Write a program", punctuation or non-ASCII
 * first character) plus an empty-output check; Chinese follows BELLE (BELLE's substring blacklist
 * over the whole task — instruction, input and output — and lengths in characters) plus a
 * language check and a leading-punctuation check that lets book titles and quotations open.
 * Every rule can be switched off by name and rejects with its own reason.
 */
import type { Language } from "../../schemas.js";
import { countWords, detectLanguage } from "../../text/language.js";
import { escapeRegExp } from "../../text/regex.js";

export const RULE_NAMES = ["length", "blacklist", "program", "punctuation-start", "non-ascii-start", "language", "empty-output", "similarity"] as const;
export type RuleName = (typeof RULE_NAMES)[number];

export interface Rejection {
  reason: string;
  detail: Record<string, unknown>;
}

export interface TaskText {
  instruction: string;
  input: string;
  output: string;
}

export interface RuleSettings {
  lang: Language;
  disabled: ReadonlySet<RuleName>;
  /** Words (en, whole word) or substrings (zh) that disqualify a task. */
  blacklist: readonly string[];
}

/** Alpaca's list: things a text model cannot produce or do. */
export const ENGLISH_BLACKLIST: readonly string[] = [
  "image", "images", "graph", "graphs", "picture", "pictures", "file", "files", "map", "maps",
  "draw", "plot", "go to", "video", "audio", "music", "flowchart", "diagram",
];

/**
 * BELLE's list, word for word (LianjiaTech/BELLE, data/1.5M/generate_instruction.py): images,
 * charts, files, links and the generator itself. It has no 音乐 and no 视频 — its prompt asks for
 * no audio or video instead. Matched as substrings of the whole task, case-insensitively (BELLE
 * compares case-sensitively, so its 'chatgpt' never caught "ChatGPT").
 */
export const CHINESE_BLACKLIST: readonly string[] = [
  "图像", "图片", "照片", "文件", "图表", "图层", "曲线图", "折线图", "直线图", "柱形图", "饼状图", "链接", "http",
  "OpenAI", "chatgpt", "gpt-3", "gpt-3.5", "gpt-4",
];

/** Python's `string.punctuation`. */
const ASCII_PUNCTUATION = new Set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~");
const ANY_PUNCTUATION = /^[\p{P}\p{S}]/u;
/** Opening brackets and quotes (《书名》, “引语”, 「」, （）): a Chinese instruction may start with a title or a quotation. */
const OPENING_PUNCTUATION = /^[\p{Ps}\p{Pi}]/u;
const ENGLISH_LIMITS = { min: 3, max: 150 } as const;
/** Characters (without punctuation and spaces); a Chinese character carries about a word. */
const CHINESE_LIMITS = { min: 3, max: 150 } as const;

export function defaultBlacklist(lang: Language): readonly string[] {
  return lang === "zh" ? CHINESE_BLACKLIST : ENGLISH_BLACKLIST;
}

type Rule = (task: TaskText, settings: RuleSettings) => Rejection | undefined;

const rules: Array<{ name: RuleName; langs: readonly Language[]; check: Rule }> = [
  { name: "length", langs: ["en", "zh"], check: lengthRule },
  { name: "blacklist", langs: ["en"], check: englishBlacklistRule },
  { name: "blacklist", langs: ["zh"], check: chineseBlacklistRule },
  { name: "program", langs: ["en"], check: programRule },
  { name: "punctuation-start", langs: ["en", "zh"], check: punctuationStartRule },
  { name: "non-ascii-start", langs: ["en"], check: nonAsciiStartRule },
  { name: "language", langs: ["zh"], check: languageRule },
  { name: "empty-output", langs: ["en", "zh"], check: emptyOutputRule },
];

/** The first rule (in Alpaca's order) the task breaks, or undefined when it passes them all. */
export function checkRules(task: TaskText, settings: RuleSettings): Rejection | undefined {
  for (const rule of rules) {
    if (settings.disabled.has(rule.name) || !rule.langs.includes(settings.lang)) continue;
    const rejection = rule.check(task, settings);
    if (rejection) return rejection;
  }
  return undefined;
}

function lengthRule(task: TaskText, settings: RuleSettings): Rejection | undefined {
  const limits = settings.lang === "zh" ? CHINESE_LIMITS : ENGLISH_LIMITS;
  const length = countWords(task.instruction, settings.lang);
  const unit = settings.lang === "zh" ? "characters" : "words";
  if (length <= limits.min) return { reason: "too_short", detail: { [unit]: length, min: limits.min + 1 } };
  if (length > limits.max) return { reason: "too_long", detail: { [unit]: length, max: limits.max } };
  return undefined;
}

const wordPatterns = new WeakMap<readonly string[], RegExp>();

function englishBlacklistRule(task: TaskText, settings: RuleSettings): Rejection | undefined {
  if (settings.blacklist.length === 0) return undefined;
  let pattern = wordPatterns.get(settings.blacklist);
  if (!pattern) {
    pattern = new RegExp(`\\b(?:${settings.blacklist.map(escapeRegExp).join("|")})\\b`, "i");
    wordPatterns.set(settings.blacklist, pattern);
  }
  const match = pattern.exec(task.instruction);
  return match ? { reason: "blacklisted_word", detail: { word: match[0].toLowerCase() } } : undefined;
}

function chineseBlacklistRule(task: TaskText, settings: RuleSettings): Rejection | undefined {
  for (const field of ["instruction", "input", "output"] as const) {
    const text = task[field].toLowerCase();
    const word = settings.blacklist.find((entry) => text.includes(entry.toLowerCase()));
    if (word !== undefined) return { reason: "blacklisted_word", detail: { word, field } };
  }
  return undefined;
}

function programRule(task: TaskText): Rejection | undefined {
  return task.instruction.startsWith("Write a program") ? { reason: "write_a_program", detail: {} } : undefined;
}

function punctuationStartRule(task: TaskText, settings: RuleSettings): Rejection | undefined {
  // The first code point, without spreading the whole instruction into an array.
  const codePoint = task.instruction.codePointAt(0);
  const first = codePoint === undefined ? "" : String.fromCodePoint(codePoint);
  const punctuation =
    settings.lang === "zh" ? ASCII_PUNCTUATION.has(first) || (ANY_PUNCTUATION.test(first) && !OPENING_PUNCTUATION.test(first)) : ASCII_PUNCTUATION.has(first);
  return punctuation ? { reason: "starts_with_punctuation", detail: { char: first } } : undefined;
}

function nonAsciiStartRule(task: TaskText): Rejection | undefined {
  const first = task.instruction.codePointAt(0);
  return first !== undefined && first > 0x7f ? { reason: "starts_with_non_ascii", detail: { char: String.fromCodePoint(first) } } : undefined;
}

function languageRule(task: TaskText, settings: RuleSettings): Rejection | undefined {
  const detected = detectLanguage(task.instruction);
  return detected === settings.lang ? undefined : { reason: "wrong_language", detail: { expected: settings.lang, detected } };
}

function emptyOutputRule(task: TaskText): Rejection | undefined {
  return task.output.trim() === "" ? { reason: "empty_output", detail: {} } : undefined;
}

