/**
 * Refusals and AI disclaimers, English and Chinese. A disclaimer ("As an AI language model")
 * counts anywhere; an apology or "I cannot" only at the very start of the output and only when
 * it declines the task itself (help, provide, access, see …), so "I'm sorry to hear about your
 * loss" in a consolation letter or "Unfortunately, I cannot attend" in a declining email pass.
 */
import { excerpt, fail, PASS, type Rule } from "./types.js";

const AI_DISCLAIMER_EN = /\b(?:as an? (?:ai|artificial intelligence)(?:[- ]powered)?(?: language)? (?:model|assistant|system|chatbot)|i(?:'m| am) (?:just |only )?(?:an? )?(?:ai|artificial intelligence)(?: language)? (?:model|assistant)|as a (?:large )?language model)\b/i;
const AI_DISCLAIMER_ZH = /作为(?:一个|一名|一款)?(?:AI|人工智能|人工智慧|语言模型|大语言模型)(?:语言模型|助手|模型|程序)?|我(?:只)?是(?:一个|一名)?(?:AI|人工智能)(?:语言模型|助手|模型|程序)?(?:[，,。]|$)|我是一个语言模型/i;

/** What a refusal declines: the task, never an everyday action in a role-played letter. */
const DECLINED_TASK_EN =
  "(?:help|assist|provide|fulfil|fulfill|complete|answer|comply|perform|generate|create|produce|write|do (?:that|this|so)|access|browse|view|see|look at|watch|listen|open|display|show|draw|play|process|predict|give (?:you )?(?:an? |the )?(?:answer|opinion|response)|respond|engage|support|share|offer|express|have (?:personal|feelings|opinions|access|the ability))";
const CANNOT_EN = "(?:can ?not|can't|cannot|am (?:not able|unable) to|'m (?:not able|unable) to|won't|will not|do not have the ability to|don't have the ability to|am not capable of|'m not capable of)";

const REFUSAL_START_EN = new RegExp(
  String.raw`^["'“]?\s*(?:(?:i'm|i am)?\s*(?:very |so |really )?(?:sorry|afraid)|i apologi[sz]e|apologies|unfortunately)[,.!]?\s*(?:but\s*)?(?:,\s*)?(?:as an? [\w -]{2,40}?,\s*)?i(?:'m| am)?\s*${CANNOT_EN}\s+(?:\w+ )?${DECLINED_TASK_EN}`,
  "i",
);
const CANNOT_START_EN = new RegExp(String.raw`^["'“]?\s*i\s*${CANNOT_EN}\s+(?:\w+ )?${DECLINED_TASK_EN}\b`, "i");
const NO_ACCESS_EN = /^["'“]?\s*(?:(?:sorry|unfortunately)[,.!]?\s*)?i (?:do not|don't|do not currently) have (?:access to|the ability|the capability|personal|real-time|any (?:way|means))/i;
const THIS_REQUEST_EN = /^["'“]?\s*(?:i(?:'m| am) sorry,? but )?(?:this|that|your) (?:request|task|question) (?:is|cannot|can't) (?:not )?(?:possible|be (?:completed|fulfilled|answered)|inappropriate|beyond)/i;

const DECLINED_TASK_ZH = "(?:回答|提供|完成|执行|帮助|帮你|帮您|协助|访问|查看|看到|观看|收听|听到|打开|生成|绘制|画|显示|展示|浏览|满足|处理|做到|实现|预测|给出|进行|理解|识别|判断|获取|评价|判断)";
const REFUSAL_START_ZH = new RegExp(
  `^["“「]?\\s*(?:很|非常|十分)?(?:抱歉|对不起|不好意思|遗憾)[，,。！!]?\\s*(?:但是?|不过)?[，,]?\\s*(?:作为[^，,。]{1,20}[，,]\\s*)?我(?:目前|暂时|现在)?(?:无法|不能|没有办法|没办法|不可以|不会)(?:为您|为你|直接)?${DECLINED_TASK_ZH}`,
);
const CANNOT_START_ZH = new RegExp(`^["“「]?\\s*我(?:目前|暂时|现在)?(?:无法|不能|没有办法|没办法)(?:为您|为你|直接)?${DECLINED_TASK_ZH}`);
const NO_ACCESS_ZH = /^["“「]?\s*(?:抱歉[，,]?\s*)?我(?:没有|不具备)(?:访问|查看|浏览|获取|观看)|^["“「]?\s*(?:抱歉[，,]?\s*)?(?:这个|该|您的)(?:请求|问题|任务)(?:超出了?|无法)/;

const PATTERNS: ReadonlyArray<readonly [string, RegExp, "anywhere" | "start"]> = [
  ["ai_disclaimer", AI_DISCLAIMER_EN, "anywhere"],
  ["ai_disclaimer", AI_DISCLAIMER_ZH, "anywhere"],
  ["apology_refusal", REFUSAL_START_EN, "start"],
  ["cannot", CANNOT_START_EN, "start"],
  ["no_access", NO_ACCESS_EN, "start"],
  ["request_refused", THIS_REQUEST_EN, "start"],
  ["apology_refusal", REFUSAL_START_ZH, "start"],
  ["cannot", CANNOT_START_ZH, "start"],
  ["no_access", NO_ACCESS_ZH, "start"],
];

export const refusal: Rule = (record) => {
  // Curly apostrophes ("I’m") are common in model output; the patterns use the straight one.
  const output = record.output.trim().replace(/[’‘]/g, "'");
  for (const [kind, pattern] of PATTERNS) {
    const match = pattern.exec(output);
    if (match) return fail({ kind, matched: excerpt(match[0], 60) });
  }
  return PASS;
};
