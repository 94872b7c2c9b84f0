/**
 * The filter's scoring prompts, loaded at run time. A prompt file holds the main prompt, then a
 * line `---- retry ----`, then the note appended when a reply could not be used ({problem},
 * {attempt}). Placeholders are `{name}`; other braces (the JSON example in the prompt) are left alone.
 *
 * A file may open with a system message, ended by a line `---- user ----` (the AlpaGasus rating
 * script sends its request that way); without one, the whole prompt is the user message.
 *
 * A prompt has one of two layouts, told apart by its placeholders: "single" rates one record per
 * request (`prompts/judge_quality.txt`, `prompts/judge_complexity.txt`: the record's fields are
 * placeholders of their own, as in the AlpaGasus and Deita prompts), "batch" rates several
 * records numbered in one list placeholder (`prompts/*_batch.txt`, used with `--judge-batch N`).
 */
import { UserError } from "../../errors.js";
import { loadPrompt, promptPath, requirePlaceholders } from "../../prompts.js";

export type PromptLayout = "single" | "batch";

export interface ScoringPrompt {
  file: string;
  layout: PromptLayout;
  /** Sent as the system message when the file has one. */
  system?: string;
  main: string;
  retry: string;
}

/** What each layout must contain; the batch layout is recognised by its list placeholder (the first). */
export interface PromptPlaceholders {
  single: readonly string[];
  batch: readonly string[];
}

const RETRY_SEPARATOR = /\n---- retry ----\n/;
const USER_SEPARATOR = /\n---- user ----\n/;

export type ScoringPromptName = "judge_quality" | "judge_complexity";

/** The shipped prompt for a layout: one record per request unless the batch is larger. */
export function defaultPromptPath(name: ScoringPromptName, recordsPerRequest = 1): string {
  return promptPath(recordsPerRequest > 1 ? `${name}_batch.txt` : `${name}.txt`);
}

export async function loadScoringPrompt(file: string, placeholders: PromptPlaceholders, recordsPerRequest: number): Promise<ScoringPrompt> {
  const [prompt, retry, ...extra] = (await loadPrompt(file)).split(RETRY_SEPARATOR);
  if (retry === undefined || extra.length > 0) throw new UserError(`${file}: expected the prompt, one line '---- retry ----', then the retry note`);
  const parts = prompt!.split(USER_SEPARATOR);
  if (parts.length > 2) throw new UserError(`${file}: at most one line '---- user ----' (it ends the system message)`);
  const [system, main] = parts.length === 2 ? [parts[0]!.trim(), parts[1]] : [undefined, parts[0]];
  const layout: PromptLayout = main!.includes(`{${placeholders.batch[0]}}`) ? "batch" : "single";
  requirePlaceholders(file, main!, placeholders[layout]);
  if (layout === "single" && recordsPerRequest > 1) {
    throw new UserError(`${file}: this prompt rates one record per request ({${placeholders.single.join("}, {")}}); --judge-batch ${recordsPerRequest} needs a prompt with {${placeholders.batch.join("}, {")}}`, 2);
  }
  return { file, layout, ...(system ? { system } : {}), main: main!.trimEnd(), retry: retry.trimEnd() };
}
