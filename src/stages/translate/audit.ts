/**
 * Audit of a record that is already Chinese (a machine-translated dataset): the damage plain
 * translation leaves behind, named with evidence. Pure; used by `scripts/bench-zh.ts` to measure
 * public translated sets, and available to any stage reading Chinese data.
 *
 *  - translated_code: code whose keywords or identifiers became Chinese ("如果 len(s1) != len(s2):",
 *    "返回假", "def阶乘（n）："), seen as Han characters on code lines outside comments and strings;
 *  - traditional: characters only Traditional Chinese writes (OpenCC 't' → 'cn' changes them), with
 *    what the phrase-level conversion makes of them;
 *  - language_specific:<reason>: a task that made no sense once translated (Chinese patterns).
 */
import type { AlpacaRecord } from "../../schemas.js";
import { hasTraditional, normalizeToSimplified } from "../../text/simplified.js";
import { classifyLanguageSpecific, flagName } from "./languageSpecific.js";

export interface AuditFinding {
  issue: string;
  evidence: string;
}

/** The record has code in it at all: a Python/JS/SQL keyword shape or a fence. */
const CODE_CONTEXT = /```|^\s*(?:def|class|import|return|function|public|private|#include|SELECT|print)\b|\bdef\s*\S+\s*[(（]|\w\(\)|[;{]\s*$/im;

/** A line shaped like code: keywords, calls, assignments, or a block opener ending in a colon. */
const CODE_SHAPE = /^\s*(?:def|class|if|elif|else|for|while|return|import|from|try|except|print|function|var|let|const)\b|[\w\]）)]\s*(?:==|!=|\+=|-=|=)\s*\S|[\w）)]\s*[(（][^()（）]*[)）]|[:：]\s*$|^\s{2,}\S/;

/** Chinese words that replaced code keywords in careless translations. */
const TRANSLATED_KEYWORD = /^\s*(?:如果|否则如果|否则|别的|对于|返回|打印|定义|导入|当|尝试|除了|最后|类|而|通过|断言|产量|全局|删除)(?:\s|[（(：:]|[真假无]|$)/;

const COMMENT = /(?:#|\/\/).*$/;
const STRING_LITERAL = /"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|“[^”\n]*”|‘[^’\n]*’|&quot;.*?&quot;/g;
const HAN = /\p{Script=Han}/u;

export function translatedCodeLines(text: string): string[] {
  if (!CODE_CONTEXT.test(text)) return [];
  const found: string[] = [];
  for (const line of codeLinesOf(text)) {
    const bare = line.replace(STRING_LITERAL, '""').replace(COMMENT, "");
    if (!HAN.test(bare)) continue;
    if (TRANSLATED_KEYWORD.test(bare) || (CODE_SHAPE.test(bare) && /[=()（）\[\]:：]/.test(bare) && isMostlyCode(bare))) found.push(line.trim());
  }
  return found;
}

/** Lines inside fences, or every line when the text has no fence (bare code in a field). */
function codeLinesOf(text: string): string[] {
  const fenced = [...text.matchAll(/```[^\n]*\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return (fenced.length > 0 ? fenced.join("\n") : text).split("\n");
}

/** A prose sentence that happens to hold "=" or a colon is mostly Han; a code line is mostly not. */
function isMostlyCode(line: string): boolean {
  const han = line.match(/\p{Script=Han}/gu)?.length ?? 0;
  const ascii = line.match(/[A-Za-z0-9_=()[\]{}.:+\-*/<>!]/g)?.length ?? 0;
  return ascii >= 3 && han <= ascii * 2 && han < 20;
}

export function traditionalFragments(text: string): string[] {
  if (!hasTraditional(text)) return [];
  const converted = normalizeToSimplified(text).text;
  const changed: string[] = [];
  const source = [...text];
  const target = [...converted];
  // OpenCC maps character for character except rare phrase length changes; compare by position while aligned.
  if (source.length !== target.length) return [`${text.slice(0, 40)} → ${converted.slice(0, 40)}`];
  for (let i = 0; i < source.length; i++) if (source[i] !== target[i]) changed.push(`${source[i]}→${target[i]}`);
  return [...new Set(changed)];
}

export function auditChineseRecord(record: AlpacaRecord): AuditFinding[] {
  const findings: AuditFinding[] = [];
  const code = [...translatedCodeLines(record.input), ...translatedCodeLines(record.output)];
  if (code.length > 0) findings.push({ issue: "translated_code", evidence: code.slice(0, 3).join(" ⏎ ") });
  const traditional = traditionalFragments(`${record.instruction}\n${record.input}\n${record.output}`);
  if (traditional.length > 0) findings.push({ issue: "traditional", evidence: traditional.slice(0, 8).join(" ") });
  const flag = classifyLanguageSpecific(record, "zh");
  if (flag) findings.push({ issue: flagName(flag), evidence: flag.matched });
  return findings;
}
