/** Seed tasks for the generation prompt: Self-Instruct seed JSONL or plain Alpaca records. */
import { readRecordFile } from "../../io/records.js";
import { UserError } from "../../errors.js";
import type { TaskText } from "./rules.js";

export interface ExampleTask extends TaskText {
  /** Seed id (or `line-N` for Alpaca files), or `machine:<record id>` for generated examples. */
  id: string;
}

export async function loadSeeds(path: string, minimum: number): Promise<ExampleTask[]> {
  const file = await readRecordFile(path);
  const seeds = file.items.map((item) => ({ id: item.seedId ?? `line-${item.line}`, ...item.record }));
  if (seeds.length < minimum) {
    throw new UserError(`${path}: holds ${seeds.length} seed task(s) but --examples needs ${minimum}; add seeds or lower --examples`);
  }
  return seeds;
}
