/**
 * Tasks that do not survive translation into Chinese: their answer depends on English sounds,
 * letters or grammar (rhymes, anagrams, spelling fixes…), or they ask for another language.
 * Translated, they become nonsense ("为单词“love”生成 10 个押韵词" answered "鸽子，上面，手套…").
 *
 * Pure: English instruction (+ input) in, a named reason or nothing out. Each rule is a regex
 * with a short name; `exceptWhen` lists the contexts that make the same words harmless (a function
 * that tests for palindromes works on any string, in any language).
 */
import type { AlpacaRecord } from "../../schemas.js";

export type LanguageSpecificReason =
  | "rhyme"
  | "alliteration"
  | "pun"
  | "spelling"
  | "grammar"
  | "punctuation"
  | "anagram"
  | "palindrome"
  | "letters"
  | "affix"
  | "syllables"
  | "translation"
  | "wordplay";

export interface LanguageSpecificFlag {
  reason: LanguageSpecificReason;
  /** The words that triggered the rule, as evidence. */
  matched: string;
}

interface Rule {
  reason: LanguageSpecificReason;
  pattern: RegExp;
  /** When this also matches, the task is language-neutral after all. */
  exceptWhen?: RegExp;
}

/** A programming task handles strings of any language: palindromes and anagrams there are fine. */
const CODE_TASK = /\b(?:function|program|script|algorithm|code|method|class|implement\w*|python|java(?:script)?|c\+\+|sql|regex|regular expression|data structure)\b/i;

const LANGUAGES =
  "english|french|spanish|german|italian|portuguese|russian|japanese|korean|arabic|hindi|dutch|swedish|greek|latin|turkish|polish|hebrew|vietnamese|thai|indonesian|mandarin|cantonese|chinese|another language|other languages?";

const RULES: readonly Rule[] = [
  { reason: "rhyme", pattern: /\b(?:rhym\w*|limericks?|couplets? that rhyme)\b/i },
  { reason: "alliteration", pattern: /\balliterat\w*\b/i },
  { reason: "pun", pattern: /\b(?:puns?|punny|play on words|double entendre)\b/i },
  { reason: "wordplay", pattern: /\b(?:wordplay|tongue[- ]twisters?|spoonerisms?|homophones?|homonyms?|homographs?|pig latin|lipograms?|acrostics?)\b/i },
  {
    reason: "spelling",
    pattern: /\b(?:misspell\w*|spelling|spell[- ]?check\w*|spelled (?:correctly|incorrectly|wrong)|how (?:do you|to|would you) spell|spell (?:out|the word|it|this))\b/i,
  },
  {
    reason: "grammar",
    pattern:
      /\b(?:(?:correct|fix|edit|check|proofread|identify|find|detect|improve|rewrite)\w*\b[^.?!\n]{0,50}\bgramma(?:r|tical)\w*|gramma(?:r|tical)(?:ly)? (?:errors?|mistakes?|correct\w*|incorrect)|proofread\w*|(?:past|present|future|perfect|progressive|continuous) tense|(?:plural|singular) (?:form|of)|passive voice|active voice|subject[- ]verb agreement|capitali[sz]\w*|(?:definite|indefinite) articles?|contractions?|conjugat\w*|gerunds?|participles?|irregular verbs?)\b/i,
  },
  { reason: "punctuation", pattern: /\b(?:(?:add|insert|correct|fix|missing|proper|appropriate)\w*\b[^.?!\n]{0,30}\bpunctuation|punctuate)\b/i },
  { reason: "anagram", pattern: /\b(?:anagrams?|unscramble\w*|scrambled (?:letters|words?)|rearrange the letters)\b/i, exceptWhen: CODE_TASK },
  { reason: "palindrome", pattern: /\bpalindrom\w*\b/i, exceptWhen: CODE_TASK },
  { reason: "syllables", pattern: /\bsyllabl\w*\b|\biambic\b|\bpentameter\b/i },
  {
    reason: "letters",
    pattern:
      /\b(?:how many (?:letters|vowels|consonants)|count(?:ing)? (?:the )?(?:number of )?(?:letters|vowels|consonants)|(?:start|begin|end)s?(?:ning|ing)? with (?:the )?letter|(?:starting|beginning|ending) (?:with|in) (?:the )?(?:letter|"[a-z]"|'[a-z]')|letters? of the (?:english )?alphabet|(?:first|last|second|third) letter of|(?:create|make|form|generate|come up with) an acronym|alphabetical(?:ly)? (?:order|sort)|in alphabetical order)\b/i,
    exceptWhen: CODE_TASK,
  },
  {
    // Words by their letters: what starts, ends or contains what, letter counts, word ladders, case.
    reason: "letters",
    pattern:
      /\b(?:words? (?:that |which )?(?:start|begin|end|finish)s? (?:with|in)|(?:every|each) word (?:starts|begins|ends)|(?:ending|ends?|starting|starts?|beginning|begins?) (?:with|in) (?:the )?(?:prefix|suffix|letters?\b|-\w+|["'][a-z]{1,4}["'])|(?:contains?|containing|with|without|has|have|using) (?:the |only )?(?:(?:one|two|three|\d+|a|no) )?(?:letters? [A-Za-z"']|vowels?|consonants?)\b|(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten)[- ]letter words?|word ladder|change (?:one|a|the first|the last) letter|which letters? (?:appears?|occurs?|is)|letters? (?:appears?|occurs?) (?:most|least)|(?:in|to|into) (?:upper|lower)[- ]?case(?: letters)?|(?:upper|lower)case letters)/i,
    exceptWhen: CODE_TASK,
  },
  {
    // Prefixes, suffixes and roots are parts of English words; "prefix sum" or "suffix array" are algorithms.
    reason: "affix",
    pattern: /\b(?:prefix(?:es)?|suffix(?:es)?|root words?|word roots?|affix(?:es)?|morphemes?)\b/i,
    exceptWhen: new RegExp(`${CODE_TASK.source}|\\b(?:prefix|suffix) (?:sums?|arrays?|trees?|notation|expressions?|codes?|match\\w*)\\b|\\b(?:url|ip|network|phone|name|title|file)\\s+(?:prefix|suffix)`, "i"),
  },
  {
    reason: "translation",
    pattern: new RegExp(
      String.raw`\btranslat\w*\b[^.?!\n]{0,80}\b(?:into|to|from|in)\s+(?:${LANGUAGES})\b|\b(?:${LANGUAGES})\s+(?:word|phrase|translation|equivalent)s?\s+(?:for|of)\b|\bhow (?:do|would) you say\b[^.?!\n]{0,60}\bin (?:${LANGUAGES})\b|\btranslat\w* (?:this|the following|these|the)\b`,
      "i",
    ),
  },
];

