/**
 * The simulator's answer to a Self-Instruct generation request (a TEST DOUBLE, not a model).
 *
 * It recognises a prompt that lists numbered example tasks and ends with the label of the next
 * one (`4. Instruction:` / `4. 指令：`), and replies with the rest of the numbered list, composed
 * from template × topic × qualifier banks (hundreds of thousands of distinct instructions, so a
 * 52K run can finish). To exercise the pipeline it plants what real models produce: paraphrases
 * of the prompt's examples and of earlier items, blacklisted words, too-short instructions,
 * items with a missing label, and several layouts (`###` or not, bold labels, continuation of the
 * prompt's last line, a chatty preamble, English labels in Chinese replies).
 *
 * Knobs (rates in [0, 1]): generate.duplicateRate (0.12), generate.blacklistRate (0.05),
 * generate.shortRate (0.03), generate.unparseableRate (0.03), generate.inputRate (0.4).
 */
import type { Rng, SimHandler, SimKnobs, SimRequest } from "../types.js";

type Lang = "en" | "zh";

interface Task {
  instruction: string;
  input: string;
  output: string;
}

interface Planted {
  task: Task;
  /** Drop the Output label: the item becomes unreadable. */
  dropOutputLabel?: boolean;
}

const NEXT_ITEM = /\n\s*(\d{1,3})\.\s*(Instruction|指令)\s*[:：]\s*$/;
const EXAMPLE_INSTRUCTION = /^\s*\d{1,3}\.\s*(?:Instruction|指令)\s*[:：][ \t]*(\S.*)$/gm;
const LIST_SIZE = /List of (\d{1,3}) tasks|(\d{1,3})\s*个任务/;

const DEFAULT_KNOBS = {
  duplicateRate: 0.12,
  blacklistRate: 0.05,
  shortRate: 0.03,
  unparseableRate: 0.03,
  inputRate: 0.4,
};

export const generateTasksHandler: SimHandler = {
  kind: "generateTasks",
  matches: (request) => request.prompt.includes("###") && NEXT_ITEM.test(request.prompt),
  respond(request, rng, knobs) {
    const next = NEXT_ITEM.exec(request.prompt)!;
    const lang: Lang = next[2] === "指令" ? "zh" : "en";
    const first = Number(next[1]);
    const listSize = listSizeOf(request, lang);
    const count = Math.max(1, listSize - first + 1);
    const examples = [...request.prompt.matchAll(EXAMPLE_INSTRUCTION)].map((m) => m[1]!.trim());
    const rates = readKnobs(knobs);
    const planted: Planted[] = [];
    for (let i = 0; i < count; i++) planted.push(plantTask(lang, rng, rates, examples, planted));
    return { text: renderReply(planted, first, lang, rng) };
  },
};

function listSizeOf(request: SimRequest, lang: Lang): number {
  const match = LIST_SIZE.exec(request.prompt);
  const size = Number(match?.[1] ?? match?.[2] ?? (lang === "zh" ? 10 : 20));
  return Math.min(size, 60);
}

function readKnobs(knobs: SimKnobs): typeof DEFAULT_KNOBS {
  const rate = (name: keyof typeof DEFAULT_KNOBS): number => {
    const value = knobs[`generate.${name}`];
    return value === undefined || !(value >= 0 && value <= 1) ? DEFAULT_KNOBS[name] : value;
  };
  return {
    duplicateRate: rate("duplicateRate"),
    blacklistRate: rate("blacklistRate"),
    shortRate: rate("shortRate"),
    unparseableRate: rate("unparseableRate"),
    inputRate: rate("inputRate"),
  };
}

