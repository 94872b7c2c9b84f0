/**
 * Turn a model's reply into tasks. Replies to the generation prompt come in many layouts:
 * `###` separators or none, numbering from any number, labels in markdown bold, English or
 * Chinese labels with `:` or `：`, multi-line fields with code blocks. Lines inside a fenced code
 * block are always content, so code that contains `###` or `1.` lines never splits an item.
 *
 * Nothing is silently lost: an item that cannot be read is returned in `unparseable` with its raw
 * text, and the item cut off by the length limit in `truncated`.
 */
import type { FinishReason } from "../../llm/types.js";

export interface ParsedTask {
  /** The number the model gave the item, when it gave one. */
  number?: number;
  instruction: string;
  input: string;
  output: string;
  raw: string;
}

export interface UnparsedItem {
  raw: string;
  problem: string;
}

export interface ParsedReply {
  tasks: ParsedTask[];
  unparseable: UnparsedItem[];
  /** The last item, dropped because the reply hit the token limit. */
  truncated?: string;
}

export interface ParseOptions {
  /** The number the prompt ended with: a reply that simply continues it gets this label. */
  nextNumber?: number;
  finishReason?: FinishReason;
}

type Field = "instruction" | "input" | "output";

type Line =
  | { kind: "separator"; text: string }
  | { kind: "label"; field: Field; number?: number; rest: string; text: string }
  | { kind: "text"; text: string };

const FIELD_OF: Record<string, Field> = {
  instruction: "instruction",
  input: "input",
  output: "output",
  指令: "instruction",
  输入: "input",
  输出: "output",
};

