/**
 * The translation request: `prompts/translate.zh.txt` with `{records_json}` replaced by the
 * records to translate, as a JSON object keyed by their index in the batch ("0", "1", …). The
 * reply comes back in the same shape, so every record of a batch is checked on its own.
 */
import { fillTemplate, loadPrompt, promptPath } from "../../prompts.js";
import type { ChatRequest } from "../../llm/types.js";
import type { TranslatableField } from "./fields.js";

export interface TranslatePrompt {
  path: string;
  text: string;
}

export const defaultTranslatePromptPath = (): string => promptPath("translate.zh.txt");

export async function loadTranslatePrompt(path: string = defaultTranslatePromptPath()): Promise<TranslatePrompt> {
  return { path, text: await loadPrompt(path, ["records_json"]) };
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
  const content = fillTemplate(prompt.text, { records_json: JSON.stringify(payload, null, 2) }).trimEnd();
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
