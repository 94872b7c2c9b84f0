/** Shape tests on texts that several rules share: code, task kind, per-text language and length. */
import { countWords, detectLanguage } from "../../text/language.js";
import { tokenize } from "../../text/tokenize.js";
import type { FilterLanguage } from "./config.js";

const CODE_FENCE = /```/;
/** Lines that read as code rather than prose: statements, blocks, tags, comments, SQL. */
const CODE_LINE =
  /^\s*(?:def |class |import |from \S+ import|return\b|for\s*\(|for \w+ in |while\s*\(|if\s*\(|else\b|elif |try:|except|function\b|const |let |var |public |private |static |#include|#!|<\/?[a-zA-Z][\w-]*[\s>\/]|\/\/|\/\*|\*\/|SELECT |INSERT |UPDATE |DELETE |CREATE |print\(|console\.)|[;{}()\[\]）]\s*$|^\s*[}\])]|^\s*[\w.\[\]]+\s*[-+*/%]?=\s*\S|^(?: {2,}|\t)\S|^\s*(?:SET|IF|FOR|WHILE|RETURN|END|ELSE|PRINT|FROM|WHERE|GROUP BY|ORDER BY|(?:LEFT |RIGHT |INNER )?JOIN|LIMIT|HAVING)\b|&lt;\/?\w/;

/** True when most of the text is code: a fenced block, or at least 40% code-like lines. */
export function looksLikeCode(text: string): boolean {
  if (CODE_FENCE.test(text)) return true;
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  if (lines.length === 0) return false;
  const codeLines = lines.filter((line) => CODE_LINE.test(line)).length;
  return codeLines / lines.length >= 0.4 || (lines.length === 1 && /[;{}]\s*$|^\s*\w+(?:\.\w+)*\(.*\)\s*;?$/.test(lines[0]!));
}

const TRANSLATION_TASK = /\btranslat|\b(?:english|chinese|mandarin|pinyin)\b|翻译|译成|译为|英文|英语|中文|汉语|拼音|日语|法语|德语|韩语/i;

/** Translation tasks, and tasks naming a language ("生成英文句子"), may answer in another language. */
export function isTranslationTask(instruction: string): boolean {
  return TRANSLATION_TASK.test(instruction);
}

const EDITING_TASK =
  /\b(?:edit|rewrit|re-writ|rephras|paraphras|correct|fix|proofread|revis|format|reformat|convert|chang|modif|sort|order|arrang|revers|capitali[sz]|lowercas|uppercas|punctuat|remov|replac|clean|normali[sz]|updat|refactor|simplif|shorten|reword|improv|debug|optimi[sz]|transform|complet|adjust|alter|amend|restructur|reorder|delet|insert|add|rank|alphabeti[sz]|organi[sz]|group|split|merg|combin|join)\w*|改写|重写|修改|改正|纠正|更正|订正|润色|校对|排序|转换|替换|删除|改成|改为|简化|优化|补全|编辑|变为|变成|转述|复述|填空|添加|插入|分成|分为|拆分|合并|改变|更新|调整|缩短|扩写|标点|大写|小写|语态|疑问句|否定句|时态|修正|排列|顺序|归类|合并|组合/i;

/** Tasks whose correct output may be (nearly) the input itself: editing, fixing, sorting … */
export function isEditingTask(instruction: string): boolean {
  return EDITING_TASK.test(instruction);
}

/**
 * Tasks whose output must differ from their input: restyle, translate, summarise, paraphrase,
 * simplify, change the tone or voice. Returned unchanged, the input is no answer.
 */
const TRANSFORM_TASK =
  /\b(?:translat\w*|paraphras\w*|rephras\w*|reword\w*|rewrit\w*|re-writ\w*|restyl\w*|restat\w*|summari[sz]\w*|summary|condens\w*|shorten\w*|simplif\w*|(?:more|less) (?:formal|informal|concise|polite|professional|casual|persuasive|positive|negative|engaging|friendly)|in (?:a|an|the) (?:[\w-]+ ){0,2}(?:style|tone|voice|register)|(?:passive|active) voice|(?:past|future|present) tense)\b|翻译|译成|译为|改写|重写|转述|复述|概括|总结|摘要|缩写|简化|换一种说法|(?:语气|风格|口吻|语态|时态)/i;

/**
 * Tasks that may rightly return their input unchanged: a correction of a correct text, a
 * check that finds nothing. They win over TRANSFORM_TASK ("Rewrite the sentence, correcting
 * its grammar" on a correct sentence returns it).
 */
const CORRECTIVE_TASK =
  /\b(?:correct(?:s|ed|ing|ion|ions)?|fix\w*|proofread\w*|spell[- ]?check\w*|grammar|grammatical\w*|errors?|mistakes?|typos?|misspell\w*|punctuation|punctuat\w*|capitali[sz]\w*|if (?:needed|necessary)|when (?:needed|necessary)|where (?:needed|necessary))\b|改正|纠正|更正|订正|校对|修正|语法|错误|错别字|病句|检查|标点|大小写|如有必要|如果需要/i;

export type TaskKind = "corrective" | "transform" | "other";

/** Whether a task's output may equal its input (corrective), must differ from it (transform), or neither. */
export function taskKind(instruction: string): { kind: TaskKind; matched?: string } {
  const corrective = CORRECTIVE_TASK.exec(instruction);
  if (corrective) return { kind: "corrective", matched: corrective[0] };
  const transform = TRANSFORM_TASK.exec(instruction);
  return transform ? { kind: "transform", matched: transform[0] } : { kind: "other" };
}

/** The language a text is judged in: forced by --lang, else detected per text. */
export function languageOf(text: string, lang: FilterLanguage): "en" | "zh" {
  return lang === "auto" ? detectLanguage(text) : lang;
}

/** Words (English) or characters (Chinese) in the text's own language. */
export function lengthOf(text: string, lang: FilterLanguage): { length: number; unit: "words" | "chars"; lang: "en" | "zh" } {
  const textLang = languageOf(text, lang);
  return { length: countWords(text, textLang), unit: textLang === "en" ? "words" : "chars", lang: textLang };
}

const recentTokens = new Map<string, string[]>();
const RECENT_LIMIT = 16;

/**
 * `tokenize` with a small memory of the last texts: several rules tokenize the same output of
 * the record being checked, and Chinese tokenization (Traditional → Simplified first) is the
 * costliest step of the heuristics.
 */
export function tokensOf(text: string): string[] {
  const known = recentTokens.get(text);
  if (known) return known;
  const tokens = tokenize(text);
  if (recentTokens.size >= RECENT_LIMIT) recentTokens.delete(recentTokens.keys().next().value!);
  recentTokens.set(text, tokens);
  return tokens;
}
