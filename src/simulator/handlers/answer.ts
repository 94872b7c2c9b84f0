/**
 * The catch-all handler of the simulator (a TEST DOUBLE, not a model): a well-formed, varied,
 * deterministic reply to any prompt, composed from small built-in phrase banks. The content is
 * deliberately generic filler — it only has to look like an answer to the pipeline (length,
 * shape, language, code fences), never to be right.
 */
import { shuffled } from "../rng.js";
import type { Rng, SimHandler, SimRequest } from "../types.js";
import { detectLanguage } from "../../text/language.js";

const MIN_WORDS = 20;
const MAX_WORDS = 200;

const EN_STOPWORDS = new Set(
  "a an and are as at be but by can could do does for from give has have how i if in into is it its make me my of on or please should so some tell than that the their them then there these this those to use using was what when where which while who why will with would write you your about explain describe".split(
    " ",
  ),
);

const EN_INSTRUCTION_VERBS = new Set(
  "answer compose create define describe explain find generate list name provide rewrite show suggest summarize summarise translate".split(" "),
);

const ZH_INSTRUCTION_WORDS = /请|解释|一下|描述|说明|介绍|写出|写一|列出|什么是|如何|怎么|为什么|给出|简要|简单/gu;

const EN_OPENERS = [
  "Here is a short answer about {topic}.",
  "When it comes to {topic}, a few points matter most.",
  "{Topic} is easier to handle once it is broken into parts.",
  "A practical way to think about {topic} is to start from the goal.",
  "There are several ways to approach {topic}.",
];

const EN_SENTENCES = [
  "Start with the simplest case and check that it behaves as expected.",
  "The key idea is to keep each step small enough to verify on its own.",
  "It helps to write down the assumptions before drawing any conclusion.",
  "Most mistakes come from skipping the definition of the terms involved.",
  "A concrete example usually makes the general rule much clearer.",
  "Compare the options by their cost, their risk and how long they take.",
  "If the result looks surprising, go back and test each input separately.",
  "Clear names and short sentences make the explanation easier to follow.",
  "The same pattern appears in many everyday situations.",
  "In practice, consistency matters more than finding a perfect method.",
  "One common pitfall is to generalise from a single observation.",
  "Keeping notes of what was tried saves time when the problem returns.",
  "Experts usually recommend reviewing the result after a short break.",
  "The answer depends on the context, so state the context explicitly.",
  "Small improvements, repeated regularly, add up to a large difference.",
];

const EN_LIST_ITEMS = [
  "Define the goal in one sentence.",
  "Collect the facts that are already known.",
  "List the constraints and the resources available.",
  "Try the simplest option first.",
  "Measure the outcome instead of guessing.",
  "Ask for feedback from someone who was not involved.",
  "Write down what worked and what did not.",
  "Repeat the process with the lessons learned.",
  "Remove anything that does not serve the goal.",
  "Check the result against the original question.",
];

const EN_CLOSERS = [
  "In short, {topic} rewards a careful, step-by-step approach.",
  "Following these points should give a reliable result.",
  "With practice, this becomes second nature.",
  "That covers the essentials.",
];

const ZH_OPENERS = ["关于{topic}，可以从以下几个方面来理解。", "这是一个关于{topic}的简要回答。", "要处理{topic}，首先要明确目标。"];

const ZH_SENTENCES = [
  "首先要弄清楚问题的背景和已知条件。",
  "把大问题拆成几个小步骤，每一步都要能单独检查。",
  "举一个具体的例子，往往能让道理更加清楚。",
  "比较不同方案时，要同时考虑成本、风险和所需时间。",
  "如果结果出乎意料，就逐一检查每个输入。",
  "保持一致比追求完美的方法更重要。",
  "常见的错误是根据一次观察就下结论。",
  "记录尝试过的做法，下次遇到同样的问题时可以节省时间。",
  "在实际生活中，这种思路可以用在很多场合。",
  "持续的小改进，最终会带来明显的变化。",
];

const ZH_LIST_ITEMS = ["明确目标。", "收集已知的信息。", "列出限制条件。", "先尝试最简单的方案。", "用结果来检验，而不是凭感觉。", "请别人提出意见。", "总结经验，继续改进。"];

const ZH_CLOSERS = ["总之，循序渐进是处理{topic}的好办法。", "按照以上步骤，一般就能得到可靠的结果。", "以上就是主要的要点。"];

const CODE_PATTERN = /\b(code|function|program|script|sql|query|python|javascript|typescript|java|algorithm|regex|class|method|implement)\b|代码|函数|程序|编程|算法/i;

/**
 * The language to answer in: a system prompt that sets one wins (as it would with a model);
 * otherwise the prompt's own language, code and URLs left out, so a Chinese instruction over
 * English code is answered in Chinese.
 */
function answerLanguage(request: SimRequest): "zh" | "en" {
  const system = request.messages.find((m) => m.role === "system")?.content;
  return detectLanguage(system ?? request.prompt);
}

