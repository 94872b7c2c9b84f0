/**
 * Chinese verb–object pairs from jieba's POS tags: the first content verb, then the head noun of
 * the noun phrase after it ("写一个函数" → 写/函数, "判断这条评价的情感" → 判断/情感).
 * Not measured against a gold set (see docs/report-notes.md), so the report marks it as rough.
 */
import { Jieba } from "@node-rs/jieba";
import { dict } from "@node-rs/jieba/dict.js";
import type { VerbObject } from "./english.js";

/** Verbs that frame the request rather than name the task ("请/帮我/给我 写…"). */
const FRAMING_VERBS = new Set(["请", "帮", "帮忙", "给", "让", "是", "有", "要", "想", "能", "可以", "需要", "希望", "要求", "使用", "用"]);
/** Words jieba tags between a verb and its object noun: numerals, measure words, pronouns, 的. */
const SKIPPABLE = /^(?:m|q|r|a|ad|an|d|f|uj|b|z|mq)$/;
const NOUN = /^(?:n|nz|ng|nr|ns|nt|vn|eng)$/;
/** Measure words jieba sometimes tags as nouns ("这条评价" → 这/r 条/n). */
const MEASURE_WORDS = new Set(["条", "个", "段", "篇", "句", "首", "道", "封", "份", "张", "位", "种", "件", "本", "些"]);

let jieba: Jieba | undefined;

export function extractChineseVerbObject(instruction: string): VerbObject | null {
  jieba ??= Jieba.withDict(dict);
  const words = jieba.tag(firstClause(instruction), true);
  const verbAt = words.findIndex((w) => w.tag === "v" && !FRAMING_VERBS.has(w.word));
  if (verbAt < 0) return null;
  let head: string | null = null;
  for (let i = verbAt + 1; i < words.length; i++) {
    const { word, tag } = words[i]!;
    if (MEASURE_WORDS.has(word)) continue;
    if (NOUN.test(tag)) head = word;
    else if (head !== null && word !== "的") break;
    else if (!SKIPPABLE.test(tag) && word !== "的") break;
  }
  return { verb: words[verbAt]!.word, object: head };
}

function firstClause(text: string): string {
  return text.split(/[。？！?!\n]/)[0] ?? text;
}
