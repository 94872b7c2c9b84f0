/**
 * Growing int32 lists named by a pair of non-negative ints (the overlap index's element and text
 * length), with each list's header — key, start, length — in one open-addressing slot. Finding a
 * list and where it starts is one cache line; with a map from key to list id and separate start
 * and length arrays it was three to five, and at a million kept texts those misses were most of
 * a ROUGE-L check (the lists themselves are short).
 *
 * Values live in one array, as in `PostingLists`: a full list moves to the end with twice the
 * room, so the array holds at most about twice the lists' room. A list's room follows from its
 * length (4, then the next power of two), so it need not be stored.
 */
import { withRoomInt32 } from "./typedArrays.js";

const FIRST_ROOM = 4;
/** Second keys stay below this, so (first, second) packs exactly into a float for sorting. */
const SECOND_KEY_LIMIT = 2 ** 21;
/** Ints per slot: first key + 1 (0 = empty), second key, start, length. */
const SLOT = 4;

export class KeyedPostingLists {
  /** The values; the list in header slot `at` is values[table[at + 2] .. + table[at + 3]). */
  values = new Int32Array(1 << 12);
  /** Header slots, `SLOT` ints each (see `find`). */
  table = new Int32Array(SLOT * 1024);
  private used = 0;
  private top = 0;
  private total = 0;

  /** Number of lists. */
  get size(): number {
    return this.used;
  }

  /** Number of values appended. */
  get valueCount(): number {
    return this.total;
  }

  /**
   * The header of list (a, b) as an index into `table` (start at +2, length at +3), or -1 when
   * nothing was appended to it.
   */
  find(a: number, b: number): number {
    const at = this.slotOf(a, b);
    return this.table[at] === 0 ? -1 : at;
  }

  append(a: number, b: number, value: number): void {
    if (b >= SECOND_KEY_LIMIT) throw new RangeError(`second key ${b} ≥ ${SECOND_KEY_LIMIT}`);
    if (SLOT * 2 * (this.used + 1) > this.table.length) this.rehash(2 * this.table.length);
    const at = this.slotOf(a, b);
    const table = this.table;
    if (table[at] === 0) {
      table[at] = a + 1;
      table[at + 1] = b;
      table[at + 2] = this.reserve(FIRST_ROOM);
      table[at + 3] = 0;
      this.used++;
    }
    const length = table[at + 3]!;
    if (length >= FIRST_ROOM && (length & (length - 1)) === 0) this.move(at, 2 * length);
    this.values[table[at + 2]! + length] = value;
    table[at + 3] = length + 1;
    this.total++;
  }

  /** Every list's header as (a, b, start, length), sorted by a, then b. */
  headersByKey(): Int32Array {
    const table = this.table;
    const keys = new Float64Array(this.used);
    let count = 0;
    for (let at = 0; at < table.length; at += SLOT) if (table[at] !== 0) keys[count++] = (table[at]! - 1) * SECOND_KEY_LIMIT + table[at + 1]!;
    keys.sort();
    const headers = new Int32Array(4 * count);
    for (let i = 0; i < count; i++) {
      const a = Math.floor(keys[i]! / SECOND_KEY_LIMIT);
      const b = keys[i]! - a * SECOND_KEY_LIMIT;
      const at = this.slotOf(a, b);
      headers[4 * i] = a;
      headers[4 * i + 1] = b;
      headers[4 * i + 2] = table[at + 2]!;
      headers[4 * i + 3] = table[at + 3]!;
    }
    return headers;
  }

  /** Empty every list, keeping the arrays' room. */
  clear(): void {
    this.table.fill(0);
    this.used = 0;
    this.top = 0;
    this.total = 0;
  }

  /** A copy of list (a, b) (for tests; scans read `values` directly). */
  toArray(a: number, b: number): number[] {
    const at = this.find(a, b);
    if (at < 0) return [];
    const start = this.table[at + 2]!;
    return Array.from(this.values.subarray(start, start + this.table[at + 3]!));
  }

  /** The slot holding (a, b), or the empty one where it would go (load stays ≤ 1/2). */
  private slotOf(a: number, b: number): number {
    const table = this.table;
    const mask = table.length / SLOT - 1;
    const key = a + 1;
    let hash = Math.imul(a, 0x9e3779b1) ^ b;
    hash = Math.imul(hash ^ (hash >>> 15), 0x85ebca6b);
    let slot = (hash ^ (hash >>> 13)) & mask;
    for (; ; slot = (slot + 1) & mask) {
      const at = SLOT * slot;
      if (table[at] === 0 || (table[at] === key && table[at + 1] === b)) return at;
    }
  }

  private move(at: number, room: number): void {
    const from = this.table[at + 2]!;
    const to = this.reserve(room);
    this.values.copyWithin(to, from, from + this.table[at + 3]!);
    this.table[at + 2] = to;
  }

  private reserve(size: number): number {
    this.values = withRoomInt32(this.values, this.top + size);
    const at = this.top;
    this.top += size;
    return at;
  }

  private rehash(length: number): void {
    const old = this.table;
    this.table = new Int32Array(length);
    for (let at = 0; at < old.length; at += SLOT) {
      if (old[at] === 0) continue;
      const to = this.slotOf(old[at]! - 1, old[at + 1]!);
      this.table.set(old.subarray(at, at + SLOT), to);
    }
  }
}
