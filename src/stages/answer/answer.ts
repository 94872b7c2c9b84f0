/**
 * Answer one instruction with the LLM — the reusable piece behind `instructforge answer`, the
 * evolve stage's answers, and the translate stage's Chinese answers. The system prompt comes
 * from `prompts/answer.system.<lang>.txt` (or a file the caller names); the user message is the
 * instruction followed by its input, exactly what the dataset record will hold.
 */
import { readUtf8Text } from "../../io/records.js";
import type { FinishReason, LlmClient } from "../../llm/types.js";
import { promptPath } from "../../prompts.js";
import type { AlpacaRecord, Language } from "../../schemas.js";
import { detectLanguage } from "../../text/language.js";

export interface AnswerOptions {
  /** Language to answer in; "auto" (default) answers in the instruction's own language. */
  lang?: Language | "auto";
  /** System prompt text; default: the built-in `answer.system.<lang>.txt`; null: no system message. */
  systemPrompt?: string | null;
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  /** Set to ask again for an independent answer to the same record. */
  sampleIndex?: number;
}

export interface Answer {
  output: string;
  /** "length" means the answer was cut by max_tokens (the filter stage drops those). */
  finishReason: FinishReason;
  lang: Language;
}

export const DEFAULT_ANSWER_TEMPERATURE = 0.7;
export const DEFAULT_ANSWER_MAX_TOKENS = 2048;

const builtInPrompts = new Map<Language, Promise<string>>();

export function defaultAnswerSystemPromptPath(lang: Language): string {
  return promptPath(`answer.system.${lang}.txt`);
}

/** The system prompt for `lang`: the named file, or the built-in one (read once per process). */
export async function loadAnswerSystemPrompt(lang: Language, file?: string): Promise<string> {
  if (file !== undefined) return (await readUtf8Text(file)).trim();
  let cached = builtInPrompts.get(lang);
  if (!cached) {
    cached = readUtf8Text(defaultAnswerSystemPromptPath(lang)).then((text) => text.trim());
    builtInPrompts.set(lang, cached);
  }
  return cached;
}

export function userMessageOf(record: Pick<AlpacaRecord, "instruction" | "input">): string {
  const input = record.input.trim();
  return input === "" ? record.instruction.trim() : `${record.instruction.trim()}\n\n${input}`;
}

export async function answerInstruction(
  llm: LlmClient,
  record: Pick<AlpacaRecord, "instruction" | "input">,
  options: AnswerOptions = {},
): Promise<Answer> {
  const requested = options.lang ?? "auto";
  const lang: Language = requested === "auto" ? detectLanguage(`${record.instruction}\n${record.input}`) : requested;
  const systemPrompt = options.systemPrompt === undefined ? await loadAnswerSystemPrompt(lang) : options.systemPrompt;
  const user = { role: "user", content: userMessageOf(record) } as const;
  const reply = await llm.chat({
    messages: systemPrompt === null ? [user] : [{ role: "system", content: systemPrompt }, user],
    temperature: options.temperature ?? DEFAULT_ANSWER_TEMPERATURE,
    ...(options.topP === undefined ? {} : { top_p: options.topP }),
    max_tokens: options.maxTokens ?? DEFAULT_ANSWER_MAX_TOKENS,
    sampleIndex: options.sampleIndex,
  });
  return { output: reply.text.trim(), finishReason: reply.finishReason, lang };
}
