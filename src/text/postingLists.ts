/**
 * Many growing lists of int32 kept in one typed array. Scanning a list reads consecutive memory
 * with no per-list object to load first, and the garbage collector has no list objects to trace
 * (measured with branch-free counting in the overlap index: the generate bench's checks ~13%
 * faster than one JS array per list).
 *
 * A full list moves to the end of the array with twice the room. The space it leaves behind
 * (4 + 8 + … + c/2 < c) is less than its room now, so the array never holds more than twice the
 * lists' room, which is at most twice their values: no compaction is needed.
 */
import { withRoomInt32 } from "./typedArrays.js";

const FIRST_CAPACITY = 4;

export class PostingLists {
  /** The values; list `id` is values[starts[id] .. starts[id] + lengths[id]). */
  values = new Int32Array(1 << 12);
  starts = new Int32Array(256);
  lengths = new Int32Array(256);
  private capacities = new Int32Array(256);
  private count = 0;
  private top = 0;

  /** Number of lists. */
  get size(): number {
    return this.count;
  }

  /** A new empty list; returns its id. */
  create(): number {
    const id = this.count++;
    this.starts = withRoomInt32(this.starts, this.count);
    this.lengths = withRoomInt32(this.lengths, this.count);
    this.capacities = withRoomInt32(this.capacities, this.count);
    this.starts[id] = this.reserve(FIRST_CAPACITY);
    this.capacities[id] = FIRST_CAPACITY;
    return id;
  }

  append(id: number, value: number): void {
    const length = this.lengths[id]!;
    if (length === this.capacities[id]) this.move(id, 2 * length);
    this.values[this.starts[id]! + length] = value;
    this.lengths[id] = length + 1;
  }

  /** A copy of list `id` (for tests and debugging; scans read `values` directly). */
  toArray(id: number): number[] {
    const start = this.starts[id]!;
    return Array.from(this.values.subarray(start, start + this.lengths[id]!));
  }

  private move(id: number, capacity: number): void {
    const from = this.starts[id]!;
    const to = this.reserve(capacity);
    this.values.copyWithin(to, from, from + this.lengths[id]!);
    this.starts[id] = to;
    this.capacities[id] = capacity;
  }

  private reserve(size: number): number {
    this.values = withRoomInt32(this.values, this.top + size);
    const at = this.top;
    this.top += size;
    return at;
  }
}
