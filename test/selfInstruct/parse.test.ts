import { describe, expect, it } from "vitest";
import { isNoInputMarker, parseTaskList } from "../../src/stages/selfInstruct/parse.js";

const brief = (tasks: Array<{ instruction: string; input: string; output: string }>) =>
  tasks.map(({ instruction, input, output }) => ({ instruction, input, output }));

describe("parseTaskList", () => {
  it("reads the classic Alpaca layout with ### separators, starting at any number", () => {
    const reply = [
      "###",
      "4. Instruction: Name three primary colors.",
      "4. Input:",
      "<noinput>",
      "4. Output:",
      "Red, blue and yellow.",
      "###",
      "5. Instruction: Sort these numbers in ascending order.",
      "5. Input:",
      "9, 2, 7",
      "5. Output:",
      "2, 7, 9",
    ].join("\n");
    const parsed = parseTaskList(reply, { nextNumber: 4 });
    expect(brief(parsed.tasks)).toEqual([
      { instruction: "Name three primary colors.", input: "", output: "Red, blue and yellow." },
      { instruction: "Sort these numbers in ascending order.", input: "9, 2, 7", output: "2, 7, 9" },
    ]);
    expect(parsed.tasks.map((t) => t.number)).toEqual([4, 5]);
    expect(parsed.unparseable).toEqual([]);
  });

  it("treats a reply that continues the prompt's last line as the instruction of item N", () => {
    const reply = " Suggest a name for a bakery.\n4. Input:\n<no input>\n4. Output:\nFlour Power\n###\n5. Instruction: Add 2 and 3.\n5. Input:\nN/A\n5. Output:\n5";
    const parsed = parseTaskList(reply, { nextNumber: 4 });
    expect(brief(parsed.tasks)).toEqual([
      { instruction: "Suggest a name for a bakery.", input: "", output: "Flour Power" },
      { instruction: "Add 2 and 3.", input: "", output: "5" },
    ]);
    expect(parsed.tasks[0]!.number).toBe(4);
  });

  it("reads items without separators, with inline fields and a chatty preamble", () => {
    const reply = "Sure! Here are more tasks:\n\n1. Instruction: Define entropy.\n1. Input: None\n1. Output: A measure of disorder.\n\n2. Instruction: Translate 'cat' to French.\n2. Input: cat\n2. Output: chat\n";
    const parsed = parseTaskList(reply);
    expect(brief(parsed.tasks)).toEqual([
      { instruction: "Define entropy.", input: "", output: "A measure of disorder." },
      { instruction: "Translate 'cat' to French.", input: "cat", output: "chat" },
    ]);
    expect(parsed.unparseable).toEqual([]);
  });

  it.each([
    ["numbered bold labels", "###\n7. **Instruction:** Give a synonym for happy.\n7. **Input:** N/A\n7. **Output:**\nJoyful"],
    ["bold label then colon", "###\n7. **Instruction**: Give a synonym for happy.\n7. **Input**: <noinput>\n7. **Output**: Joyful"],
    ["unnumbered bold labels", "###\n**Instruction:** Give a synonym for happy.\n**Input:** None\n**Output:**\nJoyful"],
    ["full-width colons", "###\n7. Instruction： Give a synonym for happy.\n7. Input：\n无\n7. Output：\nJoyful"],
  ])("reads %s", (_name, reply) => {
    expect(brief(parseTaskList(reply).tasks)).toEqual([{ instruction: "Give a synonym for happy.", input: "", output: "Joyful" }]);
  });

  it("reads Chinese labels and no-input markers", () => {
    const reply = "###\n4. 指令：把下面的句子翻译成英文。\n4. 输入：\n今天天气很好。\n4. 输出：\nThe weather is nice today.\n###\n5. 指令：写一句关于春天的诗。\n5. 输入：\n<无输入>\n5. 输出：\n春风又绿江南岸。";
    const parsed = parseTaskList(reply, { nextNumber: 4 });
    expect(brief(parsed.tasks)).toEqual([
      { instruction: "把下面的句子翻译成英文。", input: "今天天气很好。", output: "The weather is nice today." },
      { instruction: "写一句关于春天的诗。", input: "", output: "春风又绿江南岸。" },
    ]);
  });

  it("keeps multi-line code outputs whole, even with ### and numbered lines inside the fence", () => {
    const code = ["```python", "def total(items):", '    """Sum the items.', "    ###", "    1. Instruction: not a label", '    """', "    return sum(items)", "```"].join("\n");
    const reply = `###\n4. Instruction: Write a Python function that sums a list.\n4. Input:\n<noinput>\n4. Output:\nHere it is:\n${code}\n###\n5. Instruction: What is 2 + 2?\n5. Input:\n\n5. Output:\n4`;
    const parsed = parseTaskList(reply);
    expect(parsed.tasks).toHaveLength(2);
    expect(parsed.tasks[0]!.output).toBe(`Here it is:\n${code}`);
    expect(parsed.tasks[1]).toMatchObject({ instruction: "What is 2 + 2?", input: "", output: "4" });
  });

  it("keeps multi-line inputs and numbered lists inside outputs", () => {
    const reply = "###\n4. Instruction: Put these steps in order.\n4. Input:\nBoil water.\nDrink tea.\nAdd tea leaves.\n4. Output:\n1. Boil water.\n2. Add tea leaves.\n3. Drink tea.";
    const [task] = parseTaskList(reply).tasks;
    expect(task!.input).toBe("Boil water.\nDrink tea.\nAdd tea leaves.");
    expect(task!.output).toBe("1. Boil water.\n2. Add tea leaves.\n3. Drink tea.");
  });

  it("reports items with a missing label as unparseable, with their raw text; text with no label at all is chatter", () => {
    const reply = "###\n4. Instruction: Name a planet.\n4. Input:\n<noinput>\nMars\n###\nJust some stray text\n###\n6. Instruction: Name a moon.\n6. Input:\n<noinput>\n6. Output:\nPhobos";
    const parsed = parseTaskList(reply);
    expect(brief(parsed.tasks)).toEqual([{ instruction: "Name a moon.", input: "", output: "Phobos" }]);
    expect(parsed.unparseable.map((u) => u.problem)).toEqual(["no Output label"]);
    expect(parsed.unparseable[0]!.raw).toContain("Name a planet.");
    expect(parsed.chatterLines).toBe(1);
  });

  it("starts a new item when a higher-numbered label appears without its Instruction", () => {
    const reply = "4. Instruction: Say hi.\n4. Input: <noinput>\n4. Output: Hi\n5. Input: x\n5. Output: y";
    const parsed = parseTaskList(reply);
    expect(brief(parsed.tasks)).toEqual([{ instruction: "Say hi.", input: "", output: "Hi" }]);
    expect(parsed.unparseable).toHaveLength(1);
  });

  it("drops the last item when the reply was cut by the length limit, and returns it", () => {
    const reply = "###\n4. Instruction: Name a fruit.\n4. Input:\n<noinput>\n4. Output:\nApple\n###\n5. Instruction: Explain gravity.\n5. Input:\n<noinput>\n5. Output:\nGravity is the force th";
    const cut = parseTaskList(reply, { finishReason: "length" });
    expect(brief(cut.tasks)).toEqual([{ instruction: "Name a fruit.", input: "", output: "Apple" }]);
    expect(cut.truncated).toContain("Gravity is the force th");
    expect(parseTaskList(reply, { finishReason: "stop" }).tasks).toHaveLength(2);
  });

  it("returns nothing for a reply with no items", () => {
    expect(parseTaskList("I'm sorry, I can't help with that.")).toEqual({ tasks: [], unparseable: [], chatterLines: 1 });
  });

  it.each(["<noinput>", "<no input>", "N/A", "None", "none.", "无", "<无输入>", "（无）", "", "No input", `${" ".repeat(40)}**No_input**${"。".repeat(30)}`])("treats %j as no input", (marker) => {
    expect(isNoInputMarker(marker)).toBe(true);
  });

  it.each(["None of the above", "无人机", "42", "no input required, but here is some anyway"])("keeps %j as a real input", (text) => {
    expect(isNoInputMarker(text)).toBe(false);
  });
});
