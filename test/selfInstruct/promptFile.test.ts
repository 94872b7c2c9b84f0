/**
 * A prompt file without placeholders (a user's own copy of Alpaca's prompt.txt or BELLE's
 * prompt_cn.txt) is used as the reference scripts use theirs: its text, a newline, the examples
 * in the reference's layout, and the next item's label (stanford_alpaca generate_instruction.py
 * and BELLE data/1.5M/generate_instruction.py, `encode_prompt`). The files here are stand-ins
 * written for the test, not the originals.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadPromptTemplate, renderPrompt } from "../../src/stages/selfInstruct/prompt.js";

const dir = mkdtempSync(join(tmpdir(), "if-prompt-"));
const examples = [
  { instruction: "Give  three tips\nfor sleeping well:", input: "", output: "Keep a schedule." },
  { instruction: "Sort the numbers.", input: "3, 1, 2", output: "1, 2, 3" },
];

describe("--prompt with a reference prompt file", () => {
  it("English: the Alpaca layout, byte for byte", async () => {
    const file = join(dir, "prompt.txt");
    writeFileSync(file, "Make a list of 20 tasks.\n\nList of 20 tasks:");
    const template = await loadPromptTemplate(file, "en");
    expect(template.mode).toBe("append");
    expect(renderPrompt(template, examples, 20)).toBe(
      "Make a list of 20 tasks.\n\nList of 20 tasks:\n" +
        "###\n1. Instruction: Give three tips for sleeping well\n1. Input:\n<noinput>\n1. Output:\nKeep a schedule.\n" +
        "###\n2. Instruction: Sort the numbers.\n2. Input:\n3, 1, 2\n2. Output:\n1, 2, 3\n" +
        "###\n3. Instruction:",
    );
  });

  it("Chinese: BELLE's layout, ASCII colons and <无输入>", async () => {
    const file = join(dir, "prompt_cn.txt");
    writeFileSync(file, "请给出10个任务。");
    const template = await loadPromptTemplate(file, "zh");
    expect(renderPrompt(template, [{ instruction: "列出三种水果", input: "", output: "苹果、香蕉、梨" }], 10)).toBe(
      "请给出10个任务。\n###\n1. 指令: 列出三种水果\n1. 输入:\n<无输入>\n1. 输出:\n苹果、香蕉、梨\n###\n2. 指令:",
    );
  });

  it("a file that uses some placeholders but not {examples} is an error naming the file", async () => {
    const file = join(dir, "broken.txt");
    writeFileSync(file, "Write {num_tasks} tasks.");
    await expect(loadPromptTemplate(file, "en")).rejects.toThrow(/broken\.txt: the prompt has no \{examples\} placeholder/);
  });
});
