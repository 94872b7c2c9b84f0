/**
 * Protection of text that translation must not touch. Before a request every protected span is
 * replaced by a sentinel `⟦n⟧`; after the reply the sentinels are put back. The white square
 * brackets are chosen because they never occur in ordinary text (no collision with the source),
 * carry no meaning a model would want to translate, and survive JSON and Traditional→Simplified
 * conversion untouched.
 *
 * What is protected, first match wins:
 *  - fenced code blocks, unfenced code (runs of lines that read as code), inline `code`;
 *  - URLs and e-mail addresses;
 *  - markdown table structure: the separator row whole, and every cell boundary pipe (with its
 *    padding). Cell TEXT is translated — a table of English words is useless in a Chinese record —
 *    while the structure is both sentinel-protected and checked row by row afterwards;
 *  - placeholders and template variables: `{name}`, `{{name}}`, `${VAR}`, `$VAR`, `%s`, `%(n)d`,
 *    `<noinput>`-style tags, HTML tags;
 *  - code identifiers in prose (snake_case, camelCase, `name(args)`, `obj.method`);
 *  - numbers with symbolic units (`5 km`, `3.5GB`, `25°C`, `10%`, `$100`). Unit WORDS
 *    ("10 miles") are left to the translator, since "10英里" is what a Chinese reader expects;
 *  - structured text found by shape (structured.ts): a field that is all JSON keeps everything
 *    but its prose string values, code lines by their punctuation, `key=value` tokens,
 *    CSV-like blocks, and table cells that another field of the record quotes (`literals`).
 */
import {
  csvBlocks,
  isCodeShaped,
  jsonEscape,
  KEY_VALUE,
  linesWithOffsets,
  literalSpans,
  markdownTables,
  quotedTableCells,
  translatableJsonValues,
  wholeJson,
  type JsonValueMode,
  type LineWithOffset,
  type Span,
} from "./structured.js";
export const SENTINEL_PATTERN = /⟦\s*(\d+)\s*⟧/g;

export interface ProtectedText {
  /** The text with every protected span replaced by its sentinel. */
  text: string;
  /** `spans[n]` is the original text of sentinel `⟦n⟧`. */
  spans: string[];
  /** The field is JSON: text between sentinels is string-literal content, escaped on restore. */
  json?: true;
}

export interface ProtectOptions {
  /** For a field that is entirely JSON: which string values are translated. Default "prose". */
  jsonValues?: JsonValueMode;
  /** Texts kept as they are wherever they occur (table cells another field quotes). */
  literals?: readonly string[];
}

export type RestoreResult =
  | { ok: true; text: string }
  | { ok: false; missing: string[]; duplicated: string[]; unknown: string[] };

export const sentinel = (index: number): string => `⟦${index}⟧`;

