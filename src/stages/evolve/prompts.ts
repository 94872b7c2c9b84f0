/**
 * The evolve stage's prompt files (`prompts/evol_<operation>.txt`, `evol_judge.txt`,
 * `evol_judge_retry.txt`), loaded at run time; `--prompts-dir` may override any of them by name.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { ChatMessage } from "../../llm/types.js";
import { fillTemplate, loadPrompt, promptPath } from "../../prompts.js";
import type { AlpacaRecord } from "../../schemas.js";
import { userMessageOf } from "../answer/answer.js";
import { ALL_OPERATIONS, type Operation } from "./operations.js";

export interface EvolveTemplates {
  operations: Record<Operation, string>;
  judge: string;
  judgeRetry: string;
}

async function loadTemplate(name: string, overrideDir: string | undefined, placeholders: readonly string[]): Promise<string> {
  const override = overrideDir === undefined ? undefined : join(overrideDir, name);
  return loadPrompt(override !== undefined && existsSync(override) ? override : promptPath(name), placeholders);
}

export async function loadEvolveTemplates(overrideDir?: string): Promise<EvolveTemplates> {
  const entries = await Promise.all(
    ALL_OPERATIONS.map(async (operation) => [operation, await loadTemplate(`evol_${operation}.txt`, overrideDir, ["given_prompt"])] as const),
  );
  return {
    operations: Object.fromEntries(entries) as Record<Operation, string>,
    judge: await loadTemplate("evol_judge.txt", overrideDir, ["first", "second"]),
    judgeRetry: await loadTemplate("evol_judge_retry.txt", overrideDir, []),
  };
}

export function renderTemplate(template: string, values: Record<string, string>): string {
  return fillTemplate(template, values).trimEnd();
}

/**
 * What the model sees as the prompt to evolve: the instruction, then its input — the same text
 * the answer request sends, so an evolved prompt is self-contained (its record has no input).
 */
export const givenPromptOf: (record: Pick<AlpacaRecord, "instruction" | "input">) => string = userMessageOf;

export function evolveMessages(templates: EvolveTemplates, operation: Operation, givenPrompt: string): ChatMessage[] {
  return [{ role: "user", content: renderTemplate(templates.operations[operation], { given_prompt: givenPrompt }) }];
}

export function judgeMessages(templates: EvolveTemplates, first: string, second: string): ChatMessage[] {
  return [{ role: "user", content: renderTemplate(templates.judge, { first, second }) }];
}

/** The re-ask after an unreadable verdict: the same conversation, the reply, and a stricter request. */
export function judgeRetryMessages(templates: EvolveTemplates, first: string, second: string, unreadable: string): ChatMessage[] {
  return [
    ...judgeMessages(templates, first, second),
    { role: "assistant", content: unreadable },
    { role: "user", content: templates.judgeRetry.trim() },
  ];
}
