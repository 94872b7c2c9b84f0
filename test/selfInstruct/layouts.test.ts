/**
 * Hand-written replies in the layouts chat models actually produce for the generation prompt.
 * Every field must equal the intended text exactly, and nothing of a header, a rule, an intro or
 * a sign-off may reach any field: what belongs to no field is counted as chatter and dropped.
 */
import { describe, expect, it } from "vitest";
import { parseTaskList } from "../../src/stages/selfInstruct/parse.js";

interface Layout {
  name: string;
  reply: string;
  tasks: Array<{ instruction: string; input: string; output: string }>;
  /** Non-blank lines of intro, remarks and sign-offs the reply holds. */
  chatterLines: number;
  /** Text that must appear in no field. */
  forbidden: string[];
}

const CODE_OUTPUT = [
  "```python",
  "### a comment made of hashes",
  "def steps():",
  "    return [",
  '        "1. mix",',
  '        "2. bake",',
  "    ]",
  "# Task 3: not a header, this is code",
  "```",
].join("\n");

const LAYOUTS: Layout[] = [
  {
    name: "Alpaca ### layout with an intro and a sign-off",
    reply: [
      "Sure! Here are more tasks for your list:",
      "",
      "###",
      "4. Instruction: Name the largest planet in the solar system.",
      "4. Input:",
      "<noinput>",
      "4. Output:",
      "Jupiter is the largest planet.",
      "###",
      "5. Instruction: Rewrite the sentence in the passive voice.",
      "5. Input:",
      "The cat chased the mouse.",
      "5. Output:",
      "The mouse was chased by the cat.",
      "",
      "I hope these tasks are helpful!",
    ].join("\n"),
    tasks: [
      { instruction: "Name the largest planet in the solar system.", input: "", output: "Jupiter is the largest planet." },
      { instruction: "Rewrite the sentence in the passive voice.", input: "The cat chased the mouse.", output: "The mouse was chased by the cat." },
    ],
    chatterLines: 2,
    forbidden: ["Sure", "I hope", "helpful"],
  },
  {
    name: '"### Task N" headers with bold inline labels',
    reply: [
      "### Task 4",
      "**Instruction:** Suggest a name for a bakery.",
      "**Input:** <noinput>",
      "**Output:** Rise & Shine Bakery",
      "",
      "### Task 5",
      "**Instruction:** Convert 5 kilometres to miles.",
      "**Input:** 5 km",
      "**Output:** About 3.11 miles.",
    ].join("\n"),
    tasks: [
      { instruction: "Suggest a name for a bakery.", input: "", output: "Rise & Shine Bakery" },
      { instruction: "Convert 5 kilometres to miles.", input: "5 km", output: "About 3.11 miles." },
    ],
    chatterLines: 0,
    forbidden: ["Task 4", "Task 5", "###", "**"],
  },
  {
    name: '"**Task N**" headers with labels on their own lines',
    reply: [
      "**Task 4**",
      "Instruction:",
      "List three primary colours.",
      "Input:",
      "<noinput>",
      "Output:",
      "Red, blue and yellow.",
      "",
      "**Task 5**",
      "Instruction:",
      "Classify the animal as a mammal or a reptile.",
      "Input:",
      "Crocodile",
      "Output:",
      "Reptile",
      "",
      "Let me know if you'd like more tasks like these.",
    ].join("\n"),
    tasks: [
      { instruction: "List three primary colours.", input: "", output: "Red, blue and yellow." },
      { instruction: "Classify the animal as a mammal or a reptile.", input: "Crocodile", output: "Reptile" },
    ],
    chatterLines: 1,
    forbidden: ["**Task", "Task 5", "Let me know"],
  },
  {
    name: '"Task N:" headers, horizontal rules between items and a closing remark after the last rule',
    reply: [
      "Task 4:",
      "Instruction: Give a synonym for 'happy'.",
      "Input: <noinput>",
      "Output: Joyful",
      "",
      "---",
      "",
      "Task 5:",
      "Instruction: Summarise the paragraph in one sentence.",
      "Input: The library opens at nine. It closes at five. It is closed on Sundays.",
      "Output: The library is open from nine to five except on Sundays.",
      "",
      "---",
      "",
      "These tasks cover a range of skills, from vocabulary to summarisation.",
    ].join("\n"),
    tasks: [
      { instruction: "Give a synonym for 'happy'.", input: "", output: "Joyful" },
      {
        instruction: "Summarise the paragraph in one sentence.",
        input: "The library opens at nine. It closes at five. It is closed on Sundays.",
        output: "The library is open from nine to five except on Sundays.",
      },
    ],
    chatterLines: 1,
    forbidden: ["Task 4", "Task 5", "---", "These tasks"],
  },
  {
    name: "numbering restarted at 1 under titled headers",
    reply: [
      "## Example 1: Geography",
      "1. Instruction: What is the capital of Canada?",
      "1. Input: <noinput>",
      "1. Output: Ottawa",
      "",
      "## Example 2: Arithmetic",
      "1. Instruction: Add the two numbers.",
      "1. Input: 17 and 25",
      "1. Output: 42",
    ].join("\n"),
    tasks: [
      { instruction: "What is the capital of Canada?", input: "", output: "Ottawa" },
      { instruction: "Add the two numbers.", input: "17 and 25", output: "42" },
    ],
    chatterLines: 0,
    forbidden: ["Example", "Geography", "Arithmetic", "##"],
  },
  {
    name: "italic labels and bulleted bold labels",
    reply: [
      "4. *Instruction:* Translate 'good morning' into French.",
      "*Input:* <noinput>",
      "*Output:* Bonjour",
      "",
      "- **Instruction:** Name a prime number between 10 and 15.",
      "- **Input:** N/A",
      "- **Output:** 11 (13 also works).",
    ].join("\n"),
    tasks: [
      { instruction: "Translate 'good morning' into French.", input: "", output: "Bonjour" },
      { instruction: "Name a prime number between 10 and 15.", input: "", output: "11 (13 also works)." },
    ],
    chatterLines: 0,
    forbidden: ["*Input", "- **", "*Output"],
  },
  {
    name: 'a code block whose lines hold "###", "1." and "Task 3:"',
    reply: [
      "###",
      "4. Instruction: Write a Python function that returns the steps of a recipe.",
      "4. Input:",
      "<noinput>",
      "4. Output:",
      CODE_OUTPUT,
      "###",
      "5. Instruction: Name a sorting algorithm.",
      "5. Input:",
      "<noinput>",
      "5. Output:",
      "Merge sort.",
    ].join("\n"),
    tasks: [
      { instruction: "Write a Python function that returns the steps of a recipe.", input: "", output: CODE_OUTPUT },
      { instruction: "Name a sorting algorithm.", input: "", output: "Merge sort." },
    ],
    chatterLines: 0,
    forbidden: [],
  },
  {
    name: "a reply that continues the prompt's last line after an intro paragraph",
    reply: [
      "Of course! Here is task 4 and the rest of the list.",
      "",
      "Explain why the sky looks blue.",
      "4. Input:",
      "<noinput>",
      "4. Output:",
      "Air scatters blue light more than red light.",
      "###",
      "5. Instruction: Give an antonym for 'ancient'.",
      "5. Input:",
      "<noinput>",
      "5. Output:",
      "Modern",
    ].join("\n"),
    tasks: [
      { instruction: "Explain why the sky looks blue.", input: "", output: "Air scatters blue light more than red light." },
      { instruction: "Give an antonym for 'ancient'.", input: "", output: "Modern" },
    ],
    chatterLines: 1,
    forbidden: ["Of course", "rest of the list"],
  },
  {
    name: "a remark between items and a titled header that is the instruction",
    reply: [
      "4. Instruction: Name a famous painter.",
      "4. Input: <noinput>",
      "4. Output: Frida Kahlo",
      "",
      "Here are a few more tasks with inputs:",
      "",
      "**Task 5: Write a haiku about rain.**",
      "Input: <noinput>",
      "Output: Soft rain on the roof / the garden drinks in silence / puddles hold the sky",
    ].join("\n"),
    tasks: [
      { instruction: "Name a famous painter.", input: "", output: "Frida Kahlo" },
      { instruction: "Write a haiku about rain.", input: "", output: "Soft rain on the roof / the garden drinks in silence / puddles hold the sky" },
    ],
    chatterLines: 1,
    forbidden: ["Here are", "**Task", "Task 5"],
  },
  {
    name: "labels without a colon, as markdown headings",
    reply: [
      "#### Instruction",
      "Suggest a title for a blog post about saving money.",
      "#### Input",
      "<noinput>",
      "#### Output",
      "Ten Small Habits That Add Up to Big Savings",
      "",
      "Feel free to ask for more!",
    ].join("\n"),
    tasks: [{ instruction: "Suggest a title for a blog post about saving money.", input: "", output: "Ten Small Habits That Add Up to Big Savings" }],
    chatterLines: 1,
    forbidden: ["####", "Feel free"],
  },
  {
    name: "outputs whose own text looks like headers or sign-offs stay whole",
    reply: [
      "###",
      "4. Instruction: Make a to-do list for a Saturday morning.",
      "4. Input:",
      "<noinput>",
      "4. Output:",
      "Task 1: Buy milk",
      "Task 2: Water the plants",
      "###",
      "5. Instruction: Write a short note asking a colleague for the report.",
      "5. Input:",
      "<noinput>",
      "5. Output:",
      "Hi Sam, could you send me the quarterly report by Friday?",
      "",
      "I look forward to hearing from you.",
      "",
      "---",
      "",
      "I hope these tasks help with your dataset!",
    ].join("\n"),
    tasks: [
      { instruction: "Make a to-do list for a Saturday morning.", input: "", output: "Task 1: Buy milk\nTask 2: Water the plants" },
      {
        instruction: "Write a short note asking a colleague for the report.",
        input: "",
        output: "Hi Sam, could you send me the quarterly report by Friday?\n\nI look forward to hearing from you.",
      },
    ],
    chatterLines: 1,
    forbidden: ["I hope", "---"],
  },
  {
    name: "Chinese: 任务 headers, bold full-width labels, a rule and a sign-off",
    reply: [
      "好的，以下是更多任务：",
      "",
      "### 任务4",
      "**指令：** 用一句话解释什么是光合作用。",
      "**输入：** 无",
      "**输出：** 光合作用是植物利用阳光把二氧化碳和水转化为养分并释放氧气的过程。",
      "",
      "### 任务5",
      "**指令：** 判断下面这句话的情感是积极还是消极。",
      "**输入：** 今天的电影太精彩了！",
      "**输出：** 积极",
      "",
      "---",
      "",
      "希望这些任务对您有帮助！",
    ].join("\n"),
    tasks: [
      { instruction: "用一句话解释什么是光合作用。", input: "", output: "光合作用是植物利用阳光把二氧化碳和水转化为养分并释放氧气的过程。" },
      { instruction: "判断下面这句话的情感是积极还是消极。", input: "今天的电影太精彩了！", output: "积极" },
    ],
    chatterLines: 2,
    forbidden: ["任务4", "任务5", "希望", "好的", "###"],
  },
  {
    name: "Chinese: the classic numbered layout with a sign-off glued to the last output",
    reply: [
      "###",
      "4. 指令：把下面的句子改写得更正式。",
      "4. 输入：",
      "这事儿咱们明天再说吧。",
      "4. 输出：",
      "此事我们明日再议。",
      "###",
      "5. 指令：列出三种常见的中国传统节日。",
      "5. 输入：",
      "<无输入>",
      "5. 输出：",
      "春节、端午节和中秋节。",
      "如需更多任务，请随时告诉我。",
    ].join("\n"),
    tasks: [
      { instruction: "把下面的句子改写得更正式。", input: "这事儿咱们明天再说吧。", output: "此事我们明日再议。" },
      { instruction: "列出三种常见的中国传统节日。", input: "", output: "春节、端午节和中秋节。" },
    ],
    chatterLines: 1,
    forbidden: ["如需更多"],
  },
  {
    name: "Chinese: 第N个任务 headers and labels on their own lines",
    reply: [
      "**第4个任务**",
      "指令：",
      "写一个关于秋天的对联。",
      "输入：",
      "无",
      "输出：",
      "上联：秋风送爽千山秀；下联：明月当空万户欢。",
    ].join("\n"),
    tasks: [{ instruction: "写一个关于秋天的对联。", input: "", output: "上联：秋风送爽千山秀；下联：明月当空万户欢。" }],
    chatterLines: 0,
    forbidden: ["第4个任务"],
  },
];

