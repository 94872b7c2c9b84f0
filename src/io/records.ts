/**
 * Read any record file the pipeline accepts — Alpaca JSON array, Alpaca JSONL, Self-Instruct
 * seed-task JSONL, and the ShareGPT / OpenAI-messages JSONL that `export` writes — into Alpaca records, keeping the original objects and their line numbers.
 * Every problem is a `UserError` of the form "file:line: what is wrong and how to fix it".
 * A UTF-8 BOM and CRLF line endings are accepted.
 */
import { readFile, stat } from "node:fs/promises";
import type { z } from "zod";
import { inputError, UserError } from "../errors.js";
import { LooseAlpacaRecord, SeedTask, type AlpacaRecord } from "../schemas.js";
import { fromOpenAiMessages, fromShareGpt, OpenAiMessagesLine, ShareGptLine } from "./formats.js";
import { splitJsonArray, type ArrayElement } from "./jsonArray.js";

export type RecordFormat = "alpaca-json" | "alpaca-jsonl" | "seed-jsonl" | "sharegpt" | "openai-messages";

export interface RecordItem {
  /** 1-based line of the item in the file (where its object starts). */
  line: number;
  /** The object exactly as read, for stages that must write records back untouched. */
  raw: Record<string, unknown>;
  record: AlpacaRecord;
  /** Seed tasks only: the task's id. */
  seedId?: string;
  isClassification?: boolean;
}

export interface RecordFile {
  path: string;
  format: RecordFormat;
  items: RecordItem[];
}

export interface ReadOptions {
  /** Allow a file with no records (default: an empty file is an error). */
  allowEmpty?: boolean;
}

export async function readRecordFile(path: string, options: ReadOptions = {}): Promise<RecordFile> {
  const text = await readUtf8Text(path);
  if (text.trim() === "") {
    if (options.allowEmpty) return { path, format: "alpaca-jsonl", items: [] };
    throw emptyFileError(path);
  }
  const entries = text.trimStart().startsWith("[") ? parseJsonArrayEntries(path, text) : parseJsonLines(path, text);
  const format = detectFormat(text, entries);
  const items = entries.map((entry) => toItem(path, format, entry));
  if (format === "seed-jsonl") rejectDuplicateSeedIds(path, items);
  return { path, format, items };
}

export function emptyFileError(path: string): UserError {
  return inputError(path, undefined, "the file is empty; expected Alpaca JSON/JSONL records or seed tasks");
}

/** Read a file as UTF-8 text: BOM stripped, CRLF normalised; a clear error for anything else. */
export async function readUtf8Text(path: string): Promise<string> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new UserError(`${path}: ${error.code === "ENOENT" ? "no such file" : error.message}`);
  });
  if (info.isDirectory()) throw new UserError(`${path}: is a directory, expected a file`);
  const bytes = await readFile(path);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    const line = lineOfFirstInvalidUtf8(bytes);
    throw inputError(path, line, "not valid UTF-8; re-save the file as UTF-8 (e.g. `iconv -f GBK -t UTF-8`)");
  }
  return text.replace(/^\uFEFF/, "").replace(/\r\n/g, "\n");
}

export function lineOfFirstInvalidUtf8(bytes: Uint8Array): number {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let line = 1;
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      try {
        decoder.decode(bytes.subarray(start, i));
      } catch {
        return line;
      }
      line++;
      start = i + 1;
    }
  }
  return line;
}

export interface RawEntry {
  line: number;
  value: unknown;
}

function parseJsonLines(path: string, text: string): RawEntry[] {
  const entries: RawEntry[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const content = lines[i]!.trim();
    if (content === "") continue;
    entries.push({ line: i + 1, value: parseJsonOrThrow(path, i + 1, content) });
  }
  return entries;
}

function parseJsonArrayEntries(path: string, text: string): RawEntry[] {
  return jsonArrayElements(path, text).map((element) => ({ line: element.line, value: parseJsonOrThrow(path, element.line, element.text) }));
}

/** The source text of each element of a file's top-level JSON array, with its line. */
export function jsonArrayElements(path: string, text: string): ArrayElement[] {
  const split = splitJsonArray(text);
  if ("error" in split) throw inputError(path, split.line, `${split.error} (a .json file holds one array of objects; for JSONL write one object per line)`);
  return split.elements;
}

export function parseJsonOrThrow(path: string, line: number, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw inputError(path, line, `not valid JSON (${jsonErrorGist(error)}); each line must be one JSON object`);
  }
}

/** V8's message may quote the whole input (a 50 MB line): keep the gist, turn the offset into a column. */
function jsonErrorGist(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const gist = message
    .replace(/, (?:\.\.\.)?".*"(?:\.\.\.)? is not valid JSON$/s, "")
    .replace(/ in JSON at position (\d+).*$/s, (_m, position: string) => ` at column ${Number(position) + 1}`);
  return gist.length > 120 ? `${gist.slice(0, 117)}...` : gist;
}

function detectFormat(text: string, entries: RawEntry[]): RecordFormat {
  if (text.trimStart().startsWith("[")) return "alpaca-json";
  return lineFormatOf(entries[0]?.value);
}

/** The format of a JSON-lines file, told by its first value. */
export function lineFormatOf(first: unknown): RecordFormat {
  if (typeof first !== "object" || first === null) return "alpaca-jsonl";
  if ("instances" in first) return "seed-jsonl";
  if ("conversations" in first) return "sharegpt";
  if ("messages" in first) return "openai-messages";
  return "alpaca-jsonl";
}

export function toItem(path: string, format: RecordFormat, entry: RawEntry): RecordItem {
  const { line, value } = entry;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw inputError(path, line, `expected a JSON object, found ${Array.isArray(value) ? "an array" : typeof value}`);
  }
  const raw = value as Record<string, unknown>;
  if (format === "seed-jsonl") {
    const seed = parseWith(SeedTask, path, line, raw, "a seed task {id, name, instruction, instances:[{input, output}], is_classification}");
    const first = seed.instances[0]!;
    return { line, raw, record: { instruction: seed.instruction, input: first.input, output: first.output }, seedId: seed.id, isClassification: seed.is_classification };
  }
  if (format === "sharegpt") {
    return { line, raw, record: fromShareGpt(parseWith(ShareGptLine, path, line, raw, "a ShareGPT line {conversations:[{from, value}]}")) };
  }
  if (format === "openai-messages") {
    return { line, raw, record: fromOpenAiMessages(parseWith(OpenAiMessagesLine, path, line, raw, "a chat line {messages:[{role, content}]}")) };
  }
  const record = parseWith(LooseAlpacaRecord, path, line, raw, "an Alpaca record {instruction, input, output}");
  return { line, raw, record };
}

function parseWith<S extends z.ZodType>(schema: S, path: string, line: number, raw: unknown, expected: string): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw inputError(path, line, `${describeIssue(parsed.error.issues[0])}; expected ${expected}`);
}

export function describeIssue(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return "invalid record";
  const field = issue.path.length > 0 ? `field '${issue.path.join(".")}'` : "record";
  if (issue.code === "invalid_type" && issue.message.includes("received undefined")) return `${field} is missing`;
  return `${field}: ${issue.message.replace(/^Invalid input: /, "")}`;
}

function rejectDuplicateSeedIds(path: string, items: RecordItem[]): void {
  const firstLine = new Map<string, number>();
  for (const item of items) {
    const id = item.seedId!;
    const seen = firstLine.get(id);
    if (seen !== undefined) throw inputError(path, item.line, `duplicate seed id '${id}' (first used on line ${seen}); ids must be unique`);
    firstLine.set(id, item.line);
  }
}
