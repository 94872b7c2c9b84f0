/**
 * Conversions between Alpaca records and the chat formats fine-tuning tools read.
 *
 * The user turn is the instruction, followed by a blank line and the input when there is one.
 * ShareGPT lines also carry `input_chars` (the input's length) so the split back into
 * instruction and input is exact even when the instruction itself contains blank lines;
 * tools that read ShareGPT ignore the extra key.
 */
import { z } from "zod";
import type { AlpacaRecord } from "../schemas.js";

export const ShareGptLine = z.object({
  id: z.string().optional(),
  conversations: z
    .array(z.object({ from: z.string(), value: z.string() }))
    .min(2, "a conversation needs a human and a gpt turn"),
  input_chars: z.number().int().nonnegative().optional(),
});
export type ShareGptLine = z.infer<typeof ShareGptLine>;

export const OpenAiMessagesLine = z.object({
  messages: z.array(z.object({ role: z.enum(["system", "user", "assistant"]), content: z.string() })).min(2),
});
export type OpenAiMessagesLine = z.infer<typeof OpenAiMessagesLine>;

const INPUT_SEPARATOR = "\n\n";

export function userTurn(record: AlpacaRecord): string {
  return record.input ? `${record.instruction}${INPUT_SEPARATOR}${record.input}` : record.instruction;
}

export function toShareGpt(record: AlpacaRecord, id?: string): ShareGptLine {
  return {
    ...(id ? { id } : {}),
    conversations: [
      { from: "human", value: userTurn(record) },
      { from: "gpt", value: record.output },
    ],
    input_chars: record.input.length,
  };
}

export function fromShareGpt(line: ShareGptLine): AlpacaRecord {
  const human = line.conversations.find((turn) => turn.from === "human" || turn.from === "user");
  const gpt = line.conversations.find((turn) => turn.from === "gpt" || turn.from === "assistant");
  return { ...splitUserTurn(human?.value ?? "", line.input_chars ?? 0), output: gpt?.value ?? "" };
}

export function toOpenAiMessages(record: AlpacaRecord, systemPrompt?: string): OpenAiMessagesLine {
  return {
    messages: [
      ...(systemPrompt ? [{ role: "system" as const, content: systemPrompt }] : []),
      { role: "user", content: userTurn(record) },
      { role: "assistant", content: record.output },
    ],
  };
}

/** Without a recorded input length the whole user turn is the instruction: the only lossless reading. */
export function fromOpenAiMessages(line: OpenAiMessagesLine): AlpacaRecord {
  const user = line.messages.find((m) => m.role === "user");
  const assistant = line.messages.find((m) => m.role === "assistant");
  return { instruction: user?.content ?? "", input: "", output: assistant?.content ?? "" };
}

function splitUserTurn(text: string, inputChars: number): Pick<AlpacaRecord, "instruction" | "input"> {
  if (inputChars === 0) return { instruction: text, input: "" };
  const instructionEnd = text.length - inputChars - INPUT_SEPARATOR.length;
  return { instruction: text.slice(0, Math.max(0, instructionEnd)), input: text.slice(text.length - inputChars) };
}
