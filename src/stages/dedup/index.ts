/**
 * The dedup stage: exact duplicates → MinHash LSH near-duplicates (whole record or instruction)
 * → ROUGE-L on the instruction (the Self-Instruct rule), greedy in input order: a record is
 * compared only with records kept before it (and with the seeds), and kept records are indexed.
 */
import type { AlpacaRecord } from "../../schemas.js";
import { ExactIndex, normalizeForExact } from "../../text/exact.js";
import { MinHashLsh } from "../../text/lsh.js";
import { RougeFilter } from "../../text/rougeFilter.js";

export type DedupMethod = "exact" | "minhash" | "rouge-l";
export type DedupField = "record" | "instruction";

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

export function dedupText(record: AlpacaRecord, field: DedupField): string {
  return field === "instruction" ? record.instruction : `${record.instruction}\n${record.input}\n${record.output}`;
}

export function dedupRecords<T extends { record: AlpacaRecord }>(items: readonly T[], options: DedupOptions = {}): DedupResult<T> {
  const detector = new DuplicateDetector(options);
  (options.seeds ?? []).forEach((seed, index) => detector.keep({ source: "seed", index, record: seed.record }));
  const kept: T[] = [];
  const dropped: Array<DroppedItem<T>> = [];
  items.forEach((item, index) => {
    const ref: Ref = { source: "input", index, record: item.record };
    const duplicate = detector.findDuplicate(ref);
    if (duplicate) {
      dropped.push({ item, index, ...duplicate });
      return;
    }
    detector.keep(ref);
    kept.push(item);
  });
  return { kept, dropped };
}

/** The three indexes behind one `keep` / `findDuplicate` pair, all keyed by positions in `refs` (the filter's Deita selection reuses it). */
export class DuplicateDetector {
  private readonly field: DedupField;
  private readonly refs: Ref[] = [];
  private readonly exact = new ExactIndex<number>();
  private readonly lsh: MinHashLsh<number> | undefined;
  private readonly rouge: RougeFilter<number> | undefined;

  constructor(options: DedupOptions) {
    this.field = options.field ?? "record";
    const rougeL = checkThreshold("ROUGE-L", options.rougeL ?? 0.7);
    const minhash = checkThreshold("MinHash", options.minhash ?? 0.8);
    this.lsh = minhash > 0 ? new MinHashLsh<number>({ threshold: minhash }) : undefined;
    this.rouge = rougeL > 0 ? new RougeFilter<number>({ threshold: rougeL }) : undefined;
  }

  findDuplicate(ref: Ref): Omit<DroppedItem<never>, "item" | "index"> | undefined {
    const text = dedupText(ref.record, this.field);
    const exactMatch = this.exactMatch(text);
    if (exactMatch !== undefined) return { method: "exact", duplicateOf: this.describe(exactMatch, "field"), score: 1 };
    const near = this.lsh?.query(text);
    if (near) return { method: "minhash", duplicateOf: this.describe(near.id, "field"), score: near.score };
    const verdict = this.rouge?.check(ref.record.instruction);
    if (verdict?.similar) return { method: "rouge-l", duplicateOf: this.describe(verdict.similar.id, "instruction"), score: verdict.similar.score };
    return undefined;
  }

  keep(ref: Ref): void {
    const position = this.refs.length;
    this.refs.push(ref);
    const text = dedupText(ref.record, this.field);
    this.exact.add(position, text);
    this.lsh?.add(position, text);
    this.rouge?.add(ref.record.instruction, position);
  }

  /** A fingerprint hit, confirmed on the texts (the fingerprint alone could collide). */
  private exactMatch(text: string): number | undefined {
    const position = this.exact.find(text);
    if (position === undefined) return undefined;
    const other = dedupText(this.refs[position]!.record, this.field);
    return normalizeForExact(other) === normalizeForExact(text) ? position : undefined;
  }

  private describe(position: number, compared: "field" | "instruction"): DuplicateOf {
    const { source, index, record } = this.refs[position]!;
    return { source, index, text: compared === "instruction" ? record.instruction : dedupText(record, this.field) };
  }
}

function checkThreshold(name: string, value: number): number {
  if (!(value >= 0 && value <= 1)) throw new RangeError(`${name} threshold must be between 0 and 1 (0 turns it off), got ${value}`);
  return value;
}