const FENCED_CODE = /^[ \t]*(```|~~~)[^\n]*\n[\s\S]*?\n[ \t]*\1[ \t]*$/gm;
const INLINE_CODE = /`[^`\n]+`/g;
const URL = /\b(?:https?|ftp):\/\/[^\s<>"'`）】，。]+[^\s<>"'`）】，。.,;:!?)]/g;
const WWW = /\bwww\.[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:\/[^\s<>"'`]*[^\s<>"'`.,;:!?)])?/gi;
const EMAIL = /\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/g;
const EXISTING_SENTINEL = /⟦\s*\d+\s*⟧/g;
const PLACEHOLDER = new RegExp(
  [
    String.raw`\{\{[^{}\n]{1,40}\}\}`, // {{ name }}
    String.raw`\$\{[^{}\n]{1,40}\}`, // ${VAR}
    String.raw`\{[A-Za-z_][\w.]{0,30}\}|\{\d{1,2}\}|\{\}`, // {name} {0} {}
    String.raw`\$[A-Z_][A-Z0-9_]*\b`, // $VAR
    String.raw`%(?:\([A-Za-z_]\w*\))?[-+ 0#]*\d*(?:\.\d+)?[sdifgexXorc%]\b`, // %s %d %(name)s %.2f
    String.raw`</?[A-Za-z][\w-]*(?:\s+[\w-]+(?:=(?:"[^"]*"|'[^']*'|[^\s>]+))?)*\s*/?>`, // <noinput> <br/> <a href="">
  ].join("|"),
  "g",
);
const IDENTIFIER = new RegExp(
  [
    String.raw`\b[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+\([^()\n]{0,60}\)`, // s.lower(), os.path.join(a, b)
    String.raw`\b[A-Za-z_]\w*\(\)`, // main()
    String.raw`\b[A-Za-z_]\w*\((?!s\))[\w.,"'\[\]=*+-]{1,40}\)`, // print(x), f(x,y) — not "file(s)" or "sugar (100 g)"
    String.raw`\b(?:[a-z][a-z0-9]*(?:_[a-z0-9]+)+|[a-z]+[A-Z][A-Za-z0-9]*)\([^()\n]{0,60}\)`, // get_user(id, name)
    String.raw`\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b`, // snake_case
    String.raw`\b[A-Za-z_]\w+(?:\.[A-Za-z_]\w+)+\b(?![.]?\s+[A-Z])`, // obj.attr, Node.js (not e.g., U.S. or a sentence end)
    String.raw`\b[a-z]+[A-Z][A-Za-z0-9]*\b`, // camelCase
  ].join("|"),
  "g",
);
/** Units written after a number with or without a space ("5 km", "3.5GB", "100 g"). */
const SPACED_UNIT = String.raw`(?:km|cm|mm|nm|µm|kg|mg|lbs?|oz|ml|mL|kWh|kW|MW|mA|Hz|kHz|MHz|GHz|KB|MB|GB|TB|PB|kB|Kb|Mb|Gb|bps|Mbps|Gbps|ms|µs|ns|°C|°F|px|pt|rem|dpi|fps|rpm|mph|km\/h|m\/s|g|m|l)`;
/** One-letter units only count attached ("9V", "10K"): "2 A" or "1980s" are not quantities. */
const ATTACHED_UNIT = String.raw`(?:A|V|W|K|L|h|°)`;
const NUMBER_WITH_UNIT = new RegExp(
  String.raw`(?:[$€£¥] ?\d[\d,]*(?:\.\d+)?(?: ?(?:million|billion|k|K|M|B)\b)?)|(?:\b\d[\d,]*(?:\.\d+)?(?: ?%| ?${SPACED_UNIT}(?![A-Za-z])|${ATTACHED_UNIT}(?![A-Za-z])))`,
  "g",
);

/** Patterns applied after the line-level passes, in priority order. */
const INLINE_PASSES: readonly RegExp[] = [EXISTING_SENTINEL, INLINE_CODE, URL, WWW, EMAIL, PLACEHOLDER, KEY_VALUE, IDENTIFIER, NUMBER_WITH_UNIT];

export function protect(text: string, options: ProtectOptions = {}): ProtectedText {
  if (wholeJson(text) !== undefined) return protectJson(text, options);
  const claimed: Span[] = [];
  const claim = (start: number, end: number): void => {
    if (end > start && !claimed.some((s) => start < s.end && s.start < end)) claimed.push({ start, end });
  };
  const fences = [...text.matchAll(FENCED_CODE)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
  for (const fence of fences) claim(fence.start, fence.end);
  const unfenced = blankOut(text, fences);
  for (const span of csvBlocks(unfenced)) claim(span.start, span.end);
  for (const span of unfencedCodeSpans(unfenced)) claim(span.start, span.end);
  for (const literal of options.literals ?? []) for (const span of literalSpans(text, literal)) claim(span.start, span.end);
  for (const span of tableStructureSpans(text)) claim(span.start, span.end);
  for (const pattern of INLINE_PASSES) {
    for (const match of text.matchAll(pattern)) claim(match.index, match.index + match[0].length);
  }
  claimed.sort((a, b) => a.start - b.start);

  const spans: string[] = [];
  let out = "";
  let cursor = 0;
  for (const { start, end } of claimed) {
    out += text.slice(cursor, start) + sentinel(spans.length);
    spans.push(text.slice(start, end));
    cursor = end;
  }
  return { text: out + text.slice(cursor), spans };
}

/**
 * A field that is all JSON: everything but the chosen string values' content is protected (as
 * few spans as possible), and those values are protected inside like any text. Spans found
 * inside a value are stored JSON-escaped, as they must appear in the literal.
 */
function protectJson(text: string, options: ProtectOptions): ProtectedText {
  const spans: string[] = [];
  let out = "";
  let cursor = 0;
  for (const slot of translatableJsonValues(text, options.jsonValues ?? "prose")) {
    out += sentinel(spans.length);
    spans.push(text.slice(cursor, slot.start));
    const inner = protect(slot.decoded, { literals: options.literals, jsonValues: "none" });
    out += inner.text.replace(SENTINEL_PATTERN, (_m, index: string) => sentinel(spans.length + Number(index)));
    spans.push(...inner.spans.map(jsonEscape));
    cursor = slot.end;
  }
  out += sentinel(spans.length);
  spans.push(text.slice(cursor));
  return { text: out, spans, json: true };
}

/** The protected form of each of `fields`, with the table cells another field quotes kept as they are. */
export function protectRecord<F extends string>(record: Readonly<Record<F, string>>, fields: readonly F[], options: Omit<ProtectOptions, "literals"> = {}): Map<F, ProtectedText> {
  const literals = quotedTableCells(record);
  return new Map(fields.map((field) => [field, protect(record[field], { ...options, literals })]));
}

/** The text with `spans` replaced by spaces (newlines kept), so offsets stay valid. */
function blankOut(text: string, spans: readonly Span[]): string {
  let out = text;
  for (const { start, end } of spans) out = out.slice(0, start) + text.slice(start, end).replace(/[^\n]/g, " ") + out.slice(end);
  return out;
}

/**
 * Put the spans back; every sentinel must appear exactly once and no other may appear. With
 * `json`, the text between sentinels is string-literal content and is JSON-escaped.
 */
export function restore(translated: string, spans: readonly string[], json = false): RestoreResult {
  const seen = new Map<number, number>();
  const unknown: string[] = [];
  for (const match of translated.matchAll(SENTINEL_PATTERN)) {
    const index = Number(match[1]);
    if (index >= spans.length) unknown.push(match[0]);
    seen.set(index, (seen.get(index) ?? 0) + 1);
  }
  const missing = spans.map((_, i) => i).filter((i) => !seen.has(i)).map(sentinel);
  const duplicated = [...seen].filter(([i, n]) => i < spans.length && n > 1).map(([i]) => sentinel(i));
  if (missing.length + duplicated.length + unknown.length > 0) return { ok: false, missing, duplicated, unknown };
  const gaps = translated.split(SENTINEL_PATTERN);
  // split() with one capture group alternates: gap, index, gap, index, …, gap.
  const text = gaps.map((part, i) => (i % 2 === 1 ? spans[Number(part)]! : json ? jsonEscape(part) : part)).join("");
  return { ok: true, text };
}

/** The text with its sentinels removed: what the language and length checks look at. */
export function withoutSentinels(text: string): string {
  return text.replace(SENTINEL_PATTERN, " ");
}

// ---------------------------------------------------------------------------------------------
// Unfenced code: Alpaca inputs and outputs often hold bare code, which plain translation mangled
// ("如果 len(s1) != len(s2): 返回假"). A run of code-looking lines is protected whole.

const CODE_LINE = new RegExp(
  [
    String.raw`^\s*(?:def|class|import|from\s+\S+\s+import|return|elif|else:|try:|except\b|finally:|with\s.+:|async\s+def|await\s|yield\b|lambda\b|raise\b|pass$|break$|continue$)`,
    String.raw`^\s*(?:function\b|const\s|let\s|var\s|public\s|private\s|protected\s|static\s|void\s|int\s+\w+\s*[=;(]|for\s*\(|while\s*\(|if\s*\(|switch\s*\(|#include|package\s|using\s|fn\s|func\s|impl\s)`,
    String.raw`^\s*(?:SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP|FROM|WHERE|GROUP BY|ORDER BY|JOIN|LEFT JOIN|VALUES)\b`,
    String.raw`^\s*(?:if|for|while)\s.*:\s*$`,
    String.raw`^\s*[\w.\[\]]+\s*(?:[+\-*/%]?=|==)\s*\S`, // assignment / comparison
    String.raw`^\s*[\w.]+\(.*\)\s*;?\s*$`, // a bare call
    String.raw`[;{}]\s*$`,
    String.raw`^\s*[}\])]`,
    String.raw`^\s*</?[a-zA-Z][\w-]*[^>]*>`,
  ].join("|"),
);

/** Comment lines belong to code only between code lines: "# Title" alone is a markdown heading. */
const COMMENT_LINE = /^\s*(?:#|\/\/)/;

/** Lines that a reader would take for prose even when a code pattern matches. */
const PROSE_LINE = /^\s*(?:[A-Z][a-z]+\s+){3,}[a-z]/;

function unfencedCodeSpans(text: string): Span[] {
  const lines = linesWithOffsets(text);
  const spans: Span[] = [];
  let runStart = -1;
  let codeLines = 0;
  let shaped = 0;
  const close = (endIndex: number): void => {
    // One isolated code-like line inside prose is more often prose ("x = 5, find y"); two or
    // more, a line dense with code punctuation, or a field that is nothing but code, is code.
    const wholeField = runStart === 0 && endIndex === lines.length;
    if (runStart >= 0 && (codeLines >= 2 || shaped >= 1 || (wholeField && codeLines >= 1))) {
      spans.push({ start: lines[runStart]!.start, end: lines[endIndex - 1]!.end });
    }
    runStart = -1;
    codeLines = 0;
    shaped = 0;
  };
  lines.forEach((line, i) => {
    const blank = line.text.trim() === "";
    const byShape = !blank && isCodeShaped(line.text);
    const code = byShape || (!blank && CODE_LINE.test(line.text) && !PROSE_LINE.test(line.text));
    const indentedContinuation = !blank && runStart >= 0 && (/^\s{2,}\S/.test(line.text) || COMMENT_LINE.test(line.text));
    if (code || indentedContinuation) {
      if (runStart < 0) runStart = i;
      codeLines++;
      if (byShape) shaped++;
    } else if (!(blank && runStart >= 0 && CODE_LINE.test(lines[i + 1]?.text ?? ""))) {
      close(i);
    }
  });
  close(lines.length);
  return spans;
}

// ---------------------------------------------------------------------------------------------
// Markdown tables: the separator row (`|---|:--:|`) is one span; each pipe with its padding is one.

function tableStructureSpans(text: string): Span[] {
  return markdownTables(linesWithOffsets(text)).flatMap(({ header, separator, body }) => [
    ...pipeSpans(header),
    { start: separator.start, end: separator.end },
    ...body.flatMap(pipeSpans),
  ]);
}

function pipeSpans(line: LineWithOffset): Span[] {
  const spans: Span[] = [];
  for (const match of line.text.matchAll(/[ \t]*\|[ \t]*/g)) spans.push({ start: line.start + match.index, end: line.start + match.index + match[0].length });
  return spans;
}

/** Pipe counts of every markdown table row, in order: the shape a translation must keep. */
export function tableShape(text: string): number[] {
  return markdownTables(text.split("\n")).flatMap(({ header, separator, body }) => [header, separator, ...body].map(countPipes));
}

const countPipes = (line: string): number => line.split("|").length - 1;
