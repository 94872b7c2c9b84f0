/**
 * Refusals and AI disclaimers, English and Chinese, from a maintained list of phrasings.
 *
 * Where the list comes from: the phrase lists that the public "unfiltered" cleanings of
 * ShareGPT and WizardLM data used to drop aligned answers — `optional_clean.py` of the
 * ShareGPT_Vicuna_unfiltered dataset (huggingface.co/datasets/anon8231489123 and gozfarb) and
 * `wizardlm_clean.py` of WizardLM_alpaca_evol_instruct_70k_unfiltered / WizardLM_evol_instruct_V2
 * unfiltered (huggingface.co/datasets/ehartford), which many later cleaners copied. Those are
 * plain substrings ("As an AI language model, I cannot", "I'm sorry, but as an AI language
 * model", "my knowledge cutoff", "I cannot fulfill your request" …). The patterns below are our
 * own wording of the same families, as regular expressions that also catch their variants
 * (just/only/merely, AI/artificial intelligence, curly apostrophes, Chinese counterparts), and
 * leave out the lists' topic words ("ethical", "illegal", "racist" …), which drop answers that
 * merely discuss those topics.
 *
 * Where they apply: an AI-identity disclaimer counts anywhere; an apology or "I cannot" counts
 * only at the start of the output (or of its first sentence after "Sure,"/"Unfortunately,") and
 * only when it declines the task itself (help, provide, access, see …), so "I'm sorry to hear
 * about your loss" in a consolation letter or "Unfortunately, I cannot attend" in a declining
 * e-mail pass. `refusalExtraPhrases` (thresholds) adds plain phrases, matched anywhere.
 */
import { escapeRegExp } from "../../../text/regex.js";
import type { FilterThresholds } from "../config.js";
import { excerpt, fail, PASS, type Rule } from "./types.js";

type Kind = "ai_disclaimer" | "knowledge_cutoff" | "no_feelings" | "apology_refusal" | "cannot" | "no_access" | "request_refused" | "policy" | "not_a_professional";

interface Phrasing {
  kind: Kind;
  pattern: RegExp;
}

// --- English ---------------------------------------------------------------------------------

const AI = String.raw`(?:an? )?(?:ai|a\.i\.|artificial intelligence|large language model|language model|llm|chatbot|virtual assistant|ai assistant|text-based ai|machine learning model)`;
const AI_ROLE = String.raw`(?:ai|artificial intelligence)(?:[- ]powered| text-based| based)?(?: language)? (?:model|assistant|system|chatbot|program|bot)`;

/** What a refusal declines: the task, never an everyday action in a role-played letter. */
const DECLINED_TASK_EN =
  "(?:help|assist|provide|fulfil|fulfill|complete|answer|comply|perform|generate|create|produce|write|do (?:that|this|so)|access|browse|search|view|see|look at|watch|listen|open|display|show|draw|play|process|predict|give (?:you )?(?:an? |the |my )?(?:answer|opinion|response|advice)|respond|engage|support|share|offer|express|continue|participate|discuss|comment|translate|recommend|have (?:personal|feelings|opinions|access|the ability))";
const CANNOT_EN = "(?:can ?not|can't|cannot|am (?:not able|unable) to|'m (?:not able|unable) to|won't|will not|won't be able to|will not be able to|am not in a position to|do not have the ability to|don't have the ability to|am not capable of|'m not capable of|must (?:decline|refuse) to|am not allowed to|am not permitted to|'m not allowed to)";
const OPENING_EN = String.raw`^["'“]?\s*(?:(?:sure|okay|ok|well|unfortunately|regrettably|however)[,!.]?\s+)?(?:but\s+)?`;

