/**
 * The dedup stage: exact duplicates → MinHash LSH near-duplicates (whole record or instruction)
 * → ROUGE-L on the instruction (the Self-Instruct rule), greedy in input order: a record is
 * compared only with records kept before it (and with the seeds), and kept records are indexed.
 * `dedupRecords` works on records in memory; `dedupFile` (stream.ts) streams a file through
 * worker threads with the same decisions.
 */
import type { AlpacaRecord } from "../../schemas.js";
import { exactFingerprint } from "../../text/exact.js";
import { LshSketcher } from "../../text/lsh.js";
import { DuplicateDetector, type DedupMethod, type DetectorInput } from "./detector.js";
import { dedupText, type DedupField } from "./text.js";

export { dedupText, type DedupField } from "./text.js";
export type { DedupMethod } from "./detector.js";

export interface DedupOptions {
  /** Drop when ROUGE-L F1 of the instruction > this (default 0.7); 0 turns ROUGE-L off. */
  rougeL?: number;
  /** Drop when shingle Jaccard ≥ this (default 0.8); 0 turns MinHash off. */
  minhash?: number;
  /** Text compared by exact and MinHash dedup (default "record": instruction + input + output). */
  field?: DedupField;
  /** Records every input is compared with first (e.g. the seed tasks); never dropped themselves. */
  seeds?: ReadonlyArray<{ record: AlpacaRecord }>;
}

export interface DuplicateOf {
  source: "input" | "seed";
  /** 0-based position in the input items or in the seeds. */
  index: number;
  /** The compared text of that record (instruction for ROUGE-L, the dedup field otherwise). */
  text: string;
}

export interface DroppedItem<T> {
  item: T;
  index: number;
  method: DedupMethod;
  duplicateOf: DuplicateOf;
  score: number;
}

export interface DedupResult<T> {
  kept: T[];
  dropped: Array<DroppedItem<T>>;
}

export interface Ref {
  source: "input" | "seed";
  index: number;
  record: AlpacaRecord;
}

export function dedupRecords<T extends { record: AlpacaRecord }>(items: readonly T[], options: DedupOptions = {}): DedupResult<T> {
  const field = options.field ?? "record";
  const rougeL = options.rougeL ?? 0.7;
  const minhash = options.minhash ?? 0.8;
  const detector = new DuplicateDetector({ rougeL, minhash });
  const prepare = recordPreparer(field, minhash, detector.usesRouge);
  const refs: Ref[] = [];
  const keep = (ref: Ref): void => {
    detector.keep(prepare(ref.record));
    refs.push(ref);
  };
  (options.seeds ?? []).forEach((seed, index) => keep({ source: "seed", index, record: seed.record }));
  const kept: T[] = [];
  const dropped: Array<DroppedItem<T>> = [];
  items.forEach((item, index) => {
    const duplicate = detector.find(prepare(item.record));
    if (duplicate === undefined) {
      keep({ source: "input", index, record: item.record });
      kept.push(item);
      return;
    }
    const { source, index: at, record } = refs[duplicate.position]!;
    const text = duplicate.instruction ?? dedupText(record, field);
    dropped.push({ item, index, method: duplicate.method, duplicateOf: { source, index: at, text }, score: duplicate.score });
  });
  return { kept, dropped };
}

/** In-thread preparation of one record, as `ChunkPreparer` does it for a chunk. */
export function recordPreparer(field: DedupField, minhash: number, rouge: boolean): (record: AlpacaRecord) => DetectorInput {
  const sketcher = minhash > 0 ? new LshSketcher({ threshold: minhash }) : undefined;
  return (record) => {
    const text = dedupText(record, field);
    const { high, low } = exactFingerprint(text);
    return { high, low, sketch: sketcher?.sketch(text), instruction: rouge ? record.instruction : undefined };
  };
}
