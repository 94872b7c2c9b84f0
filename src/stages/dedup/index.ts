/**
 * The dedup stage: exact duplicates → MinHash LSH near-duplicates (whole record or instruction)
 * → ROUGE-L on the instruction (the Self-Instruct rule), greedy in input order: a record is
 * compared only with records kept before it (and with the seeds), and kept records are indexed.
 * `dedupRecords` works on records in memory; `dedupFile` (stream.ts) streams a file through
 * worker threads with the same decisions. Both decide chunk by chunk, with ROUGE-L's kept texts in
 * two shards (`rougeShards.ts`), so neither's output depends on the thread count.
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
  /** Threads for ROUGE-L (default 1; 2 or more: half of it on a worker, for inputs over one chunk). Same result for any count. */
  threads?: number;
}

/** Records decided per chunk (ROUGE-L checks a chunk against what was kept before it at once). */
const CHUNK_RECORDS = 2000;

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

export async function dedupRecords<T extends { record: AlpacaRecord }>(items: readonly T[], options: DedupOptions = {}): Promise<DedupResult<T>> {
  const field = options.field ?? "record";
  const rougeL = options.rougeL ?? 0.7;
  const minhash = options.minhash ?? 0.8;
  // One chunk or less gains nothing from a worker (it costs ~0.1 s to start); same result either way.
  const detector = new DuplicateDetector({ rougeL, minhash, rougeThreads: items.length <= CHUNK_RECORDS ? 1 : (options.threads ?? 1) });
  try {
    return await decideInChunks(items, detector, field, minhash, options.seeds ?? []);
  } finally {
    await detector.close();
  }
}

async function decideInChunks<T extends { record: AlpacaRecord }>(
  items: readonly T[],
  detector: DuplicateDetector,
  field: DedupField,
  minhash: number,
  seeds: ReadonlyArray<{ record: AlpacaRecord }>,
): Promise<DedupResult<T>> {
  const prepare = recordPreparer(field, minhash, detector.usesRouge);
  const refs: Ref[] = [];
  const keep = (input: DetectorInput, ref: Ref, at?: number): void => {
    detector.keep(input, at);
    refs.push(ref);
  };
  seeds.forEach((seed, index) => keep(prepare(seed.record), { source: "seed", index, record: seed.record }));
  const kept: T[] = [];
  const dropped: Array<DroppedItem<T>> = [];
  for (let start = 0; start < items.length; start += CHUNK_RECORDS) {
    const inputs = items.slice(start, start + CHUNK_RECORDS).map((item) => prepare(item.record));
    if (detector.usesRouge) await detector.beginChunk(inputs.map((input) => input.instruction));
    inputs.forEach((input, at) => {
      const index = start + at;
      const item = items[index]!;
      const duplicate = detector.find(input, at);
      if (duplicate === undefined) {
        keep(input, { source: "input", index, record: item.record }, at);
        kept.push(item);
        return;
      }
      const { source, index: of, record } = refs[duplicate.position]!;
      const text = duplicate.instruction ?? dedupText(record, field);
      dropped.push({ item, index, method: duplicate.method, duplicateOf: { source, index: of, text }, score: duplicate.score });
    });
  }
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
