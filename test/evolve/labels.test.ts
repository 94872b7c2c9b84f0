/**
 * Every way a rewriter echoes the template's labels: the evolution must be kept, stripped to
 * exactly the rewritten prompt, and pass rule 4 (template leak) afterwards.
 */
import { describe, expect, it } from "vitest";
import { findTemplateLeak, stripEchoedLabels } from "../../src/stages/evolve/rules.js";

const EN = "Explain how tides form, naming the two bodies whose gravity causes them.";
const EN_TABLE = "Summarise the sales table below in two sentences.\n\n| month | sales |\n|---|---|\n| May | 120 |";
const ZH = "解释潮汐的形成原因，并说出是哪两个天体的引力造成的。";

const VARIANTS: Array<[string, string]> = [
  ["#Rewritten Prompt#:\n", EN],
  ["#Rewritten Prompt#: ", EN],
  ["#Rewritten Prompt#：", EN],
  ["Rewritten Prompt:\n", EN],
  ["Rewritten Prompt: ", EN],
  ["rewritten prompt：", EN],
  ["The Rewritten Prompt: ", EN],
  ["**Rewritten Prompt:** ", EN],
  ["**Rewritten Prompt**: ", EN],
  ["**Rewritten Prompt:**\n\n", EN],
  ["*Rewritten Prompt:* ", EN],
  ["#Rewritten Prompt#\n", EN],
  ["**#Rewritten Prompt#**\n", EN],
  ["## Rewritten Prompt\n", EN],
  ["### Rewritten Prompt:\n", EN],
  ["#Created Prompt#:\n", EN],
  ["Created Prompt: ", EN],
  ["**Created Prompt:** ", EN],
  ["#Created Prompt#\n", EN],
  ["#The Given Prompt#:\nExplain tides.\n\n#Rewritten Prompt#:\n", EN],
  ["#Given Prompt#: Explain tides.\n#Created Prompt#\n", EN],
  ["Rewritten Prompt:\n", EN_TABLE],
  ["#改写后的提示#：", ZH],
  ["改写后的提示：", ZH],
  ["**重写后的提示：** ", ZH],
  ["#创建的提示#\n", ZH],
  ["新提示：", ZH],
  ["#Rewritten Prompt#:\n", ZH],
];

describe("stripEchoedLabels: every echoed-label variant", () => {
  it.each(VARIANTS)("%j", (label, prompt) => {
    const stripped = stripEchoedLabels(`${label}${prompt}`);
    expect(stripped).toBe(prompt);
    expect(findTemplateLeak(stripped)).toBeUndefined();
  });

  it("leaves a label inside a sentence for rule 4 (it is a leak, not an echo)", () => {
    const reply = `${EN} (#Rewritten Prompt#)`;
    expect(stripEchoedLabels(reply)).toBe(reply);
    expect(findTemplateLeak(reply)).toBe("#Rewritten Prompt#");
  });

  it("leaves ordinary prompts that mention prompts alone", () => {
    for (const prompt of ["Write a new prompt for an image generator about tides.", "Design the prompt\nfor a chatbot that books tables.", "为聊天机器人设计一个提示词。"]) {
      expect(stripEchoedLabels(prompt)).toBe(prompt);
    }
  });
});
