/**
 * Turn a model's reply into tasks. Replies to the generation prompt come in many layouts:
 * `###` separators or none, numbering from any number (and restarting at 1), labels in markdown
 * bold or italics, English or Chinese labels with `:` or `：`, per-task headers ("### Task 5",
 * "**Task 5**", "Task 5:"), horizontal rules, multi-line fields with code blocks. Lines inside a
 * fenced code block are always content, so code that contains `###` or `1.` lines never splits
 * an item.
 *
 * Chatter is dropped, never kept: intros, remarks between items and sign-offs ("I hope these
 * tasks are helpful!") belong to no field; they are counted in `chatterLines` and discarded, so
 * they can never reach the training data. An item that cannot be read is returned in
 * `unparseable` with its raw text, and the item cut off by the length limit in `truncated`.
 */
import type { FinishReason } from "../../llm/types.js";
import { isClosingChatter, isOpeningChatter } from "./chatter.js";

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
  /** Non-blank lines that belonged to no field (intros, remarks, sign-offs), dropped. */
  chatterLines: number;
}

export interface ParseOptions {
  /** The number the prompt ended with: a reply that simply continues it gets this label. */
  nextNumber?: number;
  finishReason?: FinishReason;
}

type Field = "instruction" | "input" | "output";

/** `code`: inside a fenced block, where nothing is ever structure or chatter. */
type TextLine = { kind: "text"; text: string; code: boolean };

type Line =
  | { kind: "separator"; text: string }
  | { kind: "rule"; text: string }
  | { kind: "header"; number: number; title: string; text: string }
  | { kind: "label"; field: Field; number?: number; rest: string; text: string }
  | TextLine;

const FIELD_OF: Record<string, Field> = {
  instruction: "instruction",
  input: "input",
  output: "output",
  指令: "instruction",
  输入: "input",
  输出: "output",
};

