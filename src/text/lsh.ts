/**
 * MinHash LSH index for near-duplicate detection, built to hold millions of records:
 * per record it keeps only its sorted shingle hashes (for the exact Jaccard check) and one
 * chain link per band; band hashes live in open-addressing tables of typed arrays. No strings.
 */
import { murmur3Ints } from "./hash.js";
import { MinHasher } from "./minhash.js";
import { jaccard, shingleHashes, type ShingleOptions } from "./shingle.js";
import { withRoomInt32, withRoomUint32 } from "./typedArrays.js";

export interface LshOptions extends ShingleOptions {
  /** Accept a candidate when its exact shingle Jaccard is ≥ threshold (default 0.8). */
  threshold?: number;
  /** Permutations available (default 128); bands × rows ≤ numPerm are used. */
  numPerm?: number;
  /** Weight of false negatives vs false positives when choosing bands × rows (default 0.9). */
  falseNegativeWeight?: number;
  seed?: number;
}

export interface LshMatch<Id> {
  id: Id;
  /** Exact Jaccard similarity of the shingle sets. */
  score: number;
}

export interface BandLayout {
  bands: number;
  rows: number;
}

/** P(candidate) for similarity s with b bands of r rows: 1 − (1 − s^r)^b. */
export function candidateProbability(similarity: number, { bands, rows }: BandLayout): number {
  return 1 - Math.pow(1 - Math.pow(similarity, rows), bands);
}

/**
 * Bands × rows minimising w·(false negative area above the threshold) + (1−w)·(false positive
 * area below it), integrated over similarity — the standard choice (as in datasketch), with the
 * weight tilted to false negatives: a missed duplicate is lost for good, while a false candidate
 * only costs one exact Jaccard check.
 */
export function chooseBands(threshold: number, numPerm: number, falseNegativeWeight = 0.9): BandLayout {
  let best: BandLayout & { cost: number } = { bands: 1, rows: numPerm, cost: Infinity };
  for (let bands = 1; bands <= numPerm; bands++) {
    for (let rows = 1; bands * rows <= numPerm; rows++) {
      const layout = { bands, rows };
      const falsePositive = integrate((s) => candidateProbability(s, layout), 0, threshold);
      const falseNegative = integrate((s) => 1 - candidateProbability(s, layout), threshold, 1);
      const cost = (1 - falseNegativeWeight) * falsePositive + falseNegativeWeight * falseNegative;
      if (cost < best.cost) best = { bands, rows, cost };
    }
  }
  return { bands: best.bands, rows: best.rows };
}

function integrate(f: (x: number) => number, from: number, to: number, steps = 200): number {
  const width = (to - from) / steps;
  let sum = 0;
  for (let i = 0; i < steps; i++) sum += f(from + (i + 0.5) * width);
  return sum * width;
}

/** One band's table: band hash → most recent record, chained through `next`. */
class BandTable {
  private keys = new Uint32Array(1024);
  /** record index + 1; 0 marks an empty slot. */
  private heads = new Int32Array(1024);
  private used = 0;

  head(key: number): number {
    const slot = this.find(key);
    return this.heads[slot]! - 1;
  }

  /** Make `record` the chain head for `key`; returns the previous head (-1 if none). */
  push(key: number, record: number): number {
    if ((this.used + 1) * 4 > this.keys.length * 3) this.grow();
    const slot = this.find(key);
    const previous = this.heads[slot]! - 1;
    if (previous < 0) {
      this.used++;
      this.keys[slot] = key;
    }
    this.heads[slot] = record + 1;
    return previous;
  }

  private find(key: number): number {
    const mask = this.keys.length - 1;
    let slot = Math.imul(key, 0x9e3779b1) >>> 0 & mask;
    while (this.heads[slot] !== 0 && this.keys[slot] !== key) slot = (slot + 1) & mask;
    return slot;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldHeads = this.heads;
    this.keys = new Uint32Array(oldKeys.length * 2);
    this.heads = new Int32Array(oldKeys.length * 2);
    for (let i = 0; i < oldKeys.length; i++) {
      if (oldHeads[i] === 0) continue;
      const slot = this.find(oldKeys[i]!);
      this.keys[slot] = oldKeys[i]!;
      this.heads[slot] = oldHeads[i]!;
    }
  }
}

