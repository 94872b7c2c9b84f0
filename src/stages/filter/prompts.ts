/**
 * The filter's scoring prompts (`prompts/judge_quality.txt`, `prompts/judge_complexity.txt`),
 * loaded at run time. A prompt file holds the main prompt, then a line `---- retry ----`, then the
 * note appended when a reply could not be used ({problem}, {attempt}). Placeholders are `{name}`;
 * other braces (the JSON example in the prompt) are left alone.
 */
import { UserError } from "../../errors.js";
import { loadPrompt, promptPath, requirePlaceholders } from "../../prompts.js";

export interface ScoringPrompt {
  file: string;
  main: string;
  retry: string;
}

const RETRY_SEPARATOR = /\n---- retry ----\n/;

export function defaultPromptPath(name: "judge_quality" | "judge_complexity"): string {
  return promptPath(`${name}.txt`);
}

export async function loadScoringPrompt(file: string, placeholders: readonly string[]): Promise<ScoringPrompt> {
  const [main, retry, ...extra] = (await loadPrompt(file)).split(RETRY_SEPARATOR);
  if (retry === undefined || extra.length > 0) throw new UserError(`${file}: expected the prompt, one line '---- retry ----', then the retry note`);
  requirePlaceholders(file, main!, placeholders);
  return { file, main: main!.trimEnd(), retry: retry.trimEnd() };
}
