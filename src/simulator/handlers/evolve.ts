/**
 * Simulator (a TEST DOUBLE, not a model) handler for Evol-Instruct rewrite requests — the
 * `prompts/evol_*.txt` prompts, recognised by their `#Given Prompt#:` … `#Rewritten Prompt#:` /
 * `#Created Prompt#:` layout. A normal reply is the given prompt plus a plausible addition in the
 * same language (a constraint, a deeper question, a specific setting, reasoning steps, a data
 * sample, code-task requirements), or a new rarer prompt for in-breadth.
 *
 * Planted failures, each with its own knob (a rate in [0, 1]):
 *   evolve.leakRate          the reply leaks template words ("the given prompt", "(#Rewritten Prompt#)")
 *   evolve.copyRate          the reply is the given prompt, unchanged
 *   evolve.noGainRate        a paraphrase whose only new words are FILLER words (the judge says "Equal")
 *   evolve.echoLabelsRate    a good rewrite preceded by echoed "#…Prompt#:" labels (must pass once stripped)
 *   evolve.refusalBaitRate   a good rewrite asking for REFUSAL_BAIT (evolAnswer replies with a short apology)
 *   evolve.stopwordBaitRate  a good rewrite asking for STOPWORD_BAIT (evolAnswer replies with stop words only)
 * Which fault a request gets depends only on the prompt text (`plantedEvolveFault`), so tests can
 * recompute exactly which evolutions were planted.
 */
import { hashString, shuffled } from "../rng.js";
import { tokenize } from "../../text/tokenize.js";
import { hanShare } from "../../text/language.js";
import type { Rng, SimHandler, SimKnobs } from "../types.js";

export const EVOLVE_FAULTS = ["leak", "copy", "noGain", "echoLabels", "refusalBait", "stopwordBait"] as const;
export type EvolveFault = (typeof EVOLVE_FAULTS)[number];

/** Small background rates so a plain `simulate` run shows every elimination; tests set each knob explicitly. */
export const EVOLVE_FAULT_DEFAULTS: Record<EvolveFault, number> = {
  leak: 0.02,
  copy: 0.02,
  noGain: 0.03,
  echoLabels: 0.04,
  refusalBait: 0.01,
  stopwordBait: 0.01,
};

export const REFUSAL_BAIT = { en: "in the voice of a medieval herald", zh: "用中世纪传令官的口吻" } as const;
export const STOPWORD_BAIT = { en: "using only filler words", zh: "只用虚词" } as const;

/** The only words a no-gain paraphrase adds; the judge handler answers "Equal" exactly when nothing else was added. */
export const FILLER_TOKENS: ReadonlySet<string> = new Set([
  ..."please kindly do so clearly and carefully just simply really now here".split(" "),
  ..."请认真仔细地做一下",
]);
const FILLER_EN = ["kindly", "do", "so", "clearly", "and", "carefully", "just", "simply", "really", "now", "please", "here"];
const FILLER_ZH = [..."请认真仔细地做一下"];

const FAULT_SALT = 0x3e701;

export function knobRate(knobs: SimKnobs, name: string, fallback: number): number {
  const value = knobs[name];
  return value === undefined || !Number.isFinite(value) ? fallback : Math.min(1, Math.max(0, value));
}

/** The planted fault for an evolve prompt: one uniform draw from the prompt text, split into the knobs' bands. */
export function plantedEvolveFault(prompt: string, knobs: SimKnobs): EvolveFault | undefined {
  const draw = hashString(prompt, FAULT_SALT) / 2 ** 53;
  let upper = 0;
  for (const fault of EVOLVE_FAULTS) {
    upper += knobRate(knobs, `evolve.${fault}Rate`, EVOLVE_FAULT_DEFAULTS[fault]);
    if (draw < upper) return fault;
  }
  return undefined;
}

/** Tokens of `evolved` that are neither in `original` nor filler: the substance an evolution added. */
export function addedContent(original: string, evolved: string): string[] {
  const known = new Set(tokenize(original));
  return tokenize(evolved).filter((token) => !known.has(token) && !FILLER_TOKENS.has(token));
}

type SimOperation =
  | "add_constraints" | "deepen" | "concretize" | "increase_reasoning" | "complicate_input" | "breadth"
  | "code_constraints" | "code_rare_requirement" | "code_reasoning" | "code_misdirection" | "code_complexity";

const GIVEN_LABEL = "#Given Prompt#:";
const ANSWER_LABEL = /#(Rewritten|Created) Prompt#:\s*$/;

export function isEvolvePrompt(prompt: string): boolean {
  return prompt.includes(GIVEN_LABEL) && ANSWER_LABEL.test(prompt);
}

