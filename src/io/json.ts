/** Reading JSON that may be missing or damaged, where the caller decides what damage means. */
import { existsSync, readFileSync } from "node:fs";

/** The parsed value, or undefined when `text` is not JSON (JSON itself has no undefined). */
export function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A JSON file's value: undefined when it does not exist, `unreadable` when it cannot be read or parsed. */
export function readJsonIfPresent(path: string): { path: string; unreadable: true } | { path: string; value: unknown } | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return { path, value: JSON.parse(readFileSync(path, "utf8")) };
  } catch {
    return { path, unreadable: true };
  }
}
