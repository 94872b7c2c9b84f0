/**
 * MinHash signatures over 32-bit shingle hashes. Each shingle is hashed once (murmur3, in
 * shingle.ts); the k "permutations" are then h ↦ (a·h + b) mod 2^32 with odd a — a bijection on
 * 32-bit values, computed exactly with Math.imul (no float products that overflow 2^53).
 */
import { seededUint32s } from "./random.js";

export class MinHasher {
  readonly numPerm: number;
  private readonly multipliers: Int32Array;
  private readonly offsets: Int32Array;

  constructor(numPerm = 128, seed = 1) {
    this.numPerm = numPerm;
    const randoms = seededUint32s(seed, 2 * numPerm);
    this.multipliers = Int32Array.from(randoms.subarray(0, numPerm), (a) => a | 1);
    this.offsets = Int32Array.from(randoms.subarray(numPerm));
  }

  /** Minimum of each permutation over the shingle set; all 0xffffffff for an empty set. */
  signature(shingles: Uint32Array, out = new Uint32Array(this.numPerm)): Uint32Array {
    // Work in int32 (V8 keeps those unboxed): flipping the sign bit turns unsigned order into
    // signed order, so the minimum is found with signed compares and flipped back at the end.
    const values = new Int32Array(shingles.buffer, shingles.byteOffset, shingles.length);
    const count = values.length;
    for (let p = 0; p < this.numPerm; p++) {
      const a = this.multipliers[p]!;
      const b = this.offsets[p]!;
      let min = 0x7fffffff;
      for (let s = 0; s < count; s++) {
        const permuted = (Math.imul(a, values[s]!) + b) ^ 0x80000000;
        if (permuted < min) min = permuted;
      }
      out[p] = (min ^ 0x80000000) >>> 0;
    }
    return out;
  }
}

/** Share of equal signature slots: an unbiased estimate of the Jaccard similarity. */
export function estimateJaccard(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let equal = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) equal++;
  return equal / a.length;
}
