/**
 * The ordered half of dedup: exact fingerprint → MinHash LSH → ROUGE-L on the instruction, each
 * against the records kept before (seeds first). It takes what `ChunkPreparer` computed, so the
 * only work left on the ordered path is looking up and inserting.
 */
import { FingerprintTable } from "../../text/exact.js";
import { MinHashLsh, type LshSketch, type ShingleStore } from "../../text/lsh.js";
import { RougeFilter } from "../../text/rougeFilter.js";
import { ChunkedRouge, createRougeShards } from "./rougeShards.js";

export type DedupMethod = "exact" | "minhash" | "rouge-l";

export interface DetectorOptions {
  /** Drop when ROUGE-L F1 of the instruction > this; 0 turns ROUGE-L off. */
  rougeL: number;
  /** Drop when shingle Jaccard ≥ this; 0 turns MinHash off. */
  minhash: number;
  /** Where the LSH index keeps kept records' shingles (default: in memory). */
  shingleStore?: ShingleStore;
  /**
   * ROUGE-L chunk by chunk on this many threads (`ChunkedRouge`: call `beginChunk` before each
   * chunk's `find`s); without it, one filter in this thread, record by record.
   */
  rougeThreads?: number;
}

/** One record, prepared: fingerprint halves, sketch (MinHash on) and instruction (ROUGE-L on). */
export interface DetectorInput {
  high: number;
  low: number;
  sketch: LshSketch | undefined;
  instruction: string | undefined;
}

export interface Duplicate {
  method: DedupMethod;
  /** Position of the kept record it duplicates (0, 1, 2 … in `keep` order). */
  position: number;
  score: number;
  /** ROUGE-L only: the kept instruction it scored against. */
  instruction?: string;
}

export class DuplicateDetector {
  private readonly exact = new FingerprintTable();
  private readonly lsh: MinHashLsh<number> | undefined;
  private readonly rouge: RougeFilter<number> | undefined;
  private readonly chunkedRouge: ChunkedRouge | undefined;
  private kept = 0;

  constructor(options: DetectorOptions) {
    const rougeL = checkThreshold("ROUGE-L", options.rougeL);
    const minhash = checkThreshold("MinHash", options.minhash);
    this.lsh = minhash > 0 ? new MinHashLsh<number>({ threshold: minhash, shingleStore: options.shingleStore }) : undefined;
    if (rougeL > 0 && options.rougeThreads !== undefined) this.chunkedRouge = new ChunkedRouge(createRougeShards(rougeL, options.rougeThreads), rougeL);
    else if (rougeL > 0) this.rouge = new RougeFilter<number>({ threshold: rougeL });
  }

  get usesMinhash(): boolean {
    return this.lsh !== undefined;
  }

  get usesRouge(): boolean {
    return this.rouge !== undefined || this.chunkedRouge !== undefined;
  }

  /** Chunked ROUGE-L: check the next chunk's instructions against everything kept so far. */
  async beginChunk(instructions: ReadonlyArray<string | undefined>): Promise<void> {
    await this.chunkedRouge?.begin(instructions);
  }

  async close(): Promise<void> {
    await this.chunkedRouge?.close();
  }

  /** Size the indexes for about `records` kept records up front (an estimate; they still grow past it). */
  reserve(records: number): void {
    this.exact.reserve(records);
    this.lsh?.reserve(records);
  }

  /** A kept record `input` duplicates; `at`: its place in the current chunk (chunked ROUGE-L). */
  find(input: DetectorInput, at = 0): Duplicate | undefined {
    const exact = this.exact.find(input.high, input.low);
    if (exact >= 0) return { method: "exact", position: exact, score: 1 };
    const near = input.sketch && this.lsh?.querySketch(input.sketch);
    if (near) return { method: "minhash", position: near.id, score: near.score };
    const similar = input.instruction === undefined ? undefined : this.rougeWitness(input.instruction, at);
    if (similar) return { method: "rouge-l", position: similar.id, score: similar.score, instruction: similar.text };
    return undefined;
  }

  /** Index a kept record (`at`: its place in the current chunk, for chunked ROUGE-L; none for seeds); returns its position. */
  keep(input: DetectorInput, at?: number): number {
    const position = this.kept++;
    this.exact.add(input.high, input.low, position);
    if (input.sketch) this.lsh?.addSketch(position, input.sketch);
    if (input.instruction !== undefined) {
      this.rouge?.add(input.instruction, position);
      this.chunkedRouge?.keep(position, input.instruction, at);
    }
    return position;
  }

  private rougeWitness(instruction: string, at: number): { id: number; score: number; text: string } | undefined {
    return this.chunkedRouge ? this.chunkedRouge.find(at) : this.rouge?.check(instruction).similar;
  }
}

export function checkThreshold(name: string, value: number): number {
  if (!(value >= 0 && value <= 1)) throw new RangeError(`${name} threshold must be between 0 and 1 (0 turns it off), got ${value}`);
  return value;
}
