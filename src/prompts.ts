/**
 * Prompt templates: one file per prompt under `prompts/`, with `{name}` placeholders, read at run
 * time so users can edit or replace them. Every stage loads and fills its prompts through here.
 */
import { join } from "node:path";
import { inputError } from "./errors.js";
import { readUtf8Text } from "./io/records.js";
import { promptsDir } from "./paths.js";

/** The shipped template `prompts/<fileName>`. */
export function promptPath(fileName: string): string {
  return join(promptsDir, fileName);
}

/** Read a template and check it has every placeholder the stage fills (a user's file may not). */
export async function loadPrompt(path: string, placeholders: readonly string[] = []): Promise<string> {
  const text = await readUtf8Text(path);
  requirePlaceholders(path, text, placeholders);
  return text;
}

export function requirePlaceholders(path: string, text: string, placeholders: readonly string[]): void {
  for (const name of placeholders) {
    if (!text.includes(`{${name}}`)) throw inputError(path, undefined, `the prompt has no {${name}} placeholder; add it where that text goes`);
  }
}

/**
 * Replace `{name}` for the given names in one pass: values that contain braces (code, JSON) are
 * never re-scanned, and braces in the template that are not placeholders stay as they are.
 */
export function fillTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}
