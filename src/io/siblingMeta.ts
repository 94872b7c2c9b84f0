/**
 * The previous stage's `meta.jsonl` beside a data file: what it recorded per record (finish
 * reasons, lineage, scores), for the next stage to use or hand on. Absent beside a plain Alpaca
 * file, which is fine: callers then go without.
 */
import { existsSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { UserError } from "../errors.js";
import { readJsonLines } from "./jsonl.js";

export type SiblingMetaLine = { id: string } & Record<string, unknown>;

/** Meta lines in file order (one per data line); `purpose` says in an error why the file is read. */
export function readSiblingMeta(dataPath: string, purpose: string): SiblingMetaLine[] {
  const metaPath = join(dirname(dataPath), "meta.jsonl");
  if (basename(dataPath) === "meta.jsonl" || !existsSync(metaPath)) return [];
  let values: unknown[];
  try {
    values = readJsonLines(metaPath).values;
  } catch (error) {
    throw new UserError(`${error instanceof Error ? error.message : String(error)} (${purpose}; move it aside to go without it)`);
  }
  return values.filter((value): value is SiblingMetaLine => typeof value === "object" && value !== null && typeof (value as { id?: unknown }).id === "string");
}