const SEPARATOR = /^\s*#{3,}\s*$/;
const BOLD = "(?:\\*\\*|__)?";
/** `4. Instruction: …`, `**Instruction:** …`, `1. **Instruction**: …`, `- 输入：…`, `### 4. Output:` */
const LABEL = new RegExp(
  `^\\s*(?:#{1,6}\\s+|-\\s+)?${BOLD}\\s*(?:(\\d{1,4})\\s*[.)．、]?\\s*)?${BOLD}\\s*(instruction|input|output|指令|输入|输出)\\s*${BOLD}\\s*[:：]\\s*${BOLD}[ \\t]*(.*)$`,
  "i",
);
const FENCE = /^\s*(```|~~~)/;

/** Markers a model writes for "this task has no input". Compared after `normalizeMarker`. */
const NO_INPUT_MARKERS = new Set([
  "", "noinput", "none", "n/a", "na", "null", "nil", "empty", "not applicable",
  "no input required", "no input needed", "无", "无输入", "没有", "没有输入", "空", "不需要输入", "无需输入", "-", "—",
]);

export function parseTaskList(text: string, options: ParseOptions = {}): ParsedReply {
  // Most replies have no \r: skip a copy of the whole reply for them.
  const lines = classifyLines(text.includes("\r") ? text.replace(/\r\n?/g, "\n") : text);
  const items = groupItems(continuationFixed(lines, options.nextNumber));
  const reply: ParsedReply = { tasks: [], unparseable: [] };
  if (options.finishReason === "length") {
    const last = items.pop();
    if (last && last.raw.trim() !== "") reply.truncated = last.raw;
  }
  for (const item of items) {
    const outcome = toTask(item);
    if ("problem" in outcome) reply.unparseable.push(outcome);
    else reply.tasks.push(outcome);
  }
  return reply;
}

/** Whether an input field means "no input". */
export function isNoInputMarker(input: string): boolean {
  return !tooLongForMarker(input) && NO_INPUT_MARKERS.has(normalizeMarker(input));
}

const LONGEST_MARKER = Math.max(...[...NO_INPUT_MARKERS].map((marker) => marker.length));
/** Everything `normalizeMarker` can strip or squeeze: its end decoration, `_`, and whitespace. */
const MARKER_REMOVABLE = /[*_`"'“”‘’「」（）()[\]<>《》【】.。\s]/;

/**
 * Most inputs are real text, far longer than any marker: normalizing them (four passes over the
 * whole input) was the parser's largest cost. A character `normalizeMarker` cannot remove always
 * survives it, so more such characters than the longest marker has settle the question.
 */
function tooLongForMarker(input: string): boolean {
  if (input.length <= LONGEST_MARKER) return false;
  let surviving = 0;
  for (let i = 0; i < input.length; i++) {
    if (!MARKER_REMOVABLE.test(input[i]!) && ++surviving > LONGEST_MARKER) return true;
  }
  return false;
}

function normalizeMarker(text: string): string {
  return text
    .trim()
    .replace(/^[*_`"'“”‘’「」（）()[\]<>《》【】\s]+|[*_`"'“”‘’「」（）()[\]<>《》【】\s.。]+$/g, "")
    .toLowerCase()
    .replace(/[\s_]+/g, " ")
    .replace(/^no ?input$/, "noinput");
}

function classifyLines(text: string): Line[] {
  const result: Line[] = [];
  let inFence = false;
  for (const line of text.split("\n")) {
    if (inFence) {
      if (togglesFence(line)) inFence = false;
      result.push({ kind: "text", text: line });
      continue;
    }
    const label = LABEL.exec(line);
    if (label) {
      const rest = label[3]!.trim();
      result.push({ kind: "label", field: FIELD_OF[label[2]!.toLowerCase()]!, number: label[1] ? Number(label[1]) : undefined, rest, text: line });
      if (togglesFence(rest)) inFence = true;
    } else if (SEPARATOR.test(line)) {
      result.push({ kind: "separator", text: line });
    } else {
      if (togglesFence(line)) inFence = true;
      result.push({ kind: "text", text: line });
    }
  }
  return result;
}

/** A fence line opens or closes a block unless it also closes itself (```x``` on one line). */
function togglesFence(line: string): boolean {
  const match = FENCE.exec(line);
  if (!match) return false;
  return !line.trim().slice(3).includes(match[1]!);
}

/**
 * A chat model often answers the prompt's trailing `N. Instruction:` by writing the instruction
 * straight away. When the first label is Input or Output and text precedes it, that text is the
 * instruction of item N; otherwise text before the first label is a preamble ("Sure! …").
 */
function continuationFixed(lines: Line[], nextNumber: number | undefined): Line[] {
  const first = lines.findIndex((line) => line.kind === "label" || line.kind === "separator");
  const firstLabel = lines.find((line) => line.kind === "label");
  const before = lines.slice(0, first === -1 ? lines.length : first);
  const hasLeadingText = before.some((line) => line.text.trim() !== "");
  if (!hasLeadingText || firstLabel === undefined || firstLabel.field === "instruction") return lines;
  if (first !== -1 && lines[first]!.kind === "separator") return lines;
  const synthetic: Line = { kind: "label", field: "instruction", number: nextNumber, rest: "", text: "" };
  return [synthetic, ...lines];
}

interface Item {
  number?: number;
  fields: Partial<Record<Field, string[]>>;
  current?: Field;
  raw: string;
}

function groupItems(lines: Line[]): Item[] {
  const items: Item[] = [];
  let item: Item | undefined;
  let sawStructure = false;
  const close = (): void => {
    if (item && item.raw.trim() !== "") items.push(item);
    item = undefined;
  };
  const start = (line: Line & { kind: "label" }): void => {
    close();
    item = { number: line.number, fields: { [line.field]: [line.rest] }, current: line.field, raw: "" };
  };
  for (const line of lines) {
    if (line.kind === "separator") {
      close();
      sawStructure = true;
      continue;
    }
    if (line.kind === "label" && startsNewItem(item, line)) {
      start(line);
      sawStructure = true;
    } else if (line.kind === "label" && item && canTake(item, line.field)) {
      item.fields[line.field] = [line.rest];
      item.current = line.field;
    } else if (item?.current) {
      item.fields[item.current]!.push(line.text);
    } else if (sawStructure && line.text.trim() !== "") {
      // Text after a separator with no label yet: keep it, so it is reported, not lost.
      item ??= { fields: {}, raw: "" };
    } else if (!sawStructure) {
      continue; // preamble before the first item
    }
    if (item) item.raw += item.raw === "" ? line.text : `\n${line.text}`;
  }
  close();
  return items;
}

/**
 * A label opens a new item when it is an Instruction label, when nothing is open, or when it is
 * numbered above the open item (a later item whose Instruction label is missing). A lower or
 * equal number (e.g. `2. Output:` in an output's own numbered list) stays content.
 */
function startsNewItem(item: Item | undefined, line: Line & { kind: "label" }): boolean {
  if (line.field === "instruction" || item === undefined) return true;
  if (line.number !== undefined && item.number !== undefined && line.number > item.number) return true;
  return item.fields.instruction === undefined && item.fields[line.field] !== undefined;
}

/** Input may follow only the instruction; Output may follow the instruction or the input. */
function canTake(item: Item, field: Field): boolean {
  if (item.fields.output !== undefined) return false;
  return field === "output" || item.fields.input === undefined;
}

function toTask(item: Item): ParsedTask | UnparsedItem {
  const raw = item.raw.trim();
  const { instruction, input, output } = item.fields;
  if (instruction === undefined) return { raw, problem: "no Instruction label" };
  if (output === undefined) return { raw, problem: "no Output label" };
  const instructionText = joinField(instruction);
  if (instructionText === "") return { raw, problem: "empty instruction" };
  const inputText = input === undefined ? "" : joinField(input);
  const task: ParsedTask = {
    instruction: instructionText,
    input: isNoInputMarker(inputText) ? "" : inputText,
    output: joinField(output),
    raw,
  };
  if (item.number !== undefined) task.number = item.number;
  return task;
}

function joinField(lines: string[]): string {
  return lines.join("\n").trim();
}
