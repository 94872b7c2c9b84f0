/**
 * The filter's scoring prompts (`prompts/judge_quality.txt`, `prompts/judge_complexity.txt`),
 * loaded at run time. A prompt file holds the main prompt, then a line `---- retry ----`, then the
 * note appended when a reply could not be used ({problem}, {attempt}). Placeholders are `{name}`;
 * other braces (the JSON example in the prompt) are left alone.
 */
import { join } from "node:path";
import { UserError } from "../../errors.js";
import { readUtf8Text } from "../../io/records.js";
import { promptsDir } from "../../paths.js";

export interface ScoringPrompt {
  file: string;
  main: string;
  retry: string;
}

const RETRY_SEPARATOR = /\n---- retry ----\n/;

export function defaultPromptPath(name: "judge_quality" | "judge_complexity"): string {
  return join(promptsDir, `${name}.txt`);
}

export async function loadScoringPrompt(file: string, placeholders: readonly string[]): Promise<ScoringPrompt> {
  const [main, retry, ...extra] = (await readUtf8Text(file)).split(RETRY_SEPARATOR);
  if (retry === undefined || extra.length > 0) throw new UserError(`${file}: expected the prompt, one line '---- retry ----', then the retry note`);
  for (const name of placeholders) {
    if (!main!.includes(`{${name}}`)) throw new UserError(`${file}: the prompt must contain the placeholder {${name}}`);
  }
  return { file, main: main!.trimEnd(), retry: retry.trimEnd() };
}

/** Replace `{name}` for the given names in one pass, so values containing braces stay as they are. */
export function fillTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}
