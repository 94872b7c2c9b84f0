/**
 * Provider prompt caches match on a prompt's prefix, so every request a stage builds must start
 * with its fixed part: two requests of one stage share everything up to the first per-request
 * placeholder. Checked on the real builders with the shipped prompts.
 */
import { describe, expect, test } from "vitest";
import { ALL_OPERATIONS } from "../../src/stages/evolve/operations.js";
import { evolveMessages, judgeMessages, loadEvolveTemplates } from "../../src/stages/evolve/prompts.js";
import { fillTemplate } from "../../src/prompts.js";
import { defaultPromptPath, loadPromptTemplate, renderPrompt } from "../../src/stages/selfInstruct/prompt.js";
import { defaultSeedsPath } from "../../src/stages/selfInstruct/settings.js";
import { loadSeeds } from "../../src/stages/selfInstruct/seeds.js";
import { buildTranslateRequest, loadTranslatePrompt } from "../../src/stages/translate/prompt.js";
import type { ChatMessage } from "../../src/llm/types.js";

/** The bytes a prompt cache sees: every message, in order. */
const serialise = (messages: readonly ChatMessage[]) => messages.map((m) => `${m.role}:${m.content}`).join("\n");

function sharedPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** Length of the rendered text before `placeholder`, with the run-wide values filled in. */
function fixedPartLength(template: string, placeholder: string, runValues: Record<string, string> = {}): number {
  const at = template.indexOf(`{${placeholder}}`);
  expect(at, `{${placeholder}} in the template`).toBeGreaterThan(0);
  return fillTemplate(template.slice(0, at), runValues).length;
}

describe("every request starts with its stage's fixed text", () => {
  test("generate: the requirements come before the sampled examples", async () => {
    for (const lang of ["en", "zh"] as const) {
      const template = await loadPromptTemplate(defaultPromptPath(lang), lang);
      const seeds = await loadSeeds(defaultSeedsPath(lang), 6);
      const one = renderPrompt(template, seeds.slice(0, 3), 20);
      const two = renderPrompt(template, seeds.slice(3, 6), 20);
      expect(sharedPrefix(one, two), lang).toBeGreaterThanOrEqual(fixedPartLength(template.text, "examples", { num_tasks: "20" }));
    }
  });

  test("evolve: every operation's instructions come before the prompt to evolve, and the judge's before the pair", async () => {
    const templates = await loadEvolveTemplates();
    for (const operation of ALL_OPERATIONS) {
      const one = serialise(evolveMessages(templates, operation, "Name three rivers in Europe."));
      const two = serialise(evolveMessages(templates, operation, "Write a haiku about autumn."));
      expect(sharedPrefix(one, two), operation).toBeGreaterThanOrEqual("user:".length + fixedPartLength(templates.operations[operation], "given_prompt"));
    }
    const one = serialise(judgeMessages(templates, "Name three rivers.", "Name three long rivers."));
    const two = serialise(judgeMessages(templates, "Write a haiku.", "Write a haiku about rain."));
    expect(sharedPrefix(one, two)).toBeGreaterThanOrEqual("user:".length + fixedPartLength(templates.judge, "first"));
  });

  test("translate: the rules come before the records", async () => {
    const prompt = await loadTranslatePrompt();
    const request = (instruction: string) => serialise(buildTranslateRequest(prompt, { "1": { instruction } }, { attempt: 0, maxTokens: 512 }).messages);
    expect(sharedPrefix(request("Name three rivers."), request("Write a haiku."))).toBeGreaterThanOrEqual("user:".length + fixedPartLength(prompt.text, "records_json"));
  });
});
