/**
 * ROUGE-L over token-id arrays with a bit-parallel LCS (Allison–Dix / Hyyrö): the query's
 * positions are bits of a vector V; each token of the other sequence updates V with one add,
 * one and, one or — 32 DP cells per machine word instead of one.
 */

/**
 * ROUGE-L F1 computed with `rouge_score`'s own floating-point steps
 * (precision = lcs/n, recall = lcs/m, 2·p·r/(p+r)), so the score is bit-identical to Python's.
 * Mathematically it is 2·lcs/(m+n), but the float results differ at exact ties:
 * lcs=7, m=7, n=13 gives 0.7000000000000001 here (and in Python), 0.7 via 2·7/20 —
 * and Alpaca drops that pair (score > 0.7). Symmetric in m and n.
 */
export function rougeLF1(lcs: number, m: number, n: number): number {
  if (lcs === 0 || m === 0 || n === 0) return 0;
  const precision = lcs / n;
  const recall = lcs / m;
  return (2 * precision * recall) / (precision + recall);
}

/**
 * A query sequence prepared once for many LCS computations: the match bitmask of every
 * distinct query token, found through a small open-addressing table keyed by token id.
 * Token ids must be ≥ 0; negative ids (unknown tokens) never match anything.
 */
export class LcsQuery {
  readonly length: number;
  private readonly words: number;
  private readonly slotToken: Int32Array;
  private readonly slotMask: Int32Array;
  private readonly slotShift: number;
  private readonly masks: Uint32Array;
  private readonly vector: Uint32Array;
  private readonly lastWordMask: number;

  constructor(tokens: ArrayLike<number>) {
    this.length = tokens.length;
    this.words = Math.max(1, Math.ceil(tokens.length / 32));
    const slotBits = Math.max(3, Math.ceil(Math.log2(tokens.length + 1)) + 1);
    this.slotShift = 32 - slotBits;
    this.slotToken = new Int32Array(1 << slotBits).fill(-1);
    this.slotMask = new Int32Array(1 << slotBits).fill(-1);
    this.masks = new Uint32Array((tokens.length + 1) * this.words);
    this.vector = new Uint32Array(this.words);
    const tailBits = tokens.length % 32;
    this.lastWordMask = tailBits === 0 ? 0xffffffff : ((1 << tailBits) - 1) >>> 0;
    this.buildMasks(tokens);
  }

  /** Length of the longest common subsequence of the query and `other[start .. start+count)`. */
  lcs(other: ArrayLike<number>, start = 0, count = other.length - start): number {
    if (this.length === 0 || count === 0) return 0;
    return this.words === 1 ? this.lcsOneWord(other, start, count) : this.lcsManyWords(other, start, count);
  }

  /** Offset of `token`'s mask in `masks`, or -1 when the query does not contain it. */
  private maskOffset(token: number): number {
    if (token < 0) return -1;
    const slots = this.slotToken;
    const last = slots.length - 1;
    let slot = Math.imul(token, 0x9e3779b1) >>> this.slotShift;
    for (;;) {
      const held = slots[slot]!;
      if (held === token) return this.slotMask[slot]!;
      if (held === -1) return -1;
      slot = (slot + 1) & last;
    }
  }

  private buildMasks(tokens: ArrayLike<number>): void {
    const last = this.slotToken.length - 1;
    let distinct = 0;
    for (let position = 0; position < tokens.length; position++) {
      const token = tokens[position]!;
      if (token < 0) continue;
      let slot = Math.imul(token, 0x9e3779b1) >>> this.slotShift;
      while (this.slotToken[slot] !== -1 && this.slotToken[slot] !== token) slot = (slot + 1) & last;
      if (this.slotToken[slot] === -1) {
        this.slotToken[slot] = token;
        this.slotMask[slot] = distinct++ * this.words;
      }
      const offset = this.slotMask[slot]! + (position >>> 5);
      this.masks[offset] = (this.masks[offset]! | (1 << (position & 31))) >>> 0;
    }
  }

  private lcsOneWord(other: ArrayLike<number>, start: number, count: number): number {
    let v = 0xffffffff;
    for (let j = start; j < start + count; j++) {
      const offset = this.maskOffset(other[j]!);
      if (offset < 0) continue; // no match: V is unchanged
      const u = (v & this.masks[offset]!) >>> 0;
      v = ((v + u) | (v - u)) >>> 0;
    }
    return this.length - popcount(v & this.lastWordMask);
  }

  private lcsManyWords(other: ArrayLike<number>, start: number, count: number): number {
    const v = this.vector.fill(0xffffffff);
    const words = this.words;
    for (let j = start; j < start + count; j++) {
      const offset = this.maskOffset(other[j]!);
      if (offset < 0) continue;
      let carry = 0;
      for (let w = 0; w < words; w++) {
        const vw = v[w]!;
        const uw = (vw & this.masks[offset + w]!) >>> 0;
        const sum = vw + uw + carry; // exact in a double: < 2^33
        carry = sum > 0xffffffff ? 1 : 0;
        v[w] = (sum | (vw - uw)) >>> 0;
      }
    }
    let ones = 0;
    for (let w = 0; w < words - 1; w++) ones += popcount(v[w]!);
    ones += popcount(v[words - 1]! & this.lastWordMask);
    return this.length - ones;
  }
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** LCS length of two token-id sequences. */
export function lcsLength(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return a.length <= b.length ? new LcsQuery(a).lcs(b) : new LcsQuery(b).lcs(a);
}

/** ROUGE-L F1 of two token-id sequences (see `rougeLF1` for the exact float formula). */
export function rougeL(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return rougeLF1(lcsLength(a, b), a.length, b.length);
}
