/**
 * Structured text that is not fenced, found by shape so that translation leaves it intact:
 *  - a field that is entirely JSON (it parses): keys, numbers, punctuation and non-prose string
 *    values are protected; only prose string values are sent (configurable: `jsonValues`), and
 *    their translations are JSON-escaped on the way back, so the field still parses;
 *  - lines of code by their shape (density of code punctuation), even one line inside prose;
 *  - `key=value` tokens, and CSV-like blocks (consecutive lines with the same number of
 *    commas, semicolons or tabs, short cells);
 *  - cells of a markdown or CSV table that another field of the same record quotes: kept as
 *    they are in both fields, so the output still names what the input's table holds.
 * Pure text functions; protect.ts applies them.
 */
import { z } from "zod";
import { escapeRegExp } from "../../text/regex.js";

/** Which string values of a JSON field are translated: prose only (default), all with letters, or none. */
export const JSON_VALUE_MODES = ["prose", "all", "none"] as const;
export const JsonValueMode = z.enum(JSON_VALUE_MODES);
export type JsonValueMode = z.infer<typeof JsonValueMode>;

export interface Span {
  start: number;
  end: number;
}

// --- JSON ------------------------------------------------------------------------------------

/** The parsed value when the whole text is a JSON object or array, else undefined. */
export function wholeJson(text: string): unknown {
  const trimmed = text.trim();
  if (!/^[[{]/.test(trimmed) || !/[\]}]$/.test(trimmed)) return undefined;
  try {
    const value: unknown = JSON.parse(trimmed);
    return typeof value === "object" && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

const JSON_STRING = /"(?:[^"\\\n]|\\.)*"/g;
const URLISH = /^(?:[a-z][\w+.-]*:\/\/|www\.|[\w.+-]+@[\w-]+\.)/i;

/** Prose: at least two words of letters, and not a URL, an e-mail, a path or an identifier. */
export function isProseValue(value: string): boolean {
  if (URLISH.test(value.trim()) || /^[\w./\\-]+$/.test(value.trim())) return false;
  return (value.match(/\p{L}{2,}/gu)?.length ?? 0) >= 2 || /\p{Script=Han}/u.test(value);
}

/** A string literal of a JSON text that translation may rewrite: its content's offsets and decoded text. */
export interface JsonValueSlot {
  /** Offsets of the content, inside the quotes. */
  start: number;
  end: number;
  decoded: string;
}

/** The string values (not keys) of JSON `text` to translate under `mode`. */
export function translatableJsonValues(text: string, mode: JsonValueMode): JsonValueSlot[] {
  if (mode === "none") return [];
  const slots: JsonValueSlot[] = [];
  for (const match of text.matchAll(JSON_STRING)) {
    const after = text.slice(match.index + match[0].length).match(/^\s*(.)/)?.[1];
    if (after === ":") continue; // a key
    const decoded = JSON.parse(match[0]) as string;
    const wanted = mode === "all" ? /\p{L}/u.test(decoded) : isProseValue(decoded);
    if (wanted) slots.push({ start: match.index + 1, end: match.index + match[0].length - 1, decoded });
  }
  return slots;
}

/** Text as it must appear inside a JSON string literal. */
export const jsonEscape = (text: string): string => JSON.stringify(text).slice(1, -1);

// --- code lines by shape ---------------------------------------------------------------------

const CODE_PUNCTUATION = /[(){}[\];=<>]|==|!=|=>|->|&&|\|\||\+\+|::/g;

/** Space-separated words of letters only (a trailing comma or full stop allowed): what prose is made of. */
const PLAIN_WORD = /^\p{L}{2,}[,.;:!?]?$/u;

/**
 * A line shaped like code: several code punctuation marks, dense among its characters, and few
 * plain words — no run of five, fewer than eight in all (string literals aside), so a sentence
 * with placeholders or a formula ("f(x) = 2x + 1, where x is …") stays prose.
 */
export function isCodeShaped(line: string): boolean {
  const text = line.trim();
  if (text.length < 6) return false;
  const marks = text.match(CODE_PUNCTUATION)?.length ?? 0;
  if (marks < 3 || marks / text.replace(/\s/g, "").length < 0.12) return false;
  const words = text.replace(/"[^"]*"|'[^']*'/g, " ").split(/\s+/);
  let run = 0;
  let plain = 0;
  for (const word of words) {
    run = PLAIN_WORD.test(word) ? run + 1 : 0;
    if (run > 0) plain++;
    if (run >= 5) return false;
  }
  return plain < 8;
}

// --- key=value and CSV-like blocks ------------------------------------------------------------

/** `name=value` written as one token: a setting, a query parameter, a CLI option. */
export const KEY_VALUE = /(?<![\w=])[A-Za-z_][\w.-]*=(?:"[^"\n]*"|'[^'\n]*'|[^\s,;)]+)/g;

const SEPARATORS = [",", ";", "\t"] as const;

export interface LineWithOffset {
  text: string;
  start: number;
  end: number;
}