/** The first content word of the prompt, plus the next word when it is one too ("sql query"). */
function englishTopic(prompt: string): string {
  const words = prompt.toLowerCase().match(/[a-z][a-z'-]*/g) ?? [];
  const isContent = (w: string | undefined) => w !== undefined && w.length >= 3 && !EN_STOPWORDS.has(w) && !EN_INSTRUCTION_VERBS.has(w);
  const first = words.findIndex(isContent);
  if (first < 0) return "this topic";
  const next = words[first + 1];
  return isContent(next) ? `${words[first]} ${next}` : (words[first] as string);
}

/** The first Han phrase once request words (请, 解释, 一下 …) are removed, cut at 的/是/和. */
function chineseTopic(prompt: string): string {
  const stripped = prompt.replace(ZH_INSTRUCTION_WORDS, " ");
  const phrase = stripped.match(/\p{Script=Han}{2,}/u)?.[0]?.split(/[的是和与了吗呢]/u)[0] ?? "";
  return phrase.length >= 2 ? phrase.slice(0, 8) : "这个问题";
}

function fill(template: string, topic: string): string {
  const capitalised = topic.charAt(0).toUpperCase() + topic.slice(1);
  return template.replaceAll("{topic}", topic).replaceAll("{Topic}", capitalised);
}

function wordCount(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

interface Language {
  openers: readonly string[];
  sentences: readonly string[];
  listItems: readonly string[];
  closers: readonly string[];
  /** How a piece of text is measured against the word target (Chinese: ~1.5 characters a word). */
  size(text: string): number;
  joiner: string;
}

const ENGLISH: Language = {
  openers: EN_OPENERS,
  sentences: EN_SENTENCES,
  listItems: EN_LIST_ITEMS,
  closers: EN_CLOSERS,
  size: wordCount,
  joiner: " ",
};

const CHINESE: Language = {
  openers: ZH_OPENERS,
  sentences: ZH_SENTENCES,
  listItems: ZH_LIST_ITEMS,
  closers: ZH_CLOSERS,
  size: (text) => Math.ceil(text.replace(/\s+/g, "").length / 1.5),
  joiner: "",
};

/**
 * Draw from `bank` in a shuffled order until the pieces reach `target` in size; a long target
 * reshuffles and continues (`allowRepeats`), a list stops when the bank is used up.
 */
function drawUntil(bank: readonly string[], target: number, language: Language, rng: Rng, allowRepeats: boolean): string[] {
  const pieces: string[] = [];
  let size = 0;
  let order: string[] = [];
  while (size < target) {
    if (order.length === 0) {
      if (!allowRepeats && pieces.length > 0) break;
      order = shuffled(bank, rng);
    }
    const piece = order.pop() as string;
    pieces.push(piece);
    size += language.size(piece);
  }
  return pieces;
}

function paragraphBody(language: Language, target: number, rng: Rng): string {
  const sentences = drawUntil(language.sentences, target, language, rng, true);
  const split = Math.ceil(sentences.length / 2);
  if (sentences.length < 4) return sentences.join(language.joiner);
  return `${sentences.slice(0, split).join(language.joiner)}\n\n${sentences.slice(split).join(language.joiner)}`;
}

function listBody(language: Language, target: number, rng: Rng, numbered: boolean): string {
  const items = drawUntil(language.listItems, target, language, rng, false);
  return items.map((item, i) => `${numbered ? `${i + 1}.` : "-"} ${item}`).join("\n");
}

function identifierFrom(topic: string): string {
  const words = topic.match(/[a-z]+/gi) ?? [];
  return words.length > 0 ? words.join("_").toLowerCase() : "solve";
}

function codeBlock(prompt: string, topic: string, rng: Rng): string {
  const name = identifierFrom(topic);
  if (/\b(sql|query|table|database)\b/i.test(prompt)) {
    const column = rng.pick(["name", "created_at", "total", "status"]);
    return "```sql\nSELECT id, " + column + ", COUNT(*) AS n\nFROM records\nWHERE " + column + " IS NOT NULL\nGROUP BY id, " + column + "\nORDER BY n DESC\nLIMIT 10;\n```";
  }
  const python = /\bpython\b/i.test(prompt) || (!/\b(javascript|typescript|js|node)\b/i.test(prompt) && rng.chance(0.5));
  if (python) {
    return "```python\ndef " + name + "(items):\n    \"\"\"Return the items that pass the check, in order.\"\"\"\n    result = []\n    for item in items:\n        if item is not None:\n            result.append(item)\n    return result\n```";
  }
  const camel = name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
  return "```javascript\nfunction " + camel + "(items) {\n  // Keep the defined items, preserving order.\n  return items.filter((item) => item !== undefined && item !== null);\n}\n```";
}

function composeAnswer(request: SimRequest, rng: Rng): string {
  const chinese = answerLanguage(request) === "zh";
  const language = chinese ? CHINESE : ENGLISH;
  const topic = chinese ? chineseTopic(request.prompt) : englishTopic(request.prompt);
  const target = MIN_WORDS + rng.int(MAX_WORDS - MIN_WORDS + 1);
  const opener = fill(rng.pick(language.openers), topic);
  const closer = fill(rng.pick(language.closers), topic);
  const bodyTarget = Math.max(5, target - language.size(opener) - language.size(closer));

  const wantsCode = CODE_PATTERN.test(request.prompt) && rng.chance(0.8);
  const shape = wantsCode ? "code" : rng.pick(["paragraph", "paragraph", "bullets", "steps"] as const);
  let body: string;
  switch (shape) {
    case "code":
      body = `${codeBlock(request.prompt, topic, rng)}\n\n${paragraphBody(language, Math.min(bodyTarget, 40), rng)}`;
      break;
    case "bullets":
      body = listBody(language, bodyTarget, rng, false);
      break;
    case "steps":
      body = listBody(language, bodyTarget, rng, true);
      break;
    case "paragraph":
      body = paragraphBody(language, bodyTarget, rng);
      break;
  }
  return `${opener}\n\n${body}\n\n${closer}`;
}

export const answerHandler: SimHandler = {
  kind: "answer",
  matches: () => true,
  respond(request, rng) {
    const text = composeAnswer(request, rng);
    return { text: request.json ? JSON.stringify({ answer: text }) : text };
  },
};
