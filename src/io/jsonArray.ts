/**
 * Split the text of a top-level JSON array into the source text of its elements, with the
 * line each starts on. Parsing elements one by one lets an error name the record's line,
 * which `JSON.parse` of the whole array cannot.
 */
export interface ArrayElement {
  line: number;
  text: string;
}

export type SplitResult = { elements: ArrayElement[] } | { error: string; line: number };

export function splitJsonArray(text: string): SplitResult {
  const elements: ArrayElement[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let elementStart = -1;
  let elementLine = 0;
  let closed = false;

  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === "\n") line++;
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === "\\") escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (closed) {
      if (!/\s/.test(ch)) return { error: "unexpected text after the closing ']' of the JSON array", line };
      continue;
    }
    if (depth === 1 && elementStart === -1 && !/[\s,\]]/.test(ch)) {
      elementStart = i;
      elementLine = line;
    }
    if (ch === '"') inString = true;
    else if (ch === "[" || ch === "{") depth++;
    else if (ch === "]" || ch === "}") {
      depth--;
      if (depth < 0) return { error: `unbalanced '${ch}'`, line };
      if (depth === 0) closed = true;
    }
    const endsElement = (depth === 1 && ch === ",") || (depth === 0 && ch === "]");
    if (endsElement && elementStart !== -1) {
      elements.push({ line: elementLine, text: text.slice(elementStart, i) });
      elementStart = -1;
    }
  }
  if (!closed) return { error: "the JSON array is not closed (missing ']' — is the file truncated?)", line };
  return { elements };
}