function plantTask(lang: Lang, rng: Rng, rates: typeof DEFAULT_KNOBS, examples: string[], earlier: Planted[]): Planted {
  const bank = lang === "zh" ? ZH : EN;
  const fresh = composeTask(bank, rng, rates.inputRate);
  let draw = rng.next();
  if ((draw -= rates.duplicateRate) < 0) {
    const sources = [...examples, ...earlier.map((p) => p.task.instruction)];
    if (sources.length > 0) return { task: { ...fresh, instruction: bank.paraphrase(rng.pick(sources), rng) } };
  }
  if ((draw -= rates.blacklistRate) < 0) return { task: { ...fresh, instruction: fill(rng.pick(bank.blacklisted), bank, rng) } };
  if ((draw -= rates.shortRate) < 0) return { task: { ...fresh, instruction: rng.pick(bank.tooShort), input: "" } };
  if ((draw -= rates.unparseableRate) < 0) return { task: fresh, dropOutputLabel: true };
  return { task: fresh };
}

// ---------------------------------------------------------------------------------------------
// Layout

type Layout = "classic" | "plain" | "bold" | "boldUnnumbered";

const LABELS = {
  en: { instruction: "Instruction", input: "Input", output: "Output", colon: ":", noInput: ["<noinput>", "<noinput>", "<no input>", "N/A", "None"] },
  zh: { instruction: "指令", input: "输入", output: "输出", colon: "：", noInput: ["<无输入>", "<无输入>", "无", "<noinput>"] },
} as const;

function renderReply(items: Planted[], first: number, lang: Lang, rng: Rng): string {
  const layout = rng.pick<Layout>(["classic", "classic", "classic", "classic", "plain", "bold", "boldUnnumbered"]);
  const labels = lang === "zh" && rng.chance(0.15) ? { ...LABELS.en, noInput: LABELS.zh.noInput } : LABELS[lang];
  const continuation = layout === "classic" && rng.chance(0.4);
  const preamble = !continuation && rng.chance(0.25) ? (lang === "zh" ? "好的，以下是更多任务：\n\n" : "Sure! Here are more tasks:\n\n") : "";
  const blocks = items.map((item, i) => renderItem(item, first + i, layout, labels, rng));
  let text = preamble + blocks.join(layout === "plain" ? "\n\n" : "\n");
  if (continuation) {
    // Answer the prompt's trailing "N. Instruction:" by writing the instruction right away.
    const head = `###\n${first}. ${labels.instruction}${labels.colon}`;
    if (text.startsWith(head)) text = text.slice(head.length);
  }
  return text;
}

type Labels = { instruction: string; input: string; output: string; colon: string; noInput: readonly string[] };

function renderItem(item: Planted, n: number, layout: Layout, labels: Labels, rng: Rng): string {
  const { instruction, input, output } = item.task;
  const inputText = input === "" ? rng.pick(labels.noInput) : input;
  const label = (name: string): string => {
    if (layout === "bold") return `${n}. **${name}${labels.colon}**`;
    if (layout === "boldUnnumbered") return `**${name}**${labels.colon}`;
    return `${n}. ${name}${labels.colon}`;
  };
  const space = labels.colon === "：" ? "" : " ";
  const lines = [`${label(labels.instruction)}${space}${instruction}`];
  lines.push(input.includes("\n") || layout === "classic" ? `${label(labels.input)}\n${inputText}` : `${label(labels.input)}${space}${inputText}`);
  lines.push(item.dropOutputLabel ? output : `${label(labels.output)}\n${output}`);
  const body = lines.join("\n");
  return layout === "plain" ? body : `###\n${body}`;
}

// ---------------------------------------------------------------------------------------------
// Composition

interface Bank {
  templates: readonly Template[];
  topics: readonly string[];
  /** Combined with a topic into the `{focus}` slot: "the history of" + "tea ceremonies". */
  aspects: readonly string[];
  /** `{qualifier}` = form + manner: "in under fifty words" + "with a friendly tone". */
  forms: readonly string[];
  manners: readonly string[];
  /** Adjectives for "make it more …". */
  tones: readonly string[];
  /** `{audience}` = kind + person: "a busy" + "nurse". */
  kinds: readonly string[];
  persons: readonly string[];
  objects: readonly string[];
  verbs: readonly string[];
  goals: readonly string[];
  languages: readonly string[];
  blacklisted: readonly string[];
  tooShort: readonly string[];
  sentences: readonly string[];
  paraphrase(instruction: string, rng: Rng): string;
}