interface Prepared {
  text: string;
  shingles: Uint32Array;
  bandKeys: Uint32Array;
}

export class MinHashLsh<Id = string> {
  readonly threshold: number;
  readonly layout: BandLayout;
  private readonly shingleOptions: ShingleOptions;
  private readonly hasher: MinHasher;
  private readonly tables: BandTable[];
  private readonly ids: Id[] = [];
  private next: Int32Array = new Int32Array(1024);
  private shinglePool: Uint32Array = new Uint32Array(4096);
  private shingleStarts: Uint32Array = new Uint32Array(1025);
  private visited: Int32Array = new Int32Array(1024);
  private queryStamp = 0;
  private lastPrepared: Prepared | undefined;

  constructor(options: LshOptions = {}) {
    this.threshold = options.threshold ?? 0.8;
    if (!(this.threshold > 0 && this.threshold <= 1)) throw new RangeError(`MinHash threshold must be in (0, 1], got ${this.threshold}`);
    const numPerm = options.numPerm ?? 128;
    this.layout = chooseBands(this.threshold, numPerm, options.falseNegativeWeight);
    this.hasher = new MinHasher(this.layout.bands * this.layout.rows, options.seed);
    this.tables = Array.from({ length: this.layout.bands }, () => new BandTable());
    this.shingleOptions = { wordNgram: options.wordNgram, cjkNgram: options.cjkNgram };
  }

  get size(): number {
    return this.ids.length;
  }

  /** The most similar indexed record with Jaccard ≥ threshold (earliest on ties), or undefined. */
  query(text: string): LshMatch<Id> | undefined {
    const { shingles, bandKeys } = this.prepare(text);
    if (shingles.length === 0) return undefined;
    const stamp = ++this.queryStamp;
    let bestRecord = -1;
    let bestScore = -1;
    for (let band = 0; band < this.tables.length; band++) {
      for (let record = this.tables[band]!.head(bandKeys[band]!); record >= 0; record = this.next[record * this.tables.length + band]!) {
        if (this.visited[record] === stamp) continue;
        this.visited[record] = stamp;
        const start = this.shingleStarts[record]!;
        const score = jaccard(this.shinglePool, shingles, start, this.shingleStarts[record + 1]! - start);
        if (score > bestScore || (score === bestScore && record < bestRecord)) {
          bestScore = score;
          bestRecord = record;
        }
      }
    }
    return bestScore >= this.threshold ? { id: this.ids[bestRecord]!, score: bestScore } : undefined;
  }

  /** Index a record. Texts without any token are kept out of the bands (they match nothing). */
  add(id: Id, text: string): void {
    const { shingles, bandKeys } = this.prepare(text);
    const record = this.ids.length;
    this.ids.push(id);
    this.storeShingles(record, shingles);
    this.visited = withRoomInt32(this.visited, record + 1);
    if (shingles.length === 0) return;
    const bands = this.tables.length;
    this.next = withRoomInt32(this.next, (record + 1) * bands);
    for (let band = 0; band < bands; band++) this.next[record * bands + band] = this.tables[band]!.push(bandKeys[band]!, record);
  }

  private storeShingles(record: number, shingles: Uint32Array): void {
    const start = this.shingleStarts[record]!;
    this.shinglePool = withRoomUint32(this.shinglePool, start + shingles.length);
    this.shinglePool.set(shingles, start);
    this.shingleStarts = withRoomUint32(this.shingleStarts, record + 2);
    this.shingleStarts[record + 1] = start + shingles.length;
  }

  /** Shingles and band keys of `text`, cached so `query` then `add` of the same text hashes once. */
  private prepare(text: string): Prepared {
    if (this.lastPrepared?.text === text) return this.lastPrepared;
    const shingles = shingleHashes(text, this.shingleOptions);
    const signature = this.hasher.signature(shingles);
    const { bands, rows } = this.layout;
    const bandKeys = new Uint32Array(bands);
    for (let band = 0; band < bands; band++) bandKeys[band] = murmur3Ints(signature, band * rows, rows, band);
    this.lastPrepared = { text, shingles, bandKeys };
    return this.lastPrepared;
  }
}
