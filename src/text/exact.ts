/**
 * Exact-duplicate detection after case and whitespace normalisation, keyed by a 64-bit
 * fingerprint (two independent murmur3 hashes) instead of the text, so the index holds no
 * strings: 10 million records cost about 200 MB, and the texts need not stay in memory (the
 * streamed dedup keeps none). Chance of any false match among n texts ≈ n²/2^65
 * (1M texts: 3e-8; 10M: 3e-6).
 */
import { mixBlock, murmur3Finish, murmur3String } from "./hash.js";

const WHITESPACE_RUN = /\s+/g;

export function normalizeForExact(text: string): string {
  return text.toLowerCase().replace(WHITESPACE_RUN, " ").trim();
}

/** The 64-bit fingerprint of a text's normalised form, as two 32-bit halves. */
export interface Fingerprint {
  high: number;
  low: number;
}

const HIGH_SEED = 0x5bd1e995;
const LOW_SEED = 0x27d4eb2f;

export function exactFingerprint(text: string): Fingerprint {
  return asciiFingerprint(text) ?? stringFingerprint(text);
}

function stringFingerprint(text: string): Fingerprint {
  const normalized = normalizeForExact(text);
  return { high: murmur3String(normalized, HIGH_SEED), low: murmur3String(normalized, LOW_SEED) };
}

/**
 * `stringFingerprint` of an all-ASCII text, hashed while it is normalised (lowercase, whitespace
 * runs → one space, trimmed) without building the normalised string; undefined for other text
 * (Unicode lowercasing and whitespace take the string path).
 */
function asciiFingerprint(text: string): Fingerprint | undefined {
  let high = HIGH_SEED;
  let low = LOW_SEED;
  let length = 0;
  let pending = -1;
  let spaceDue = false;
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code >= 128) return undefined;
    if (code === 32 || (code >= 9 && code <= 13)) {
      spaceDue = length > 0;
      continue;
    }
    if (code >= 65 && code <= 90) code += 32;
    for (let unit = spaceDue ? 32 : code; ; unit = code) {
      if (pending < 0) pending = unit;
      else {
        high = mixBlock(high, pending | (unit << 16));
        low = mixBlock(low, pending | (unit << 16));
        pending = -1;
      }
      length++;
      if (!spaceDue) break;
      spaceDue = false;
    }
  }
  return { high: murmur3Finish(high, pending, length), low: murmur3Finish(low, pending, length) };
}

/** Fingerprint → first id, in one open-addressing table of int32 triples (no Map, no boxed keys). */
export class FingerprintTable {
  /** Per slot: high, low, first position + 1 (0 = empty). */
  private slots = new Int32Array(3 * 1024);
  private used = 0;
  /**
   * Where the last `find` ended, valid for an `add` of the same fingerprint before any other
   * insertion: a kept record is looked up once, not twice (at millions, each lookup is a cache miss).
   */
  private foundSlot = -1;
  private foundHigh = 0;
  private foundLow = 0;

  get size(): number {
    return this.used;
  }

  /** Room for `count` fingerprints without growing (growth rehashes the whole table). */
  reserve(count: number): void {
    let capacity = this.slots.length / 3;
    while (4 * count > 3 * capacity) capacity *= 2;
    if (capacity > this.slots.length / 3) this.resize(capacity);
  }

  /** The position stored for this fingerprint, or -1. */
  find(high: number, low: number): number {
    this.reserve(this.used + 1); // room first, so the slot stays valid for the `add` that usually follows
    const slot = this.slotOf(high | 0, low | 0);
    this.foundSlot = slot;
    this.foundHigh = high | 0;
    this.foundLow = low | 0;
    return this.slots[3 * slot + 2]! - 1;
  }

  /** Store `position` for the fingerprint unless one is stored already (the first wins). */
  add(high: number, low: number, position: number): void {
    let slot = this.foundSlot;
    this.foundSlot = -1;
    if (slot < 0 || this.foundHigh !== (high | 0) || this.foundLow !== (low | 0)) {
      this.reserve(this.used + 1);
      slot = this.slotOf(high | 0, low | 0);
    }
    const at = 3 * slot;
    if (this.slots[at + 2] !== 0) return;
    this.slots[at] = high;
    this.slots[at + 1] = low;
    this.slots[at + 2] = position + 1;
    this.used++;
  }

  private slotOf(high: number, low: number): number {
    const slots = this.slots;
    const mask = slots.length / 3 - 1;
    let slot = (low ^ Math.imul(high, 0x9e3779b1)) & mask;
    while (slots[3 * slot + 2] !== 0 && (slots[3 * slot] !== high || slots[3 * slot + 1] !== low)) slot = (slot + 1) & mask;
    return slot;
  }

  /** Rehash into `capacity` slots (a power of two). */
  private resize(capacity: number): void {
    const old = this.slots;
    this.slots = new Int32Array(3 * capacity);
    for (let at = 0; at < old.length; at += 3) {
      if (old[at + 2] === 0) continue;
      const to = 3 * this.slotOf(old[at]!, old[at + 1]!);
      this.slots[to] = old[at]!;
      this.slots[to + 1] = old[at + 1]!;
      this.slots[to + 2] = old[at + 2]!;
    }
  }
}
/** Ids by normalised text, for callers holding the texts (the table underneath keeps only fingerprints). */
export class ExactIndex<Id = string> {
  private readonly table = new FingerprintTable();
  private readonly ids: Id[] = [];

  get size(): number {
    return this.table.size;
  }

  /** The id of the first text added with the same normalised form, if any. */
  find(text: string): Id | undefined {
    const { high, low } = exactFingerprint(text);
    const position = this.table.find(high, low);
    return position < 0 ? undefined : this.ids[position];
  }

  /** Remember `text`; the first id for a normalised form wins. */
  add(id: Id, text: string): void {
    const { high, low } = exactFingerprint(text);
    if (this.table.find(high, low) >= 0) return;
    this.table.add(high, low, this.ids.length);
    this.ids.push(id);
  }
}