interface Template {
  instruction: string;
  /** Present for tasks that work on an input: how to build it. */
  input?: "paragraph" | "review" | "sentence" | "code" | "list";
  output: "prose" | "list" | "code" | "label" | "short";
}

function composeTask(bank: Bank, rng: Rng, inputRate: number): Task {
  const withInput = rng.chance(inputRate);
  const candidates = bank.templates.filter((t) => (t.input !== undefined) === withInput);
  const template = rng.pick(candidates.length > 0 ? candidates : bank.templates);
  const slots = drawSlots(bank, rng);
  const instruction = fill(template.instruction, bank, rng, slots);
  const input = template.input ? composeInput(template.input, bank, rng, slots) : "";
  return { instruction, input, output: composeOutput(template.output, bank, rng, slots) };
}

interface Slots {
  topic: string;
  Topic: string;
  focus: string;
  qualifier: string;
  tone: string;
  audience: string;
  object: string;
  Verb: string;
  goal: string;
  language: string;
  n: string;
  topic2: string;
}

const NUMBER_WORDS = { en: ["two", "three", "four", "five", "six"], zh: ["两", "三", "四", "五", "六"] };

function drawSlots(bank: Bank, rng: Rng): Slots {
  const topic = rng.pick(bank.topics);
  const aspect = rng.pick(bank.aspects);
  const zh = bank === ZH;
  return {
    topic,
    Topic: topic.charAt(0).toUpperCase() + topic.slice(1),
    focus: zh ? `${topic}${aspect}` : `${aspect} ${topic}`,
    qualifier: zh ? `${rng.pick(bank.forms)}，${rng.pick(bank.manners)}` : `${rng.pick(bank.forms)}, ${rng.pick(bank.manners)}`,
    tone: rng.pick(bank.tones),
    audience: zh ? `${rng.pick(bank.kinds)}${rng.pick(bank.persons)}` : `${rng.pick(bank.kinds)} ${rng.pick(bank.persons)}`,
    object: rng.pick(bank.objects),
    Verb: rng.pick(bank.verbs),
    goal: rng.pick(bank.goals),
    language: rng.pick(bank.languages),
    n: rng.pick(zh ? NUMBER_WORDS.zh : NUMBER_WORDS.en),
    topic2: rng.pick(bank.topics),
  };
}

function fill(template: string, bank: Bank, rng: Rng, slots: Slots = drawSlots(bank, rng)): string {
  return template.replace(/\{(\w+)\}/g, (match, name: string) => (name in slots ? slots[name as keyof Slots] : match));
}

function sentences(bank: Bank, rng: Rng, count: number, slots: Slots): string {
  const parts: string[] = [];
  for (let i = 0; i < count; i++) parts.push(fill(rng.pick(bank.sentences), bank, rng, slots));
  return parts.join(bank === ZH ? "" : " ");
}

function composeInput(kind: NonNullable<Template["input"]>, bank: Bank, rng: Rng, slots: Slots): string {
  switch (kind) {
    case "paragraph":
      return sentences(bank, rng, 3 + rng.int(3), slots);
    case "review":
    case "sentence":
      return sentences(bank, rng, 1 + rng.int(2), slots);
    case "list":
      return [1, 2, 3, 4].map((i) => `${i}. ${fill(rng.pick(bank.sentences), bank, rng, slots)}`).join("\n");
    case "code":
      return codeSnippet(rng, slots, true);
  }
}

function composeOutput(kind: Template["output"], bank: Bank, rng: Rng, slots: Slots): string {
  switch (kind) {
    case "prose":
      return sentences(bank, rng, 2 + rng.int(3), slots);
    case "list":
      return [1, 2, 3].map((i) => `${i}. ${fill(rng.pick(bank.sentences), bank, rng, slots)}`).join("\n");
    case "code":
      return `${bank === ZH ? "下面是一个实现：" : "Here is one way to do it:"}\n${codeSnippet(rng, slots, false)}`;
    case "label":
      return rng.pick(bank === ZH ? ["正面", "负面", "中性"] : ["Positive", "Negative", "Neutral"]);
    case "short":
      return sentences(bank, rng, 1, slots);
  }
}

