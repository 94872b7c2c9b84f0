/**
 * The settled part of the overlap index's lists, laid out for reading: all lists of one element
 * side by side in one array, ordered by their second key (the text length), so the lengths a
 * query visits for an element are neighbours in memory, and finding a list means a short search
 * in the element's own small directory instead of a hash probe into a table of millions.
 *
 * It is never changed in place: `from` lays out recent lists, `concat` joins two (sequential copies).
 */
import type { KeyedPostingLists } from "./keyedPostingLists.js";

/** Ints per directory entry: second key, start in `values`, length. */
export const ENTRY = 3;

export class FrozenPostingLists {
  /** The lists' values, element by element, each element's lists by second key. */
  readonly values: Int32Array;
  /** Directory entries (see `ENTRY`); element a's are entries[entryStart[a] .. entryStart[a + 1]) in key order. */
  readonly directory: Int32Array;
  private readonly entryStart: Int32Array;

  private constructor(values: Int32Array, directory: Int32Array, entryStart: Int32Array) {
    this.values = values;
    this.directory = directory;
    this.entryStart = entryStart;
  }

  static empty(): FrozenPostingLists {
    return new FrozenPostingLists(new Int32Array(0), new Int32Array(0), new Int32Array(1));
  }

  /** Number of values held. */
  get valueCount(): number {
    return this.values.length;
  }

  /** The lists of `recent` (first keys 0 … firstKeys − 1), laid out for reading. */
  static from(recent: KeyedPostingLists, firstKeys: number): FrozenPostingLists {
    const headers = recent.headersByKey();
    const entryStart = new Int32Array(firstKeys + 1);
    const directory = new Int32Array((ENTRY * headers.length) / 4);
    const values = new Int32Array(recent.valueCount);
    let top = 0;
    let h = 0;
    for (let a = 0; a < firstKeys; a++) {
      entryStart[a] = h / 4;
      for (; h < headers.length && headers[h] === a; h += 4) {
        const at = (ENTRY * h) / 4;
        directory[at] = headers[h + 1]!;
        directory[at + 1] = top;
        directory[at + 2] = headers[h + 3]!;
        values.set(recent.values.subarray(headers[h + 2]!, headers[h + 2]! + headers[h + 3]!), top);
        top += headers[h + 3]!;
      }
    }
    entryStart[firstKeys] = h / 4;
    return new FrozenPostingLists(values, directory, entryStart);
  }

  /**
   * This followed by `later` (first keys 0 … firstKeys − 1): every value of `later` came after
   * this one's in its list (the index appends in order), so each list is this run, then later's.
   * A sequential copy of both.
   */
  concat(later: FrozenPostingLists, firstKeys: number): FrozenPostingLists {
    const values = new Int32Array(this.values.length + later.values.length);
    const entryStart = new Int32Array(firstKeys + 1);
    const directory = new Int32Array(this.directory.length + later.directory.length);
    let top = 0;
    let entries = 0;
    for (let a = 0; a < firstKeys; a++) {
      entryStart[a] = entries;
      let f = this.entryFrom(a);
      const fEnd = this.entryTo(a);
      let g = later.entryFrom(a);
      const gEnd = later.entryTo(a);
      while (f < fEnd || g < gEnd) {
        const key = Math.min(f < fEnd ? this.directory[ENTRY * f]! : Infinity, g < gEnd ? later.directory[ENTRY * g]! : Infinity);
        const at = ENTRY * entries++;
        directory[at] = key;
        directory[at + 1] = top;
        if (f < fEnd && this.directory[ENTRY * f] === key) top = this.copyList(f++, values, top);
        if (g < gEnd && later.directory[ENTRY * g] === key) top = later.copyList(g++, values, top);
        directory[at + 2] = top - directory[at + 1]!;
      }
    }
    entryStart[firstKeys] = entries;
    return new FrozenPostingLists(values, directory.subarray(0, ENTRY * entries), entryStart);
  }

  /** Directory entries of first key a are [entryFrom(a), entryTo(a)). */
  entryFrom(a: number): number {
    return a + 1 < this.entryStart.length ? this.entryStart[a]! : 0;
  }

  entryTo(a: number): number {
    return a + 1 < this.entryStart.length ? this.entryStart[a + 1]! : 0;
  }

  /** The directory index of list (a, b) (start at +1, length at +2), or -1. */
  find(a: number, b: number): number {
    const entry = this.firstAtLeast(a, b);
    return entry < this.entryTo(a) && this.directory[ENTRY * entry] === b ? ENTRY * entry : -1;
  }

  /** The first directory entry of first key a with second key ≥ b (its end when none). */
  firstAtLeast(a: number, b: number): number {
    let low = this.entryFrom(a);
    let high = this.entryTo(a);
    const directory = this.directory;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (directory[ENTRY * middle]! < b) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private copyList(entry: number, into: Int32Array, at: number): number {
    const start = this.directory[ENTRY * entry + 1]!;
    const length = this.directory[ENTRY * entry + 2]!;
    into.set(this.values.subarray(start, start + length), at);
    return at + length;
  }
}