const SEPARATOR = /^\s*#{3,}\s*$/;
/** Markdown emphasis around a label: `**`, `__`, `*`, `_`, `***`. */
const EMPHASIS = "(?:\\*{1,3}|_{1,3})?";
const FIELD_WORD = "(instruction|input|output|指令|输入|输出)";
/** `4. Instruction: …`, `**Instruction:** …`, `1. **Instruction**: …`, `- 输入：…`, `### 4. Output:`, `*Input:*` */
const LABEL = new RegExp(
  `^\\s*(?:#{1,6}\\s+|[-•]\\s+)?${EMPHASIS}\\s*(?:(\\d{1,4})\\s*[.)．、]?\\s*)?${EMPHASIS}\\s*${FIELD_WORD}\\s*${EMPHASIS}\\s*[:：]\\s*${EMPHASIS}[ \\t]*(.*)$`,
  "i",
);
/** A label alone on its line without a colon: `**Instruction**`, `### Output`, `4. Input`. */
const BARE_LABEL = new RegExp(`^\\s*(?:#{1,6}\\s+|[-•]\\s+)?${EMPHASIS}\\s*(?:(\\d{1,4})\\s*[.)．、]?\\s*)?${EMPHASIS}\\s*${FIELD_WORD}\\s*${EMPHASIS}\\s*()$`, "i");
/** `### Task 5`, `**Task 5**`, `Task 5:`, `## Example 5: Haiku`, `**Task #5 — Haiku**` */
const HEADER = /^\s*(?:#{1,6}\s*)?(?:\*{1,3}|_{1,3})?\s*(?:new\s+)?(?:task|example|item|prompt)\s*(?:#|no\.?|number)?\s*(\d{1,4})\b\s*(?:\*{1,3}|_{1,3})?\s*(?:[:：.)\-–—]\s*)?(.*)$/i;
/** `任务5：`, `### 任务 5`, `**第5个任务**`, `示例 5` */
const CHINESE_HEADER = /^\s*(?:#{1,6}\s*)?(?:\*{1,3}|_{1,3})?\s*(?:(?:任务|示例|例子)\s*(\d{1,4})|第\s*(\d{1,4})\s*(?:个)?(?:任务|题|个示例))\s*(?:\*{1,3}|_{1,3})?\s*[:：.、]?\s*(.*)$/u;
/** `### 5`, `**5.**`, `5.` alone on a line. */
const BARE_NUMBER = /^\s*(?:#{1,6}\s*)?(?:\*{1,3}|_{1,3})?\s*(\d{1,4})\s*[.)、．]?\s*(?:\*{1,3}|_{1,3})?\s*()$/;
const HEADER_WORD = /task|example|item|prompt|任务|示例|例子/i;
/** Every header carries the item's number. */
const DIGIT = /\d/;
/** Longer lines are never a bare label (`**Instruction**`) or a bare number (`### 5`). */
const SHORT_LINE = 32;
/** `---`, `***`, `___`, `===`, `- - -`. */
const RULE = /^\s*([-*_=])(?:\s*\1){2,}\s*$/;
const FENCE = /^\s*(```|~~~)/;

/** Markers a model writes for "this task has no input". Compared after `normalizeMarker`. */
const NO_INPUT_MARKERS = new Set([
  "", "noinput", "none", "n/a", "na", "null", "nil", "empty", "not applicable",
  "no input required", "no input needed", "无", "无输入", "没有", "没有输入", "空", "不需要输入", "无需输入", "-", "—",
]);

export function parseTaskList(text: string, options: ParseOptions = {}): ParsedReply {
  // Most replies have no \r: skip a copy of the whole reply for them.
  const lines = classifyLines(text.includes("\r") ? text.replace(/\r\n?/g, "\n") : text);
  const grouped = groupItems(lines, options.nextNumber);
  const reply: ParsedReply = { tasks: [], unparseable: [], chatterLines: grouped.chatterLines };
  const items = grouped.items;
  if (options.finishReason === "length") {
    const last = items.pop();
    const raw = last?.raw.join("\n") ?? "";
    if (raw.trim() !== "") reply.truncated = raw;
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
      result.push({ kind: "text", text: line, code: true });
      continue;
    }
    const label = LABEL.exec(line) ?? (line.length <= SHORT_LINE ? BARE_LABEL.exec(line) : null);
    if (label) {
      const rest = (label[3] ?? "").trim();
      result.push({ kind: "label", field: FIELD_OF[label[2]!.toLowerCase()]!, number: label[1] ? Number(label[1]) : undefined, rest, text: line });
      if (togglesFence(rest)) inFence = true;
    } else if (SEPARATOR.test(line)) {
      result.push({ kind: "separator", text: line });
    } else if (togglesFence(line)) {
      inFence = true;
      result.push({ kind: "text", text: line, code: true });
    } else {
      result.push(headerOrRule(line) ?? { kind: "text", text: line, code: false });
    }
  }
  return confirmStructure(result);
}

/** A candidate per-task header ("### Task 5", "**Task 5: Haiku**", "5.") or horizontal rule. */
function headerOrRule(line: string): Line | undefined {
  // Cheap tests first: most lines are plain text, and each pattern needs a sign it could match.
  const first = line.trimStart().charAt(0);
  if ((first === "-" || first === "*" || first === "_" || first === "=") && RULE.test(line)) return { kind: "rule", text: line };
  if (!DIGIT.test(line) || (line.length > SHORT_LINE && !HEADER_WORD.test(line))) return undefined;
  const chinese = CHINESE_HEADER.exec(line);
  if (chinese) return { kind: "header", number: Number(chinese[1] ?? chinese[2]), title: cleanTitle(chinese[3] ?? ""), text: line };
  const header = HEADER.exec(line) ?? BARE_NUMBER.exec(line);
  if (!header) return undefined;
  return { kind: "header", number: Number(header[1]), title: cleanTitle(header[2] ?? ""), text: line };
}

function cleanTitle(title: string): string {
  return title.replace(/^[\s*_:：.\-–—]+|[\s*_]+$/g, "").trim();
}

/**
 * A header or a rule is structure only where structure follows it: a header must be followed by
 * a field label, a rule by a label, a header, a separator, chatter or the end. Elsewhere ("Task 1:
 * buy milk" in a to-do list, a `---` between sections of an essay) the line is content.
 */
function confirmStructure(lines: Line[]): Line[] {
  return lines.map((line, index) => {
    if (line.kind !== "header" && line.kind !== "rule") return line;
    const next = lines.slice(index + 1).find((candidate) => candidate.text.trim() !== "");
    const confirmed =
      line.kind === "header"
        ? next?.kind === "label"
        : next === undefined || next.kind === "label" || next.kind === "separator" || next.kind === "header" || next.kind === "rule" || isClosingChatter(next.text);
    return confirmed ? line : { kind: "text", text: line.text, code: false };
  });
}

/** A fence line opens or closes a block unless it also closes itself (```x``` on one line). */
function togglesFence(line: string): boolean {
  const match = FENCE.exec(line);
  if (!match) return false;
  return !line.trim().slice(3).includes(match[1]!);
}

interface FieldText {
  lines: TextLine[];
}

interface Item {
  number?: number;
  fields: Partial<Record<Field, FieldText>>;
  current?: Field;
  /** The title of the header that opened the item: the instruction when no Instruction label came. */
  title?: string;
  raw: string[];
}

interface Grouped {
  items: Item[];
  chatterLines: number;
}

const textLine = (line: Line): TextLine => (line.kind === "text" ? line : { kind: "text", text: line.text, code: false });

/**
 * Walk the lines once. Labels open and fill items; separators, rules and headers close them;
 * text joins the open field. Text that joins no field (an intro, a remark between items, a
 * sign-off after the last one) is counted as chatter and dropped. When an item closes, chatter
 * paragraphs at the end of its last field are cut off and counted too.
 */
function groupItems(lines: Line[], nextNumber: number | undefined): Grouped {
  const items: Item[] = [];
  let chatterLines = 0;
  let item: Item | undefined;
  let pending: TextLine[] = [];
  let header: { number: number; title: string } | undefined;
  const countChatter = (dropped: readonly TextLine[]): void => {
    chatterLines += dropped.filter((line) => line.text.trim() !== "").length;
  };
  const close = (): void => {
    if (item) {
      chatterLines += trimClosingChatter(item);
      if (item.raw.join("\n").trim() !== "") items.push(item);
    }
    item = undefined;
    countChatter(pending);
    pending = [];
  };
  const open = (line: Line & { kind: "label" }): void => {
    const leading = pending;
    pending = [];
    close();
    const first = items.length === 0;
    const next: Item = { number: line.number ?? header?.number, fields: {}, raw: [] };
    if (header?.title) next.title = header.title;
    header = undefined;
    if (line.field !== "instruction") {
      const kept = withoutOpeningChatter(leading);
      countChatter(leading.slice(0, leading.length - kept.length));
      if (kept.some((l) => l.text.trim() !== "")) {
        // Text before an Input/Output label is that item's instruction: the reply continued the
        // prompt's last line (`4. Instruction:`), or a model left the label out.
        next.fields.instruction = { lines: kept };
        if (first) next.number ??= nextNumber;
        next.raw.push(...kept.map((l) => l.text));
      }
    } else {
      countChatter(leading);
    }
    next.fields[line.field] = { lines: [{ kind: "text", text: line.rest, code: false }] };
    next.current = line.field;
    if (line.text !== "") next.raw.push(line.text);
    item = next;
  };
  for (const line of lines) {
    if (line.kind === "separator" || line.kind === "rule" || line.kind === "header") {
      close();
      header = line.kind === "header" ? { number: line.number, title: line.title } : undefined;
      continue;
    }
    if (line.kind === "label") {
      if (item === undefined || startsNewItem(item, line)) {
        open(line);
      } else if (canTake(item, line.field)) {
        item.fields[line.field] = { lines: [{ kind: "text", text: line.rest, code: false }] };
        item.current = line.field;
        item.raw.push(line.text);
      } else {
        // A lower-numbered label inside a filled output ("2. Output:" in a list): content.
        item.fields[item.current!]!.lines.push(textLine(line));
        item.raw.push(line.text);
      }
      continue;
    }
    if (item?.current) {
      item.fields[item.current]!.lines.push(line);
      item.raw.push(line.text);
    } else {
      pending.push(line);
    }
  }
  close();
  return { items, chatterLines };
}

/**
 * A label opens a new item when it is an Instruction label, when nothing is open, or when it is
 * numbered above the open item (a later item whose Instruction label is missing). A lower or
 * equal number (e.g. `2. Output:` in an output's own numbered list) stays content.
 */
function startsNewItem(item: Item, line: Line & { kind: "label" }): boolean {
  if (line.field === "instruction") return true;
  if (line.number !== undefined && item.number !== undefined && line.number > item.number) return true;
  return item.fields.instruction === undefined && item.fields[line.field] !== undefined;
}

/** Input may follow only the instruction; Output may follow the instruction or the input. */
function canTake(item: Item, field: Field): boolean {
  if (item.fields.output !== undefined) return false;
  return field === "output" || item.fields.input === undefined;
}

/** Paragraphs (blank-line separated) of a field, code blocks kept whole. */
function paragraphStarts(lines: readonly TextLine[]): number[] {
  const starts: number[] = [];
  let previousBlank = true;
  lines.forEach((line, index) => {
    const blank = !line.code && line.text.trim() === "";
    if (!blank && previousBlank) starts.push(index);
    previousBlank = blank;
  });
  return starts;
}

/** Cut chatter paragraphs off the end of the item's last field; returns the non-blank lines cut. */
function trimClosingChatter(item: Item): number {
  const field = item.current === undefined ? undefined : item.fields[item.current];
  if (!field) return 0;
  let cut = 0;
  const starts = paragraphStarts(field.lines);
  // The first paragraph is the field's own text: never cut.
  for (let p = starts.length - 1; p >= 1; p--) {
    const start = starts[p]!;
    const first = field.lines[start]!;
    if (first.code || !isClosingChatter(first.text)) break;
    cut += field.lines.slice(start).filter((line) => line.text.trim() !== "").length;
    field.lines = field.lines.slice(0, start);
  }
  cut += trimLastLine(field);
  return cut;
}

/** A one-line sign-off glued to the last line of text ("Paris.\nI hope these tasks are helpful!"). */
function trimLastLine(field: FieldText): number {
  let last = field.lines.length - 1;
  while (last > 0 && field.lines[last]!.text.trim() === "") last--;
  if (last < 1) return 0;
  const line = field.lines[last]!;
  if (line.code || !isClosingChatter(line.text)) return 0;
  field.lines = field.lines.slice(0, last);
  return 1;
}

/** Opening chatter paragraphs before the text a continued reply gives as its instruction. */
function withoutOpeningChatter(lines: TextLine[]): TextLine[] {
  const starts = paragraphStarts(lines);
  let from = 0;
  for (let p = 0; p < starts.length - 1; p++) {
    const first = lines[starts[p]!]!;
    if (first.code || !isOpeningChatter(first.text)) break;
    from = starts[p + 1]!;
  }
  // A single line "Sure! Write a haiku about rain." keeps its instruction part.
  return lines.slice(from);
}

function toTask(item: Item): ParsedTask | UnparsedItem {
  const raw = item.raw.join("\n").trim();
  const { input, output } = item.fields;
  const instruction = item.fields.instruction === undefined ? item.title : joinField(item.fields.instruction) || item.title;
  if (instruction === undefined) return { raw, problem: "no Instruction label" };
  if (output === undefined) return { raw, problem: "no Output label" };
  if (instruction === "") return { raw, problem: "empty instruction" };
  const inputText = joinField(input);
  const task: ParsedTask = {
    instruction,
    input: isNoInputMarker(inputText) ? "" : inputText,
    output: joinField(output),
    raw,
  };
  if (item.number !== undefined) task.number = item.number;
  return task;
}

function joinField(field: FieldText | undefined): string {
  return field === undefined ? "" : field.lines.map((line) => line.text).join("\n").trim();
}

