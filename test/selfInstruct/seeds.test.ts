import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSeeds } from "../../src/stages/selfInstruct/seeds.js";
import { defaultPromptPath, loadPromptTemplate, renderPrompt } from "../../src/stages/selfInstruct/prompt.js";
import { parseTaskList } from "../../src/stages/selfInstruct/parse.js";

const alpacaSeeds = join(import.meta.dirname, "../../../shared/data/alpaca_seed_tasks.jsonl");

describe("seeds and prompt", () => {
  it.skipIf(!existsSync(alpacaSeeds))("reads the public Alpaca seed file: 175 tasks, 50 without input", async () => {
    const seeds = await loadSeeds(alpacaSeeds, 3);
    expect(seeds).toHaveLength(175);
    expect(seeds[0]!.id).toBe("seed_task_0");
    expect(seeds.filter((s) => s.input === "")).toHaveLength(50);
  });

  it("needs at least --examples seeds", async () => {
    const path = join(import.meta.dirname, "../../seeds/seed_tasks.jsonl");
    await expect(loadSeeds(path, 500)).rejects.toThrow(/holds \d+ seed task\(s\) but --examples needs 500/);
  });

  it.each(["en", "zh"] as const)("renders the %s prompt so the parser reads its own examples back", async (lang) => {
    const template = await loadPromptTemplate(defaultPromptPath(lang), lang);
    const examples = [
      { instruction: "Give {examples} three tips.", input: "", output: "1. Sleep\n2. Eat" },
      { instruction: "Fix the code.", input: "```js\n### not a separator\n```", output: "Done." },
    ];
    const prompt = renderPrompt(template, examples, 20);
    expect(prompt).toMatch(lang === "en" ? /\n###\n3\. Instruction:$/ : /\n###\n3\. 指令：$/);
    expect(prompt).toContain("20");
    expect(prompt).toContain("Give {examples} three tips.");
    const listStart = prompt.indexOf("###\n1.");
    const parsed = parseTaskList(prompt.slice(listStart).replace(/###\n3\. [^\n]*$/, ""));
    expect(parsed.tasks.map(({ instruction, input, output }) => ({ instruction, input, output }))).toEqual(examples);
  });
});