const ENGLISH: readonly Phrasing[] = [
  // "As an AI language model, …", "As a large language model", "as an AI developed by OpenAI"
  { kind: "ai_disclaimer", pattern: new RegExp(String.raw`\bas an? (?:${AI_ROLE}|large language model|language model|ai(?: developed| created| trained| made) by)\b`, "i") },
  { kind: "ai_disclaimer", pattern: new RegExp(String.raw`\bas an? (?:ai|machine|neutral ai|hypothetical ai|dedicated ai),\s*i\b`, "i") },
  // "I'm just an AI and …", "I am only a language model", "I am an AI language model and do not"
  { kind: "ai_disclaimer", pattern: new RegExp(String.raw`\bi(?:'m| am) (?:just |only |merely |simply )?${AI}(?:(?: model| assistant| program)?(?:\s*(?:,|and|so|that|which|who|without|\.))|\s+(?:model|assistant|program) (?:developed|created|trained|made) by)`, "i") },
  { kind: "ai_disclaimer", pattern: /\b(?:i(?:'m| am) not (?:a human|a person|human|sentient|conscious)|i(?:'m| am) a (?:computer program|machine|bot),)/i },
  { kind: "knowledge_cutoff", pattern: /\b(?:my (?:knowledge|training)(?: data)? (?:cut-?off|cut off|only goes|goes up|extends|is limited)|as of my (?:last |latest )?(?:knowledge |training )?(?:update|cut-?off)|my training (?:data )?(?:only )?(?:goes|runs|extends) (?:up )?(?:to|until))/i },
  // "I don't have personal opinions/feelings/preferences" — the lists' most common filler
  { kind: "no_feelings", pattern: /\bi (?:do not|don't|cannot|can't) (?:have|hold|possess|form|experience) (?:any )?(?:personal |my own )?(?:feelings|emotions|opinions|preferences|beliefs|experiences|desires|consciousness|a body|physical form)\b/i },
  {
    kind: "apology_refusal",
    pattern: new RegExp(
      String.raw`${OPENING_EN}(?:(?:i'm|i am)?\s*(?:very |so |really |truly )?(?:sorry|afraid)|i apologi[sz]e|my apologies|apologies|unfortunately|regrettably)[,.!]?\s*(?:but\s*)?(?:,\s*)?(?:as an? [\w -]{2,40}?,\s*)?(?:i(?:'m| am)?\s*${CANNOT_EN}|i don't think i can|that's not something i can|this is not something i can)\s+(?:\w+ )?${DECLINED_TASK_EN}`,
      "i",
    ),
  },
  { kind: "cannot", pattern: new RegExp(String.raw`${OPENING_EN}i\s*${CANNOT_EN}\s+(?:\w+ )?${DECLINED_TASK_EN}\b`, "i") },
  { kind: "cannot", pattern: /\bi (?:cannot|can't|am unable to|won't) (?:fulfil|fulfill|comply with|complete|assist with|help with) (?:your|this|that|the) (?:request|task|question)/i },
  { kind: "no_access", pattern: new RegExp(String.raw`${OPENING_EN}(?:(?:sorry|i'm sorry|i am sorry)[,.!]?\s*(?:but\s*)?)?i (?:do not|don't|do not currently|don't currently) have (?:access to|the ability|the capability|personal|real-time|any (?:way|means)|browsing|internet)`, "i") },
  { kind: "no_access", pattern: /\bi (?:do not|don't|cannot|can't|am unable to) (?:browse|access|search) (?:the )?(?:internet|web|online|real-time|external (?:websites|links|content))/i },
  { kind: "request_refused", pattern: new RegExp(String.raw`${OPENING_EN}(?:i(?:'m| am) sorry,? but )?(?:this|that|your) (?:request|task|question) (?:is|cannot|can't|goes) (?:not )?(?:possible|be (?:completed|fulfilled|answered)|inappropriate|beyond|against)`, "i") },
  { kind: "request_refused", pattern: /^["'“]?\s*(?:i(?:'m| am) sorry,? but )?(?:it is|it's) not (?:appropriate|possible) for me to\b/i },
  { kind: "policy", pattern: /\b(?:against my (?:programming|guidelines|policies|principles)|my (?:programming|guidelines) (?:prohibit|prevent|do not allow|don't allow)|programming prohibits|violates? (?:my|openai's) (?:content )?(?:policy|policies|guidelines)|violates? the content polic(?:y|ies)|i (?:am|'m) (?:programmed|designed) to (?:prioritize|avoid|refrain|follow))/i },
  { kind: "not_a_professional", pattern: /^["'“]?\s*(?:(?:while|although|though) )?i(?:'m| am) not an? (?:doctor|lawyer|medical professional|licensed (?:professional|therapist|physician)|financial (?:advisor|adviser|expert)|legal (?:expert|professional))\b/i },
];

// --- Chinese ---------------------------------------------------------------------------------

/** An AI self-description; not "AI研究者", "人工智能领域的专家", "AI工程师" (people who work on AI). */
const AI_ZH = "(?:AI语言模型|AI助手|人工智能语言模型|人工智能助手|人工智能|人工智慧|大型语言模型|大语言模型|语言模型|智能助手|虚拟助手|聊天机器人|AI)(?!领域|研究|专家|工程|技术|开发|公司|行业|产品|应用|科学家|从业|爱好|伦理|时代)";
const DECLINED_TASK_ZH = "(?:回答|提供|完成|执行|帮助|帮你|帮您|协助|访问|查看|看到|观看|收听|听到|打开|生成|绘制|画|显示|展示|浏览|满足|处理|做到|实现|预测|给出|进行|理解|识别|判断|获取|评价|参与|发表|表达|翻译|创作|编写|写|推荐|搜索|上网)";
const CANNOT_ZH = "(?:无法|不能|没有办法|没办法|不可以|不会|不便|不方便|做不到|无权|不被允许)";

const CHINESE: readonly Phrasing[] = [
  // 作为一个AI语言模型 / 作为人工智能助手 / 作为一个大型语言模型
  { kind: "ai_disclaimer", pattern: new RegExp(`作为(?:一个|一名|一款|一种)?(?:由[^，,。]{1,20}(?:开发|训练)的)?${AI_ZH}`, "i") },
  // 我只是一个AI / 我是一个人工智能语言模型，… / 我是一个语言模型
  { kind: "ai_disclaimer", pattern: new RegExp(`我(?:只|仅仅|仅|只不过)?是(?:一个|一名|一款|个)?(?:由[^，,。]{1,20}(?:开发|训练)的)?${AI_ZH}(?:模型|程序)?(?:[，,。！!；;]|而|所以|因此|没有|无法|不能|$)`, "i") },
  { kind: "knowledge_cutoff", pattern: /我的(?:知识|训练数据|数据)(?:库)?(?:只)?(?:截止|截至|更新)(?:到|于|日期)|截至我的(?:知识|训练)/ },
  { kind: "no_feelings", pattern: /我(?:没有|并没有|不具备|不具有)(?:个人的?|自己的)?(?:感情|情感|情绪|观点|看法|喜好|偏好|意识(?!到)|身体|个人经历|个人意见|主观)/ },
  {
    kind: "apology_refusal",
    pattern: new RegExp(`^["“「]?\\s*(?:很|非常|十分|真的)?(?:抱歉|对不起|不好意思|遗憾)[，,。！!]?\\s*(?:但是?|不过)?[，,]?\\s*(?:作为[^，,。]{1,20}[，,]\\s*)?我(?:目前|暂时|现在)?${CANNOT_ZH}(?:为您|为你|直接|帮您|帮你)?${DECLINED_TASK_ZH}`),
  },
  { kind: "cannot", pattern: new RegExp(`^["“「]?\\s*我(?:目前|暂时|现在)?(?:无法|不能|没有办法|没办法)(?:为您|为你|直接)?${DECLINED_TASK_ZH}`) },
  { kind: "cannot", pattern: /我(?:无法|不能)(?:满足|完成|回答)(?:您|你)?的(?:这个)?(?:请求|要求|问题)/ },
  { kind: "no_access", pattern: /^["“「]?\s*(?:抱歉[，,]?\s*)?我(?:没有|不具备)(?:访问|查看|浏览|获取|观看|上网|联网)|我(?:无法|不能)(?:访问|浏览|连接)(?:互联网|网络|网页|外部链接)|无法获取实时/ },
  { kind: "request_refused", pattern: /^["“「]?\s*(?:抱歉[，,]?\s*)?(?:这个|该|您的|你的)(?:请求|问题|任务)(?:超出了?|无法|不符合|违反)/ },
  { kind: "policy", pattern: /违反(?:了)?(?:我的)?(?:编程|使用政策|内容政策|道德准则|准则)|我的(?:编程|准则)(?:不允许|禁止)/ },
];

const PHRASINGS: readonly Phrasing[] = [...ENGLISH, ...CHINESE];

const extraPatterns = new WeakMap<readonly string[], RegExp | undefined>();

function extraPattern(thresholds: FilterThresholds): RegExp | undefined {
  const list = thresholds.refusalExtraPhrases;
  if (!extraPatterns.has(list)) {
    const phrases = list.map((phrase) => phrase.trim()).filter((phrase) => phrase !== "");
    extraPatterns.set(list, phrases.length === 0 ? undefined : new RegExp(phrases.map(escapeRegExp).join("|"), "i"));
  }
  return extraPatterns.get(list);
}

/** Curly apostrophes ("I’m") are common in model output; the patterns use the straight one. */
const straighten = (text: string): string => text.trim().replace(/[’‘]/g, "'");

export const refusal: Rule = (record, { thresholds }) => {
  const output = straighten(record.output);
  const instruction = straighten(record.instruction).toLowerCase();
  for (const { kind, pattern } of PHRASINGS) {
    const match = pattern.exec(output);
    // A task about the persona ("describe the day of an AI voice assistant", "作为一名AI语音助手…")
    // is answered in its words: a phrase the instruction itself holds is no disclaimer.
    if (match && !instruction.includes(match[0].toLowerCase().trim())) return fail({ kind, matched: excerpt(match[0], 60) });
  }
  const extra = extraPattern(thresholds)?.exec(output);
  return extra ? fail({ kind: "listed_phrase", matched: excerpt(extra[0], 60) }) : PASS;
};
