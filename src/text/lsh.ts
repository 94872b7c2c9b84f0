/**
 * MinHash LSH index for near-duplicate detection, built to hold millions of records:
 * per record it keeps only its sorted shingle hashes (for the exact Jaccard check) and one
 * chain link per band; band hashes live in open-addressing tables of typed arrays. No strings.
 */
import { murmur3Ints } from "./hash.js";
import { MinHasher } from "./minhash.js";
import { jaccard, shingleHashes, type ShingleOptions } from "./shingle.js";
import { withRoomInt32 } from "./typedArrays.js";

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
  // Computing it takes ~100 ms (8K layouts × 400 integration steps); each thread's sketcher and index asks for it.
  const key = `${threshold}/${numPerm}/${falseNegativeWeight}`;
  let layout = chosenLayouts.get(key);
  if (layout === undefined) chosenLayouts.set(key, (layout = searchBands(threshold, numPerm, falseNegativeWeight)));
  return { ...layout };
}

const chosenLayouts = new Map<string, BandLayout>();

function searchBands(threshold: number, numPerm: number, falseNegativeWeight: number): BandLayout {
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

/**
 * One band's table: band hash → most recent record, chained through `next`. Key and head sit
 * side by side in one array, so a lookup in a table of millions touches one cache line, not two
 * (at 10M records the band tables are most of the main thread's memory stalls).
 */
class BandTable {
  /** Per slot: key, then record index + 1 (0 marks an empty slot). */
  private slots = new Int32Array(2 * 1024);
  private used = 0;

  /** Make room for one more key, so a slot found now stays valid for the `replaceAt` that may follow. */
  reserveOne(): void {
    this.reserve(this.used + 1);
  }

  /** Grow (never shrink) to hold `keys` keys at ≤ 3/4 load. */
  reserve(keys: number): void {
    let capacity = this.slots.length / 2;
    while (keys * 4 > capacity * 3) capacity *= 2;
    if (capacity > this.slots.length / 2) this.resize(capacity);
  }

  /** The slot holding `key` (a uint32, stored as int32), or the empty slot where it would go. */
  slotOf(key: number): number {
    const slots = this.slots;
    const stored = key | 0;
    const mask = slots.length / 2 - 1;
    let slot = Math.imul(key, 0x9e3779b1) >>> 0 & mask;
    while (slots[2 * slot + 1] !== 0 && slots[2 * slot] !== stored) slot = (slot + 1) & mask;
    return slot;
  }

  /** The chain head in `slot` (-1 if empty). */
  headAt(slot: number): number {
    return this.slots[2 * slot + 1]! - 1;
  }

  /** Make `record` the chain head in `slot` (found by `slotOf(key)` since the last growth); returns the previous head. */
  replaceAt(slot: number, key: number, record: number): number {
    const previous = this.slots[2 * slot + 1]! - 1;
    if (previous < 0) {
      this.used++;
      this.slots[2 * slot] = key;
    }
    this.slots[2 * slot + 1] = record + 1;
    return previous;
  }

  /** Rehash into `capacity` slots (a power of two). */
  private resize(capacity: number): void {
    const old = this.slots;
    this.slots = new Int32Array(2 * capacity);
    for (let at = 0; at < old.length; at += 2) {
      if (old[at + 1] === 0) continue;
      const slot = this.slotOf(old[at]!);
      this.slots[2 * slot] = old[at]!;
      this.slots[2 * slot + 1] = old[at + 1]!;
    }
  }
}

/** A record as the index sees it: its sorted distinct shingle hashes and one key per band. */
export interface LshSketch {
  shingles: Uint32Array;
  bandKeys: Uint32Array;
}

/**
 * Text → sketch, with nothing but the options as state: the same options give the same sketch
 * in any thread, so sketches can be computed in workers and fed to `MinHashLsh.querySketch`.
 */
export class LshSketcher {
  readonly layout: BandLayout;
  private readonly shingleOptions: ShingleOptions;
  private readonly hasher: MinHasher;
  private readonly signature: Uint32Array;

  constructor(options: LshOptions = {}) {
    const threshold = options.threshold ?? 0.8;
    if (!(threshold > 0 && threshold <= 1)) throw new RangeError(`MinHash threshold must be in (0, 1], got ${threshold}`);
    this.layout = chooseBands(threshold, options.numPerm ?? 128, options.falseNegativeWeight);
    this.hasher = new MinHasher(this.layout.bands * this.layout.rows, options.seed);
    this.signature = new Uint32Array(this.hasher.numPerm);
    this.shingleOptions = { wordNgram: options.wordNgram, cjkNgram: options.cjkNgram };
  }

  sketch(text: string): LshSketch {
    const shingles = this.shingles(text);
    return { shingles, bandKeys: this.bandKeys(shingles, new Uint32Array(this.layout.bands)) };
  }

  /** The sorted distinct shingle hashes of `text` (the first half of `sketch`). */
  shingles(text: string): Uint32Array {
    return shingleHashes(text, this.shingleOptions);
  }

  /** The band keys of a shingle set, written to `out` (one per band). */
  bandKeys(shingles: Uint32Array, out: Uint32Array): Uint32Array {
    const signature = this.hasher.signature(shingles, this.signature);
    const { bands, rows } = this.layout;
    for (let band = 0; band < bands; band++) out[band] = murmur3Ints(signature, band * rows, rows, band);
    return out;
  }
}

/**
 * Where the index keeps each record's shingles for the exact Jaccard check. In memory by
 * default; the streamed dedup can keep them in a file instead (only candidates are read back).
 */
export interface ShingleStore {
  /** Store the next record's sorted shingles (records are numbered 0, 1, 2 … in call order). */
  append(shingles: Uint32Array): void;
  /** Exact Jaccard of stored record `record` with `shingles`. */
  jaccardWith(record: number, shingles: Uint32Array): number;
}

const PAGE_VALUES = 1 << 20;

/**
 * Shingles in fixed 4 MB pages: growing never copies what is stored (a doubling buffer would
 * briefly hold 1.5× the shingles at a million records), and a record never spans two pages.
 */
export class PagedShingleStore implements ShingleStore {
  private readonly pages: Uint32Array[] = [];
  private top = PAGE_VALUES;
  /** Per record: page index, start in the page, length. */
  private pageOf = new Int32Array(1024);
  private startOf = new Int32Array(1024);
  private lengthOf = new Int32Array(1024);
  private count = 0;

  append(shingles: Uint32Array): void {
    if (this.top + shingles.length > PAGE_VALUES || this.pages.length === 0) {
      this.pages.push(new Uint32Array(Math.max(PAGE_VALUES, shingles.length)));
      this.top = 0;
    }
    const record = this.count++;
    this.pageOf = withRoomInt32(this.pageOf, this.count);
    this.startOf = withRoomInt32(this.startOf, this.count);
    this.lengthOf = withRoomInt32(this.lengthOf, this.count);
    this.pageOf[record] = this.pages.length - 1;
    this.startOf[record] = this.top;
    this.lengthOf[record] = shingles.length;
    this.pages[this.pages.length - 1]!.set(shingles, this.top);
    this.top += shingles.length;
  }

  jaccardWith(record: number, shingles: Uint32Array): number {
    return jaccard(this.pages[this.pageOf[record]!]!, shingles, this.startOf[record]!, this.lengthOf[record]!);
  }
}

export class MinHashLsh<Id = string> {
  readonly threshold: number;
  readonly layout: BandLayout;
  private readonly sketcher: LshSketcher;
  private readonly tables: BandTable[];
  private readonly shingleStore: ShingleStore;
  private readonly ids: Id[] = [];
  private next: Int32Array = new Int32Array(1024);
  private visited: Int32Array = new Int32Array(1024);
  private queryStamp = 0;
  /** The band slots of the sketch last looked up, valid while no record was added since (`slotsFoundAt`). */
  private readonly slots: Int32Array;
  private slotsFound: LshSketch | undefined;
  private slotsFoundAt = -1;
  private lastSketch: { text: string; sketch: LshSketch } | undefined;

  constructor(options: LshOptions & { shingleStore?: ShingleStore } = {}) {
    this.threshold = options.threshold ?? 0.8;
    this.sketcher = new LshSketcher(options);
    this.layout = this.sketcher.layout;
    this.tables = Array.from({ length: this.layout.bands }, () => new BandTable());
    this.slots = new Int32Array(this.layout.bands);
    this.shingleStore = options.shingleStore ?? new PagedShingleStore();
  }

  get size(): number {
    return this.ids.length;
  }

  /** The most similar indexed record with Jaccard ≥ threshold (earliest on ties), or undefined. */
  query(text: string): LshMatch<Id> | undefined {
    return this.querySketch(this.sketchOf(text));
  }

  /** Index a record. Texts without any token are kept out of the bands (they match nothing). */
  add(id: Id, text: string): void {
    this.addSketch(id, this.sketchOf(text));
  }

  /**
   * Room for `records` records without growing: at millions of records each growth rehashes every
   * band table (random writes over gigabytes), so a caller that can estimate the count says so.
   */
  reserve(records: number): void {
    for (const table of this.tables) table.reserve(records);
    this.next = withRoomInt32(this.next, records * this.tables.length);
    this.visited = withRoomInt32(this.visited, records);
  }

  /** `query` for a sketch made by an `LshSketcher` with the same options. */
  querySketch(sketch: LshSketch): LshMatch<Id> | undefined {
    const { shingles } = sketch;
    if (shingles.length === 0) return undefined;
    const stamp = ++this.queryStamp;
    const slots = this.findSlots(sketch);
    let bestRecord = -1;
    let bestScore = -1;
    for (let band = 0; band < this.tables.length; band++) {
      for (let record = this.tables[band]!.headAt(slots[band]!); record >= 0; record = this.next[record * this.tables.length + band]!) {
        if (this.visited[record] === stamp) continue;
        this.visited[record] = stamp;
        const score = this.shingleStore.jaccardWith(record, shingles);
        if (score > bestScore || (score === bestScore && record < bestRecord)) {
          bestScore = score;
          bestRecord = record;
        }
      }
    }
    return bestScore >= this.threshold ? { id: this.ids[bestRecord]!, score: bestScore } : undefined;
  }

  /** `add` for a sketch made by an `LshSketcher` with the same options. */
  addSketch(id: Id, sketch: LshSketch): void {
    const record = this.ids.length;
    const queried = this.slotsFound === sketch && this.slotsFoundAt === record;
    this.ids.push(id);
    this.shingleStore.append(sketch.shingles);
    this.visited = withRoomInt32(this.visited, record + 1);
    if (sketch.shingles.length === 0) return;
    const slots = queried ? this.slots : this.findSlots(sketch);
    this.slotsFound = undefined;
    const bands = this.tables.length;
    this.next = withRoomInt32(this.next, (record + 1) * bands);
    for (let band = 0; band < bands; band++) this.next[record * bands + band] = this.tables[band]!.replaceAt(slots[band]!, sketch.bandKeys[band]!, record);
  }

  /**
   * Each band's slot for the sketch's key, with room made first so the slots stay valid until the
   * next insertion: `add` right after `query` of the same sketch reuses them, which halves the
   * random lookups per kept record.
   */
  private findSlots(sketch: LshSketch): Int32Array {
    for (let band = 0; band < this.tables.length; band++) {
      const table = this.tables[band]!;
      table.reserveOne();
      this.slots[band] = table.slotOf(sketch.bandKeys[band]!);
    }
    this.slotsFound = sketch;
    this.slotsFoundAt = this.ids.length;
    return this.slots;
  }

  /** The sketch of `text`, cached so `query` then `add` of the same text hashes once. */
  private sketchOf(text: string): LshSketch {
    if (this.lastSketch?.text !== text) this.lastSketch = { text, sketch: this.sketcher.sketch(text) };
    return this.lastSketch.sketch;
  }
}
