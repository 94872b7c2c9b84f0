import { describe, expect, it } from "vitest";
import { generateTasksHandler } from "../../src/simulator/handlers/generateTasks.js";
import { createRng } from "../../src/simulator/rng.js";
import type { SimRequest } from "../../src/simulator/types.js";
import { defaultPromptPath, loadPromptTemplate, renderPrompt } from "../../src/stages/selfInstruct/prompt.js";
import { parseTaskList } from "../../src/stages/selfInstruct/parse.js";
import { hanShare } from "../../src/text/language.js";

const request = (prompt: string): SimRequest => ({ model: "sim", messages: [{ role: "user", content: prompt }], prompt, json: false });
const examples = [
  { instruction: "Give three tips for staying healthy.", input: "", output: "Sleep, eat, move." },
  { instruction: "Classify the sentiment of the review.", input: "Great phone!", output: "Positive" },
  { instruction: "Name the capital of France.", input: "", output: "Paris" },
];

describe("generateTasksHandler (simulator)", () => {
  it("matches our generation prompts and not other kinds of prompt", async () => {
    const en = renderPrompt(await loadPromptTemplate(defaultPromptPath("en"), "en"), examples, 20);
    const zh = renderPrompt(await loadPromptTemplate(defaultPromptPath("zh"), "zh"), examples, 10);
    expect(generateTasksHandler.matches(request(en))).toBe(true);
    expect(generateTasksHandler.matches(request(zh))).toBe(true);
    for (const other of [
      "I want you to act as a Prompt Rewriter.\n#The Given Prompt#:\n1. Instruction: say hi\n#Rewritten Prompt#:",
      "Translate the following into Chinese:\n### Instruction: Say hi",
      "Are these two instructions equal?\nFirst: 1. Instruction: a\nSecond: b",
      "Give three tips for staying healthy.",
    ]) {
      expect(generateTasksHandler.matches(request(other)), other).toBe(false);
    }
  });

  it("answers deterministically with the rest of the list, planting the problems real models produce", async () => {
    const prompt = renderPrompt(await loadPromptTemplate(defaultPromptPath("en"), "en"), examples, 20);
    const reply = (seed: number) => generateTasksHandler.respond(request(prompt), createRng(seed), {}).text;
    expect(reply(1)).toBe(reply(1));
    let tasks = 0;
    let unparseable = 0;
    const layouts = new Set<string>();
    for (let seed = 0; seed < 200; seed++) {
      const text = reply(seed);
      layouts.add(text.startsWith("###") ? "###" : text.startsWith("Sure") ? "preamble" : /^4\./.test(text) ? "plain" : "continuation");
      const parsed = parseTaskList(text, { nextNumber: 4 });
      tasks += parsed.tasks.length;
      unparseable += parsed.unparseable.length;
    }
    expect(tasks + unparseable).toBe(200 * 17);
    expect(unparseable / (tasks + unparseable)).toBeGreaterThan(0.01);
    expect(layouts.size).toBeGreaterThanOrEqual(3);
  });

  it("reads the knobs: no planted problems when the rates are 0", async () => {
    const prompt = renderPrompt(await loadPromptTemplate(defaultPromptPath("en"), "en"), examples, 20);
    const knobs = { "generate.duplicateRate": 0, "generate.blacklistRate": 0, "generate.shortRate": 0, "generate.unparseableRate": 1 };
    const parsed = parseTaskList(generateTasksHandler.respond(request(prompt), createRng(3), knobs).text, { nextNumber: 4 });
    expect(parsed.tasks).toHaveLength(0);
    expect(parsed.unparseable).toHaveLength(17);
  });

  it("writes Chinese tasks for the Chinese prompt", async () => {
    const prompt = renderPrompt(await loadPromptTemplate(defaultPromptPath("zh"), "zh"), examples, 10);
    const parsed = parseTaskList(generateTasksHandler.respond(request(prompt), createRng(5), { "generate.duplicateRate": 0 }).text, { nextNumber: 4 });
    expect(parsed.tasks.length).toBeGreaterThan(3);
    for (const task of parsed.tasks) expect(hanShare(task.instruction), task.instruction).toBeGreaterThan(0.5);
  });
});
