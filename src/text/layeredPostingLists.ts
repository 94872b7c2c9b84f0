/**
 * Lists named by (element, text length), kept in three layers so that a large index is read
 * from layouts made for reading while it still grows: the oldest part of every list in `large`,
 * the next in `small` (both frozen: an element's lists side by side, by length), the newest in
 * `recent` (a hash table, small enough to stay in cache). Appends go to `recent`; `freeze` moves
 * it into `small`, and `small` joins `large` when it reaches 1/LARGE_SHARE of it, so each value
 * is copied a bounded number of times, always sequentially.
 */
import { FrozenPostingLists } from "./frozenPostingLists.js";
import { KeyedPostingLists } from "./keyedPostingLists.js";
import { withRoomInt32 } from "./typedArrays.js";

const LARGE_SHARE = 8;

export class LayeredPostingLists {
  large = FrozenPostingLists.empty();
  small = FrozenPostingLists.empty();
  readonly recent = new KeyedPostingLists();
  /**
   * Per element, bit (length mod 32) set when `recent` has a list for it: a query asks for an
   * element's recent list at each length it searches, and most are empty, so this answers most
   * of those asks without a probe into the (cache-missing) hash table.
   */
  private recentLengths = new Int32Array(1024);

  /** True once anything was frozen. */
  get frozen(): boolean {
    return this.large.valueCount > 0;
  }

  append(element: number, length: number, value: number): void {
    this.recent.append(element, length, value);
    this.recentLengths = withRoomInt32(this.recentLengths, element + 1);
    this.recentLengths[element]! |= 1 << (length & 31);
  }

  /** The header of recent list (element, length) in `recent.table` (start at +2, length at +3), or -1. */
  findRecent(element: number, length: number): number {
    if (element >= this.recentLengths.length || ((this.recentLengths[element]! >>> (length & 31)) & 1) === 0) return -1;
    return this.recent.find(element, length);
  }

  /** Lay the recent lists out for reading (elements 0 … elementCount − 1). */
  freeze(elementCount: number): void {
    this.small = this.small.concat(FrozenPostingLists.from(this.recent, elementCount), elementCount);
    this.recent.clear();
    this.recentLengths.fill(0);
    if (this.small.valueCount * LARGE_SHARE < this.large.valueCount) return;
    this.large = this.large.concat(this.small, elementCount);
    this.small = FrozenPostingLists.empty();
  }
}
