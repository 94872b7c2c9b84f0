/** Reading the JSONL files a run appends to, tolerating exactly one kind of damage: a torn last line. */
import { existsSync, readFileSync } from "node:fs";

export interface JsonLines {
  /** Parsed values of the complete lines, in file order. */
  values: unknown[];
  /** True when the file ended in a line that was cut short (no newline, or not valid JSON). */
  tornTail: boolean;
}

export function readJsonLines(path: string): JsonLines {
  if (!existsSync(path)) return { values: [], tornTail: false };
  const text = readFileSync(path, "utf8");
  const lines = text.split("\n");
  // Every line we write ends in "\n"; anything after the last newline is a torn write.
  const tail = lines.pop() ?? "";
  const values: unknown[] = [];
  let tornTail = tail !== "";
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === "") continue;
    try {
      values.push(JSON.parse(line));
    } catch {
      if (i === lines.length - 1) tornTail = true;
      else throw new Error(`${path}:${i + 1}: corrupt line in the middle of a run file; move the run directory aside and start again`);
    }
  }
  return { values, tornTail };
}

export function toJsonLines(values: readonly unknown[]): string {
  let out = "";
  for (const value of values) out += `${JSON.stringify(value)}\n`;
  return out;
}
