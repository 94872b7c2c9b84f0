/** Serialise Alpaca records in each export format. Pure: records in, file text out. */
import { stringify } from "csv-stringify/sync";
import { recordId, type AlpacaRecord } from "../schemas.js";
import { toOpenAiMessages, toShareGpt } from "./formats.js";
import { toJsonLines } from "./jsonl.js";

export const EXPORT_FORMATS = ["alpaca-json", "alpaca-jsonl", "sharegpt", "openai-messages", "csv"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportOptions {
  /** CSV: start with a UTF-8 byte-order mark so spreadsheet programs read Chinese correctly. */
  bom?: boolean;
  /** openai-messages: a system message put before every conversation. */
  systemPrompt?: string;
}

export function serialise(records: readonly AlpacaRecord[], format: ExportFormat, options: ExportOptions = {}): string {
  const plain = records.map(({ instruction, input, output }) => ({ instruction, input, output }));
  switch (format) {
    case "alpaca-json":
      // The layout of the published alpaca_data.json: an array, 4-space indent, UTF-8 kept as is.
      return `${JSON.stringify(plain, null, 4)}\n`;
    case "alpaca-jsonl":
      return toJsonLines(plain);
    case "sharegpt":
      return toJsonLines(plain.map((record) => toShareGpt(record, recordId(record))));
    case "openai-messages":
      return toJsonLines(plain.map((record) => toOpenAiMessages(record, options.systemPrompt)));
    case "csv":
      return (options.bom ? "\uFEFF" : "") + stringify(plain, { header: true, columns: ["instruction", "input", "output"], quoted_string: true });
  }
}