/** Code whose lines look like list items and separators, to test that fences protect them. */
function codeSnippet(rng: Rng, slots: Slots, buggy: boolean): string {
  const name = rng.pick(["total_price", "count_words", "merge_lists", "average_score", "find_peak", "clean_names"]);
  const step = rng.pick(["###", "1. check the input", "2. loop over the items"]);
  if (rng.chance(0.5)) {
    return [
      "```python",
      `def ${name}(items):`,
      `    """Handle ${slots.topic.split(" ").slice(-1)[0]} data.`,
      `    ${step}`,
      '    """',
      "    result = 0",
      "    for item in items:",
      `        result ${buggy ? "=" : "+="} item`,
      "    return result",
      "```",
    ].join("\n");
  }
  return [
    "```javascript",
    `function ${name.replace(/_(\w)/g, (_m, c: string) => c.toUpperCase())}(items) {`,
    `  // ${step}`,
    `  return items.${buggy ? "map" : "reduce"}((sum, x) => sum + x, 0);`,
    "}",
    "```",
  ].join("\n");
}

// ---------------------------------------------------------------------------------------------
// English bank

const EN: Bank = {
  templates: [
    { instruction: "{Verb} {object} about {focus} for {audience}, {qualifier}.", output: "prose" },
    { instruction: "{Verb} {object} on {focus} that {audience} would enjoy, {qualifier}.", output: "prose" },
    { instruction: "How would you explain {focus} to {audience}, {qualifier}?", output: "prose" },
    { instruction: "Explain {focus} to {audience} {qualifier}.", output: "prose" },
    { instruction: "Give {audience} {n} tips on {focus}, {qualifier}.", output: "list" },
    { instruction: "What are {n} ways {audience} could {goal}? Answer {qualifier}.", output: "list" },
    { instruction: "Compare {focus} with {topic2} for {audience}, {qualifier}.", output: "prose" },
    { instruction: "Why should {audience} care about {focus}? Reply {qualifier}.", output: "prose" },
    { instruction: "List {n} myths {audience} believes about {focus}, {qualifier}.", output: "list" },
    { instruction: "Plan a week helping {audience} {goal}, {qualifier}.", output: "list" },
    { instruction: "Describe {focus} as {audience} sees it, {qualifier}.", output: "prose" },
    { instruction: "Brainstorm {n} questions {audience} has about {focus}, {qualifier}.", output: "list" },
    { instruction: "Write {language} code for {audience} that checks {focus} data, {qualifier}.", output: "code" },
    { instruction: "Teach {focus} to {audience} {qualifier}.", output: "prose" },
    { instruction: "Predict how {focus} will change for {audience}, {qualifier}.", output: "prose" },
    { instruction: "Summarize this paragraph on {focus} for {audience}, {qualifier}.", input: "paragraph", output: "prose" },
    { instruction: "Classify this comment on {focus} by {audience}, {qualifier}.", input: "review", output: "label" },
    { instruction: "Rewrite this sentence on {focus} for {audience}, {qualifier}.", input: "sentence", output: "short" },
    { instruction: "Fix this {language} code about {focus} and tell {audience} why, {qualifier}.", input: "code", output: "code" },
    { instruction: "Turn these notes on {focus} into prose for {audience}, {qualifier}.", input: "list", output: "prose" },
    { instruction: "Order these steps so {audience} can {goal}, {qualifier}.", input: "list", output: "list" },
    { instruction: "What is wrong with this claim on {focus}? Tell {audience} {qualifier}.", input: "sentence", output: "prose" },
    { instruction: "Answer this question from {audience} about {focus}, {qualifier}.", input: "sentence", output: "prose" },
    { instruction: "Proofread this note on {focus} for {audience}, {qualifier}.", input: "paragraph", output: "prose" },
  ],
  aspects: [
    "the history of", "the economics of", "common myths about", "safety rules for", "the future of", "the environmental impact of",
    "the basic science behind", "everyday uses of", "the pros and cons of", "the ethics of", "beginner mistakes in",
    "recent trends in", "the cultural meaning of", "the hidden costs of", "the role of technology in", "the health effects of",
    "popular debates about", "the vocabulary of", "rules of thumb for", "the main risks of", "key figures in",
    "local traditions around", "the daily routine behind", "the math behind", "career paths in", "the legal side of",
  ],
  topics: [
    "the water cycle", "compound interest", "the printing press", "urban beekeeping", "remote team meetings", "sourdough baking",
    "volcanic eruptions", "the immune system", "electric scooters", "ancient Roman roads", "photosynthesis in desert plants",
    "credit card debt", "public libraries", "solar panel maintenance", "the stock market", "migratory birds", "coral reef bleaching",
    "password security", "marathon training", "plate tectonics", "the French Revolution", "home composting", "noise pollution",
    "microplastics in rivers", "time zones", "the history of jazz", "vaccination schedules", "renting a first apartment",
    "recycling electronics", "chess openings", "sleep hygiene", "language learning apps", "container shipping", "wind turbines",
    "the Silk Road", "budget travel in Europe", "black holes", "supply and demand", "open source licenses", "medieval castles",
    "minimalist living", "rainwater harvesting", "job interviews", "the Olympic Games", "food labels", "desert ecosystems",
    "carbon footprints", "public speaking anxiety", "the human heart", "tidal energy", "freelance contracts", "origami",
    "the metric system", "vertical farming", "online privacy", "the moon landing", "beginner woodworking", "fermented foods",
    "museum etiquette", "honeybee communication", "cloud computing costs", "wildfire prevention", "classical music concerts",
    "ocean tides", "household budgets", "spreadsheet formulas", "dinosaur fossils", "climate adaptation in cities",
    "volunteering abroad", "board game design", "bicycle commuting", "antibiotic resistance", "the Great Barrier Reef",
    "mortgage refinancing", "indoor houseplants", "the Renaissance", "customer support chats", "earthquake preparedness",
    "digital note taking", "tea ceremonies", "machine translation", "childhood vaccinations", "glacier retreat", "the Pythagorean theorem",
    "street food markets", "electric car batteries", "retirement savings", "workplace burnout", "mountain hiking safety",
    "the Industrial Revolution", "email etiquette", "river pollution", "small business taxes", "recycled fashion", "quantum computing",
    "lunar eclipses", "team retrospectives", "local elections", "homemade pasta", "pet adoption", "kitchen knife care",
    "traffic congestion", "the Amazon rainforest", "first aid for burns", "podcast production", "wedding budgets", "garden pests",
    "newspaper editorials", "ice hockey rules", "airline loyalty programs", "data backups", "the Cold War", "bird watching",
    "coffee brewing methods", "library card catalogs", "robot vacuum cleaners", "saltwater aquariums", "parental leave policies",
    "the periodic table", "online grocery delivery", "sea level rise", "sign language", "career changes after forty",
  ],
  forms: [
    "in under fifty words", "as a numbered list", "in exactly three sentences", "as a short dialogue", "as questions and answers",
    "as a pros and cons list", "so that it fits on a postcard", "with one concrete example", "using a single analogy",
    "as a two-minute talk", "with a memorable closing line", "starting with a question", "without technical jargon",
    "with a short historical note", "using everyday comparisons", "for a school newsletter", "for a museum placard",
    "for a radio announcement", "for a community notice board", "for a company intranet", "as an encouraging note",
    "as a set of numbered steps", "in the voice of an old sailor", "in the style of a sports commentator",
  ],
  manners: [
    "with a friendly tone", "in a formal register", "with a gentle sense of humor", "in a calm voice", "in an upbeat voice",
    "with a skeptical eye", "in plain words", "with vivid details", "with a persuasive edge", "staying strictly factual",
    "with a nostalgic mood", "from a neutral stance", "using short sentences", "ending on a warm note", "without exaggeration",
    "with a dash of drama", "in a whisper-quiet style", "with careful hedging", "with bold confidence", "with lots of empathy",
  ],
  tones: ["formal", "friendly", "concise", "vivid", "polite", "persuasive", "playful", "neutral"],
  kinds: [
    "a busy", "a curious", "a retired", "a nervous", "a young", "a skeptical", "a tired", "a patient", "a practical", "a cautious",
    "a determined", "a seasoned", "a hurried", "a bilingual", "a visiting", "a newly hired", "an anxious", "an ambitious",
    "an elderly", "an enthusiastic", "an overworked", "an impatient",
  ],
  persons: [
    "nurse", "software developer", "history teacher", "farmer", "librarian", "chef", "student", "parent", "grandparent",
    "taxi driver", "shop owner", "journalist", "photographer", "city planner", "pharmacist", "musician", "firefighter", "tourist",
    "volunteer", "accountant", "engineer", "designer", "athlete", "scientist", "gardener", "pilot", "lawyer", "baker",
    "electrician", "mechanic", "translator", "beekeeper", "carpenter", "veterinarian", "dentist", "blogger", "cyclist", "coach",
  ],
  objects: [
    "a short poem", "a limerick", "a product description", "a speech opening", "a social media post", "a two-line slogan",
    "a haiku", "a story opening", "a thank-you note", "a news headline", "a riddle", "a short dialogue", "an email subject line",
    "a blog post outline", "a set of quiz questions", "a persuasive paragraph", "a short fable", "a packing checklist",
    "a one-paragraph review", "a recipe introduction", "a motivational message", "a newsletter blurb", "a job advertisement",
  ],
  verbs: ["Write", "Compose", "Draft", "Create", "Produce", "Craft", "Prepare", "Put together", "Sketch out", "Invent", "Come up with", "Pen", "Develop", "Build", "Improvise", "Design"],
  goals: [
    "save money on groceries", "learn a new language faster", "reduce screen time", "sleep better", "start running regularly",
    "keep a tidy workspace", "cook healthier dinners", "prepare for an exam", "make new friends in a new city", "cut energy bills",
    "read more books", "organize family photos", "stay focused while working from home", "plan a small wedding",
    "negotiate a higher salary", "grow vegetables on a balcony", "write clearer emails", "manage a tight deadline",
    "learn to play the guitar", "reduce food waste", "travel with only a carry-on bag", "improve handwriting",
    "memorize a speech", "train a puppy", "pay off a student loan", "get started with birdwatching", "volunteer locally",
  ],
  languages: ["Python", "JavaScript", "TypeScript", "Go", "Java"],
  blacklisted: [
    "Draw a diagram that explains {topic}.",
    "Describe the image of {topic} shown in the attached picture.",
    "Create a flowchart for how {audience} could {goal}.",
    "Plot a graph of how interest in {topic} changed over time.",
    "Compose music that captures the mood of {topic}.",
    "Go to the nearest library and find a book about {topic}.",
    "Write a program that tracks {topic} for {audience}.",
    "Make a short video script that shows {topic} to {audience}.",
  ],
  tooShort: ["Tell a joke.", "Define irony.", "Name a color.", "Count to ten.", "Say hello.", "Spell necessary."],
  sentences: [
    "{Topic} affects daily life more than most people expect.",
    "A good first step is to look at how {topic} works in practice.",
    "Many people misunderstand {topic} because the basics are rarely explained.",
    "Experts suggest starting small and building habits over time.",
    "The key trade-off is between cost, time and effort.",
    "A concrete example makes the idea much easier to remember.",
    "Understanding {topic} helps people make better decisions.",
    "It is worth checking reliable sources before drawing conclusions.",
    "Over the last decade, interest in {topic} has grown steadily.",
    "The simplest explanation is often the most useful one.",
    "Small, consistent changes usually work better than big ones.",
    "One common mistake is to ignore the long-term effects.",
    "I honestly did not expect {topic} to be this interesting.",
    "The results depend heavily on local conditions.",
  ],
  paraphrase(instruction, rng) {
    const body = instruction.replace(/[.?!]+$/, "");
    const lowered = body.charAt(0).toLowerCase() + body.slice(1);
    return rng.pick([`Please ${lowered}.`, `Can you ${lowered}?`, `${body}, please.`, `${body} briefly.`, `Quickly ${lowered}.`]);
  },
};