/** Endings of real outputs (letters, recipes, advice) that look like chat but belong to the output. */
const OUTPUT_ENDINGS = [
  "Let me know if you have any questions.",
  "I hope you have a great day!",
  "Enjoy your meal!",
  "Would you like to join us on Saturday?",
  "If you have any questions, please call me.",
  "These tasks should be done before Friday.",
  "以上是我的建议。",
  "祝您身体健康！",
  "如果您有任何问题，请联系我。",
];

describe("parseTaskList on the layouts chat models write", () => {
  it.each(OUTPUT_ENDINGS)("keeps an output that ends %j whole", (ending) => {
    const output = `Dear Ana,\n\nThe plan is ready.\n\n${ending}`;
    const reply = `###\n4. Instruction: Write a short note.\n4. Input:\n<noinput>\n4. Output:\n${output}\n###\n5. Instruction: Name a colour.\n5. Input:\n<noinput>\n5. Output:\n${output}`;
    const parsed = parseTaskList(reply);
    expect(parsed.tasks.map((t) => t.output)).toEqual([output, output]);
    expect(parsed.chatterLines).toBe(0);
  });


  it.each(LAYOUTS.map((layout) => [layout.name, layout] as const))("%s", (_name, layout) => {
    const parsed = parseTaskList(layout.reply, { nextNumber: 4 });
    expect(parsed.unparseable).toEqual([]);
    expect(parsed.tasks.map(({ instruction, input, output }) => ({ instruction, input, output }))).toEqual(layout.tasks);
    expect(parsed.chatterLines).toBe(layout.chatterLines);
    for (const task of parsed.tasks) {
      for (const field of [task.instruction, task.input, task.output]) {
        for (const text of layout.forbidden) expect(field, `"${text}" leaked into a field`).not.toContain(text);
      }
    }
  });

  it("covers at least ten layouts, Chinese ones among them", () => {
    expect(LAYOUTS.length).toBeGreaterThanOrEqual(10);
    expect(LAYOUTS.filter((layout) => layout.name.startsWith("Chinese")).length).toBeGreaterThanOrEqual(3);
  });

  it("drops the item cut by the length limit even when chatter came before it", () => {
    const reply = "Sure! Here you go:\n\n### Task 4\nInstruction: Name a river.\nInput: <noinput>\nOutput: The Nile\n\n### Task 5\nInstruction: Describe the water cyc";
    const parsed = parseTaskList(reply, { finishReason: "length" });
    expect(parsed.tasks.map((t) => t.output)).toEqual(["The Nile"]);
    expect(parsed.truncated).toContain("Describe the water cyc");
    expect(parsed.chatterLines).toBe(1);
  });
});