export function linesWithOffsets(text: string): LineWithOffset[] {
  const lines: LineWithOffset[] = [];
  let start = 0;
  for (const line of text.split("\n")) {
    lines.push({ text: line, start, end: start + line.length });
    start += line.length + 1;
  }
  return lines;
}

/** Cells of a CSV-like line, or undefined when the line is prose (a long cell, a sentence end). */
function csvCells(line: string, separator: string): string[] | undefined {
  if (!line.includes(separator) || /[.!?。！？]\s*$/.test(line.trim())) return undefined;
  const cells = line.split(separator).map((cell) => cell.trim());
  const short = cells.every((cell) => cell.length <= 40 && cell.split(/\s+/).length <= 5);
  return short && cells.length >= 2 ? cells : undefined;
}

/** Runs of at least two lines with the same separator count: a header and rows of data. */
export function csvBlocks(text: string): Array<Span & { cells: string[] }> {
  const lines = linesWithOffsets(text);
  const blocks: Array<Span & { cells: string[] }> = [];
  for (let i = 0; i < lines.length; ) {
    let best: { separator: string; rows: number } | undefined;
    for (const separator of SEPARATORS) {
      const width = csvCells(lines[i]!.text, separator)?.length;
      if (width === undefined) continue;
      let rows = 1;
      while (i + rows < lines.length && csvCells(lines[i + rows]!.text, separator)?.length === width) rows++;
      if (rows >= 2 && (!best || rows > best.rows)) best = { separator, rows };
    }
    if (!best) {
      i++;
      continue;
    }
    const rows = lines.slice(i, i + best.rows);
    blocks.push({ start: rows[0]!.start, end: rows.at(-1)!.end, cells: rows.flatMap((row) => csvCells(row.text, best.separator)!) });
    i += best.rows;
  }
  return blocks;
}

// --- table cells quoted by another field ------------------------------------------------------

const TABLE_SEPARATOR_ROW = /^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)+\|?\s*$/;

/** The markdown tables among `lines`: the header row, the separator row (`|---|:--:|`), and the body rows. */
export function markdownTables<L extends string | LineWithOffset>(lines: readonly L[]): Array<{ header: L; separator: L; body: L[] }> {
  const textOf = (line: L): string => (typeof line === "string" ? line : line.text);
  const tables: Array<{ header: L; separator: L; body: L[] }> = [];
  for (let i = 1; i < lines.length; i++) {
    if (!TABLE_SEPARATOR_ROW.test(textOf(lines[i]!)) || !textOf(lines[i - 1]!).includes("|")) continue;
    const body: L[] = [];
    let row = i + 1;
    while (row < lines.length && textOf(lines[row]!).includes("|")) body.push(lines[row++]!);
    tables.push({ header: lines[i - 1]!, separator: lines[i]!, body });
    i = row - 1;
  }
  return tables;
}

/** Cell texts of the markdown tables in `text` (header and body rows). */
export function markdownTableCells(text: string): string[] {
  return markdownTables(text.split("\n")).flatMap(({ header, body }) =>
    [header, ...body].flatMap((line) => line.replace(/^\s*\|/, "").replace(/\|\s*$/, "").split("|").map((cell) => cell.trim())),
  );
}

/** A cell worth keeping identical: has a letter, more than one character, and is not a bare number. */
const isQuotableCell = (cell: string): boolean => cell.length >= 2 && /\p{L}/u.test(cell) && !/^[\d\s.,%$€£¥+-]+$/.test(cell);

/** Where `literal` occurs in `text` as a whole word (Latin edges) or anywhere (CJK). */
export function literalSpans(text: string, literal: string): Span[] {
  const escaped = escapeRegExp(literal);
  const left = /^[\p{L}\p{N}_]/u.test(literal) && !/^\p{Script=Han}/u.test(literal) ? String.raw`(?<![\p{L}\p{N}_])` : "";
  const right = /[\p{L}\p{N}_]$/u.test(literal) && !/\p{Script=Han}$/u.test(literal) ? String.raw`(?![\p{L}\p{N}_])` : "";
  return [...text.matchAll(new RegExp(`${left}${escaped}${right}`, "gu"))].map((m) => ({ start: m.index, end: m.index + m[0].length }));
}

/**
 * Table cells (markdown or CSV) of any of `fields` that another of them quotes: these must read
 * the same in both after translation, so they are kept as they are. Longest first, so "New York
 * City" is claimed before "New York".
 */
export function quotedTableCells(fields: Readonly<Record<string, string>>): string[] {
  const names = Object.keys(fields);
  const quoted = new Set<string>();
  for (const name of names) {
    const text = fields[name]!;
    const cells = [...markdownTableCells(text), ...csvBlocks(text).flatMap((block) => block.cells)].filter(isQuotableCell);
    for (const cell of new Set(cells)) {
      if (names.some((other) => other !== name && literalSpans(fields[other]!, cell).length > 0)) quoted.add(cell);
    }
  }
  return [...quoted].sort((a, b) => b.length - a.length);
}