/**
 * The same reasons seen in text that is already Chinese (machine-translated datasets), for
 * auditing them: "为单词“love”生成 10 个押韵词" is the rhyme task after a careless translation.
 */
const CODE_TASK_ZH = /函数|程序|代码|算法|脚本|编程|正则|数据结构|python|java|sql/i;
const LANGUAGES_ZH = "英|法|西班牙|德|意大利|葡萄牙|俄|日|韩|阿拉伯|印地|荷兰|瑞典|希腊|拉丁|土耳其|波兰|希伯来|越南|泰|中";

const RULES_ZH: readonly Rule[] = [
  { reason: "rhyme", pattern: /押韵|韵脚|韵律词|打油诗/ },
  { reason: "alliteration", pattern: /头韵/ },
  { reason: "pun", pattern: /双关/ },
  { reason: "wordplay", pattern: /绕口令|同音异义|同音词|谐音词|首字母诗|藏头/ },
  { reason: "spelling", pattern: /拼写|拼错/ },
  {
    reason: "grammar",
    pattern: /语法(?:错误|正确|不正确|问题)|(?:纠正|修改|改正|检查|编辑|校对|修正)[^。？！\n]{0,20}语法|过去(?:时|式)|现在(?:完成)?时|将来时|被动语态|主动语态|(?:复数|单数)形式|冠词|动词变位|主谓一致/,
  },
  { reason: "punctuation", pattern: /(?:添加|加上|插入|纠正|改正|修改|正确的|适当的|缺少的?)[^。？！\n]{0,15}标点|标点符号(?:错误|使用)/ },
  { reason: "anagram", pattern: /字谜|变位词|(?:重新排列|打乱|重排)[^。？！\n]{0,10}字母/, exceptWhen: CODE_TASK_ZH },
  { reason: "palindrome", pattern: /回文/, exceptWhen: CODE_TASK_ZH },
  { reason: "syllables", pattern: /音节|抑扬格|五步格/ },
  { reason: "letters", pattern: /以字母|字母[^。？！\n]{0,6}(?:开头|结尾)|多少个(?:字母|元音|辅音)|元音字母|辅音字母|字母表中的?第|首字母缩[写略]|\d+个字母的(?:单词|词)|字母个数|哪个字母|(?:大写|小写)字母|单词(?:阶梯|接龙)/, exceptWhen: CODE_TASK_ZH },
  { reason: "affix", pattern: /前缀|后缀|词根|词缀/, exceptWhen: new RegExp(`${CODE_TASK_ZH.source}|前缀和|后缀数组|后缀树`, "i") },
  { reason: "translation", pattern: new RegExp(`(?:翻译|译)(?:成|为|到)(?:${LANGUAGES_ZH})(?:语|文)|从(?:${LANGUAGES_ZH})(?:语|文)翻译|(?:${LANGUAGES_ZH})(?:语|文)(?:怎么说|中的?(?:单词|说法)|单词)`) },
];

/**
 * The first rule that fires on the instruction, or undefined for a portable task. Only the
 * instruction is read: it states the task, while the input is material that may mention
 * "spelling" or "rhymes" without the task depending on them. `lang` is the instruction's
 * language: English sources before translation, or Chinese datasets being audited.
 */
export function classifyLanguageSpecific(record: Pick<AlpacaRecord, "instruction">, lang: "en" | "zh" = "en"): LanguageSpecificFlag | undefined {
  for (const rule of lang === "en" ? RULES : RULES_ZH) {
    const match = rule.pattern.exec(record.instruction);
    if (!match) continue;
    if (rule.exceptWhen?.test(record.instruction)) continue;
    return { reason: rule.reason, matched: match[0] };
  }
  return undefined;
}

export const flagName = (flag: LanguageSpecificFlag): string => `language_specific:${flag.reason}`;