// ---------------------------------------------------------------------------------------------
// Chinese bank

const ZH: Bank = {
  templates: [
    { instruction: "请为{audience}{Verb}{object}，介绍{focus}，{qualifier}。", output: "prose" },
    { instruction: "围绕{focus}{Verb}{object}，{qualifier}。", output: "prose" },
    { instruction: "有哪些{n}个实用的方法可以帮助{audience}{goal}？{qualifier}。", output: "list" },
    { instruction: "你会怎样向{audience}解释{focus}？{qualifier}。", output: "prose" },
    { instruction: "简要说明{focus}，{qualifier}，读者是{audience}。", output: "prose" },
    { instruction: "比较{focus}和{topic2}，说出一个主要区别，{qualifier}。", output: "prose" },
    { instruction: "为什么{audience}应该关注{focus}？", output: "prose" },
    { instruction: "列举{n}个{audience}对{focus}的常见误解。", output: "list" },
    { instruction: "帮{audience}制定一个一周计划，目标是{goal}，{qualifier}。", output: "list" },
    { instruction: "针对{focus}，提出{n}个{audience}可能会问的问题。", output: "list" },
    { instruction: "用{language}写一个函数，检查关于{focus}的数据记录，{qualifier}。", output: "code" },
    { instruction: "告诉{audience}关于{focus}最需要知道的几点，{qualifier}。", output: "prose" },
    { instruction: "概括下面这段关于{focus}的文字，给{audience}看，{qualifier}。", input: "paragraph", output: "prose" },
    { instruction: "站在{audience}的角度，判断下面这条关于{focus}的评论是正面、负面还是中性。", input: "review", output: "label" },
    { instruction: "把下面这句关于{focus}的话改写得更{tone}，读者是{audience}。", input: "sentence", output: "short" },
    { instruction: "找出这段处理{focus}数据的{language}代码中的错误并改正。", input: "code", output: "code" },
    { instruction: "把下面关于{focus}的要点整理成一段给{audience}看的短文，{qualifier}。", input: "list", output: "prose" },
    { instruction: "指出下面这段关于{focus}的说法有什么逻辑问题，{qualifier}。", input: "sentence", output: "prose" },
  ],
  aspects: [
    "的历史", "的经济影响", "的常见误区", "的安全须知", "的未来发展", "对环境的影响", "背后的科学原理", "在生活中的应用",
    "的利与弊", "涉及的伦理问题", "新手常犯的错误", "的最新趋势", "的文化意义", "的隐性成本", "中的技术作用", "对健康的影响",
    "引发的争论", "的相关法规", "的基本常识", "面临的主要风险",
  ],
  topics: [
    "垃圾分类", "二十四节气", "高铁出行", "共享单车", "网络诈骗", "中医养生", "春节习俗", "城市内涝", "新能源汽车", "外卖包装",
    "房贷利率", "社区团购", "老年人用智能手机", "考研复习", "夜市经济", "长江流域生态", "茶叶的冲泡", "电子支付安全", "方言保护",
    "校园欺凌", "居家办公", "马拉松训练", "空气污染", "古诗词鉴赏", "家庭理财", "宠物领养", "传统手工艺", "农村电商",
    "短视频成瘾", "大熊猫保护", "地铁通勤", "食品添加剂", "职场沟通", "孩子的课外阅读", "城市绿化", "节约用水", "博物馆参观礼仪",
    "太阳能发电", "火锅文化", "网购退货", "志愿服务", "睡眠质量", "租房合同", "毕业求职", "中秋赏月", "汉字的演变", "冬季流感",
    "阳台种菜", "旅游攻略", "老旧小区改造", "人工智能写作", "围棋入门", "家务分工", "碳达峰", "网络谣言", "学习英语口语",
    "端午龙舟", "快递包装回收", "亲子沟通", "跑步伤膝", "书法练习", "减少剩饭剩菜", "高考志愿填报", "夏季防暑", "宿舍关系",
  ],
  forms: [
    "控制在五十字以内", "分条列出", "用三句话说清楚", "写成一段对话", "采用问答的形式", "列出利弊", "要有一个具体的例子", "用一个比喻",
    "适合两分钟的发言", "结尾要有一句鼓励的话", "开头先提一个问题", "不要使用专业术语", "加一点历史背景", "用生活中的例子",
    "适合发在朋友圈", "适合贴在社区公告栏", "适合在班会上朗读", "像导游讲解一样", "像体育解说一样", "写成操作步骤",
  ],
  manners: ["语气轻松", "语气正式", "带点幽默", "语气平和", "充满热情", "保持客观", "通俗易懂", "细节生动", "有说服力", "带点怀旧", "句子简短", "结尾温暖"],
  tones: ["通俗", "正式", "生动", "简洁", "礼貌", "有说服力", "口语化", "幽默"],
  kinds: ["忙碌的", "好奇的", "刚退休的", "紧张的", "年轻的", "爱较真的", "疲惫的", "耐心的", "务实的", "谨慎的", "新入职的", "外地来的"],
  persons: [
    "护士", "程序员", "历史老师", "农民", "图书管理员", "厨师", "大学生", "家长", "老人", "出租车司机", "小店老板", "记者", "摄影师",
    "药剂师", "音乐人", "消防员", "游客", "志愿者", "会计", "工程师", "设计师", "运动员", "科研人员", "园丁", "律师", "快递员",
  ],
  objects: ["一首五言绝句", "一段产品介绍", "一条宣传标语", "一段开场白", "一封感谢信", "一则新闻标题", "一个谜语", "一段对话", "一份提纲", "一条朋友圈文案", "一则小寓言", "一段演讲稿"],
  verbs: ["写", "创作", "拟写", "撰写", "编写"],
  goals: [
    "养成早睡的习惯", "节省生活开支", "提高学习效率", "减少手机使用时间", "学会做几道家常菜", "坚持每天锻炼", "准备一次面试", "整理好房间",
    "改善与家人的沟通", "培养阅读习惯", "学会游泳", "戒掉熬夜", "攒下第一笔积蓄", "练好普通话", "适应新城市", "备考驾照", "学会做预算", "坚持写日记",
  ],
  languages: ["Python", "JavaScript", "Java"],
  blacklisted: [
    "根据这张图片描述{topic}的场景。",
    "为{topic}绘制一张流程图。",
    "拍一段关于{topic}的短视频并配上音乐。",
    "打开这个链接，总结关于{topic}的文章：http://example.com/article",
    "阅读附件文件，整理出关于{topic}的要点。",
    "在地图上标出与{topic}有关的地点。",
  ],
  tooShort: ["写诗", "讲笑话", "翻译", "你好"],
  sentences: [
    "{topic}和我们的日常生活关系密切。",
    "了解{topic}的基本知识，可以帮助我们做出更好的选择。",
    "很多人对{topic}存在误解，主要是因为缺少准确的信息。",
    "专家建议从小处着手，循序渐进。",
    "关键在于平衡时间、成本和精力。",
    "举一个具体的例子，道理会更容易理解。",
    "近几年，越来越多的人开始关注{topic}。",
    "最简单的办法往往也是最有效的办法。",
    "坚持下去，小的改变也会带来大的不同。",
    "常见的错误是只看眼前，忽视长远影响。",
    "说实话，我没想到{topic}这么有意思。",
    "具体效果还要看当地的实际情况。",
  ],
  paraphrase(instruction, rng) {
    const body = instruction.replace(/[。？！?.!]+$/, "");
    return rng.pick([`请${body}。`, `${body}，谢谢。`, `能不能${body}？`, `${body}，简要回答。`]);
  },
};
