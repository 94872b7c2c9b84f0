/**
 * The translation request: `prompts/translate.zh.txt` with `{records_json}` replaced by the
 * records to translate, as a JSON object keyed by their index in the batch ("0", "1", …). The
 * reply comes back in the same shape, so every record of a batch is checked on its own.
 */
import { join } from "node:path";
import { inputError } from "../../errors.js";
import { readUtf8Text } from "../../io/records.js";
import { promptsDir } from "../../paths.js";
import type { ChatRequest } from "../../llm/types.js";
import type { TranslatableField } from "./fields.js";

export interface TranslatePrompt {
  path: string;
  text: string;
}

const PLACEHOLDER = "{records_json}";

export const defaultTranslatePromptPath = (): string => join(promptsDir, "translate.zh.txt");

export async function loadTranslatePrompt(path: string = defaultTranslatePromptPath()): Promise<TranslatePrompt> {
  const text = await readUtf8Text(path);
  if (!text.includes(PLACEHOLDER)) throw inputError(path, undefined, `the prompt has no ${PLACEHOLDER} placeholder; add it where the source records go`);
  return { path, text };
}

/** The texts to send for one request: batch index → field → text with sentinels. */
export type SourcePayload = Record<string, Partial<Record<TranslatableField, string>>>;

export interface AttemptSettings {
  /** 0 for the first try; later attempts sample at a higher temperature, so a retry differs. */
  attempt: number;
  maxTokens: number;
}

/** Temperatures by attempt: low for a faithful first try, higher to get a different retry. */
const TEMPERATURES = [0.2, 0.6, 0.9, 1.0];

export function buildTranslateRequest(prompt: TranslatePrompt, payload: SourcePayload, settings: AttemptSettings): ChatRequest {
  const content = prompt.text.replace(PLACEHOLDER, () => JSON.stringify(payload, null, 2)).trimEnd();
  return {
    messages: [{ role: "user", content }],
    temperature: TEMPERATURES[Math.min(settings.attempt, TEMPERATURES.length - 1)],
    max_tokens: settings.maxTokens,
    json: true,
    sampleIndex: settings.attempt,
  };
}

/**
 * Room for the reply: Chinese takes about one token per character and is shorter than the
 * English, plus JSON keys and markers. Generous, because a cut reply costs a whole retry.
 */
export function replyTokenBudget(payload: SourcePayload): number {
  const sourceChars = JSON.stringify(payload).length;
  return Math.min(16_384, 256 + Math.ceil(sourceChars * 1.5));
}