/** The text after the LAST `#Given Prompt#:` (in-context examples come before it). */
function givenPromptIn(prompt: string): string {
  const start = prompt.lastIndexOf(GIVEN_LABEL) + GIVEN_LABEL.length;
  const end = prompt.search(ANSWER_LABEL);
  return prompt.slice(start, end > start ? end : undefined).trim();
}

/** Which method the prompt file asks for, from its wording (an overridden prompt falls back to add_constraints). */
function operationOf(prompt: string): SimOperation {
  if (/#Created Prompt#:\s*$/.test(prompt)) return "breadth";
  if (prompt.includes("programming question")) {
    if (prompt.includes("erroneous code")) return "code_misdirection";
    if (prompt.includes("time or space complexity")) return "code_complexity";
    if (prompt.includes("less common")) return "code_rare_requirement";
    if (prompt.includes("reasoning steps")) return "code_reasoning";
    return "code_constraints";
  }
  if (prompt.includes("structured input data")) return "complicate_input";
  if (prompt.includes("multi-step reasoning")) return "increase_reasoning";
  if (prompt.includes("more specific ones")) return "concretize";
  if (prompt.includes("deepen the inquiry")) return "deepen";
  return "add_constraints";
}

type Lang = "en" | "zh";
type Bank = Record<Lang, readonly string[]>;

const FLAWED_CODE = "```python\ndef solve(items):\n    items = items.sort()\n    return items[0]\n```";

const ADDITIONS: Record<Exclude<SimOperation, "breadth">, Bank> = {
  add_constraints: {
    en: [
      "Keep the answer under 120 words and give one concrete example.",
      "The response must be organised as exactly three numbered points.",
      "Mention at least one common misconception and correct it.",
      "Avoid technical jargon so that a twelve-year-old can follow it.",
      "Finish with a one-sentence summary of the main takeaway.",
      "Support each claim with a brief real-world example.",
    ],
    zh: ["回答不超过一百五十字，并给出一个具体的例子。", "答案必须分成三个带编号的要点。", "至少指出一个常见的误解并加以纠正。", "不要使用专业术语，让十二岁的孩子也能看懂。", "最后用一句话概括主要结论。"],
  },
  deepen: {
    en: [
      "Also explain the underlying causes and how they interact.",
      "Discuss how the answer changes across two contrasting historical periods.",
      "Consider the long-term consequences as well as the immediate effects.",
      "Compare the perspectives of at least two different stakeholders.",
    ],
    zh: ["同时解释其背后的原因以及这些原因如何相互作用。", "讨论在两个截然不同的历史时期，答案会有什么变化。", "既要考虑短期影响，也要考虑长期后果。", "比较至少两类不同利益相关者的观点。"],
  },
  concretize: {
    en: [
      "Focus specifically on small family-run bakeries in northern Italy.",
      "Frame it for a first-year nursing student preparing for a night shift.",
      "Set it in a coastal town of about 8,000 residents during winter.",
      "Use the case of a 40-person software company moving to remote work.",
    ],
    zh: ["具体针对江南地区的小型家庭面包店。", "以一名准备值夜班的护理专业一年级学生为对象。", "把场景设定在冬季一个约八千人口的海滨小镇。", "以一家四十人的软件公司转向远程办公为例。"],
  },
  increase_reasoning: {
    en: [
      "Reason step by step: state your assumptions, test each one, then justify the conclusion.",
      "First list the relevant factors, then rank them, and finally explain the ranking.",
      "Show each intermediate step and explain why it follows from the previous one.",
    ],
    zh: ["请逐步推理：先说明假设，再逐一检验，最后论证结论。", "先列出相关因素，再给它们排序，最后解释排序的理由。", "写出每一个中间步骤，并说明它为何由上一步推出。"],
  },
  complicate_input: {
    en: [
      "Use the figures in this table.\n\n| region | 2022 | 2023 |\n|---|---|---|\n| north | 412 | 468 |\n| south | 390 | 351 |\n| west | 275 | 309 |",
      'Base your answer on this record:\n\n{"name": "Lena Ortiz", "visits": 14, "last_visit": "2024-03-02", "plan": "premium"}',
      "Take this log excerpt into account:\n\n```\n09:14 start job=import rows=1200\n09:16 warn missing_field=email count=37\n09:17 done elapsed=183s\n```",
    ],
    zh: [
      "请使用下表中的数据。\n\n| 地区 | 2022年 | 2023年 |\n|---|---|---|\n| 华北 | 412 | 468 |\n| 华南 | 390 | 351 |",
      '请根据以下记录作答：\n\n{"姓名": "李明", "到访次数": 14, "最近到访": "2024-03-02"}',
    ],
  },
  code_constraints: {
    en: ["The solution must not use any external libraries and must handle empty input.", "Your function must avoid recursion and validate its arguments."],
    zh: ["解决方案不能使用任何第三方库，并且要能处理空输入。", "函数不能使用递归，并且要校验输入参数。"],
  },
  code_rare_requirement: {
    en: ["Instead of returning a list, return a generator that yields results lazily in reverse order.", "Accept the input as a stream of lines rather than a single in-memory string."],
    zh: ["不要返回列表，而是返回一个按逆序惰性产生结果的生成器。", "输入以逐行读取的流给出，而不是一次性读入内存的字符串。"],
  },
  code_reasoning: {
    en: ["Before coding, explain the algorithm in three steps and argue why it terminates.", "Trace your solution by hand on a small example before giving the final code."],
    zh: ["写代码之前，先用三个步骤说明算法并论证它一定会终止。", "给出最终代码前，先用一个小例子手工演算一遍。"],
  },
  code_misdirection: {
    en: [`Here is a flawed attempt for reference; point out what is wrong with it:\n\n${FLAWED_CODE}`],
    zh: [`下面是一段有错误的参考代码，请指出其中的问题：\n\n${FLAWED_CODE}`],
  },
  code_complexity: {
    en: ["Your solution must run in O(n log n) time and use O(1) extra space.", "Keep the running time linear in the input size, even for a million elements."],
    zh: ["解决方案的时间复杂度必须为 O(n log n)，额外空间为 O(1)。", "即使输入有一百万个元素，运行时间也要保持线性。"],
  },
};

/** Extra additions used when a long prompt needs more new text to be clearly more than a copy. */
const EXTRA: Bank = {
  en: [
    "Explain your reasoning briefly.",
    "Point out one limitation of your answer.",
    "Add a short concluding recommendation.",
    "Mention one source a reader could consult.",
    "Note any assumption you had to make.",
    "Suggest a follow-up question worth exploring.",
  ],
  zh: ["简要说明你的理由。", "指出你的回答的一个局限。", "最后给出一条简短的建议。", "说明你做出的任何假设。", "提出一个值得进一步探讨的问题。"],
};

const BREADTH: Bank = {
  en: [
    "Describe how {topic} was handled by lighthouse keepers in the nineteenth century, and what records they might have kept about it.",
    "Explain what an Antarctic research station would need to consider about {topic} during the polar night.",
    "Write a short guide to {topic} for beekeepers working in a high-altitude village.",
    "Outline how a travelling puppet theatre company could approach {topic} while on a three-month tour.",
  ],
  zh: [
    "描述十九世纪的灯塔看守人如何处理{topic}，以及他们可能会留下怎样的记录。",
    "解释南极科考站在极夜期间需要考虑哪些与{topic}有关的问题。",
    "为在高海拔山村工作的养蜂人写一份关于{topic}的简短指南。",
  ],
};

const TOPIC_STOPWORDS = new Set("what which with that this from into about your their there these those write give make explain describe create generate list find tell provide following please".split(" "));

function topicOf(given: string, lang: Lang): string {
  if (lang === "zh") {
    const run = given.replace(/请|解释|描述|说明|介绍|写出|列出|给出|什么是|如何|怎么|为什么|一下/g, " ").match(/\p{Script=Han}{2,}/u)?.[0];
    return run ? run.slice(0, 4) : "这个主题";
  }
  const words = (given.match(/[A-Za-z]{4,}/g) ?? []).map((w) => w.toLowerCase()).filter((w) => !TOPIC_STOPWORDS.has(w));
  return words.slice(0, 2).join(" ") || "this subject";
}

/** Share of new tokens below which an addition would look like a copy (ROUGE-L vs the parent ≤ ~0.85). */
function isSubstantialEnough(given: string, additions: readonly string[]): boolean {
  const m = tokenize(given).length;
  const k = additions.reduce((sum, a) => sum + tokenize(a).length, 0);
  return (2 * m) / (2 * m + k) <= 0.85;
}

function joinText(lang: Lang, parts: readonly string[]): string {
  return parts.join(lang === "zh" ? "" : " ");
}

/** A genuine rewrite: additions that bring new substance, enough of them that the result is clearly not a copy. */
function rewrite(given: string, operation: Exclude<SimOperation, "breadth">, lang: Lang, rng: Rng): string {
  const fresh = (text: string) => !given.includes(text) && addedContent(given, text).length > 0;
  const primary = shuffled(ADDITIONS[operation][lang], rng).filter(fresh);
  const extras = shuffled(EXTRA[lang], rng).filter(fresh);
  const chosen = primary.length > 0 ? [primary[0]!] : [];
  for (const candidate of [...primary.slice(1), ...extras]) {
    if (chosen.length > 0 && isSubstantialEnough(given, chosen)) break;
    chosen.push(candidate);
  }
  if (chosen.length === 0) chosen.push(lang === "zh" ? `请特别考虑第${rng.int(90) + 10}种情况。` : `Pay special attention to case number ${rng.int(90) + 10}.`);
  const separator = operation === "complicate_input" || operation === "code_misdirection" ? "\n\n" : lang === "zh" ? "" : " ";
  return `${given}${separator}${joinText(lang, chosen)}`;
}

/** A new prompt from a template the given prompt was not itself made from (else breadth-of-breadth could repeat it). */
function createNew(given: string, lang: Lang, rng: Rng): string {
  const unused = BREADTH[lang].filter((template) => !given.includes(template.split("{topic}")[0]!));
  return rng.pick(unused.length > 0 ? unused : BREADTH[lang]).replaceAll("{topic}", topicOf(given, lang));
}

/** A no-gain paraphrase: filler words only, enough of them that ROUGE-L does not catch it as a copy. */
function fillerParaphrase(given: string, lang: Lang): string {
  const needed = Math.max(4, Math.ceil(0.3 * tokenize(given).length) + 2);
  const bank = lang === "zh" ? FILLER_ZH : FILLER_EN;
  const words = Array.from({ length: needed }, (_, i) => bank[i % bank.length]!);
  if (lang === "zh") return `请${given}${words.join("")}。`;
  const sentence = words.join(" ");
  return `Please: ${given} ${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.`;
}

function withLeak(text: string, lang: Lang, rng: Rng): string {
  const variants =
    lang === "zh"
      ? [`${text}（这是在给定提示的基础上改写的。）`, `${text}这就是改写后的提示。`]
      : [`${text} Make it harder than the given prompt.`, `${text} (#Rewritten Prompt#)`, `${text} This rewritten prompt adds one constraint.`];
  return rng.pick(variants);
}

/** The ways chat models echo the label the prompt ends with (all must be stripped by the stage). */
const ECHOED_LABELS = {
  rewritten: ["#Rewritten Prompt#:\n", "Rewritten Prompt:\n", "**Rewritten Prompt:** ", "#Rewritten Prompt#\n", "## Rewritten Prompt\n"],
  created: ["#Created Prompt#:\n", "Created Prompt: ", "**Created Prompt:** ", "#Created Prompt#\n"],
} as const;

function withEchoedLabels(text: string, given: string, breadth: boolean, rng: Rng): string {
  const label = rng.pick(breadth ? ECHOED_LABELS.created : ECHOED_LABELS.rewritten);
  return rng.chance(0.5) ? `${label}${text}` : `${GIVEN_LABEL}\n${given}\n\n${label}${text}`;
}

function withBait(text: string, lang: Lang, bait: typeof REFUSAL_BAIT | typeof STOPWORD_BAIT): string {
  const separator = text.includes("\n") ? "\n\n" : lang === "zh" ? "" : " ";
  return lang === "zh" ? `${text}${separator}请${bait.zh}回答。` : `${text}${separator}Write the answer ${bait.en}.`;
}

export function respondToEvolve(prompt: string, rng: Rng, knobs: SimKnobs): string {
  const given = givenPromptIn(prompt);
  const lang: Lang = hanShare(given) >= 0.2 ? "zh" : "en";
  const operation = operationOf(prompt);
  const breadth = operation === "breadth";
  const fault = plantedEvolveFault(prompt, knobs);
  if (fault === "copy") return given;
  if (fault === "noGain") return fillerParaphrase(given, lang);
  const evolved = breadth ? createNew(given, lang, rng) : rewrite(given, operation, lang, rng);
  switch (fault) {
    case "leak":
      return withLeak(evolved, lang, rng);
    case "echoLabels":
      return withEchoedLabels(evolved, given, breadth, rng);
    case "refusalBait":
      return withBait(evolved, lang, REFUSAL_BAIT);
    case "stopwordBait":
      return withBait(evolved, lang, STOPWORD_BAIT);
    default:
      return evolved;
  }
}

export const evolveHandler: SimHandler = {
  kind: "evolve",
  matches: (request) => isEvolvePrompt(request.prompt),
  respond: (request, rng, knobs) => ({ text: respondToEvolve(request.prompt, rng, knobs) }),
};
