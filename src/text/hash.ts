/**
 * 32-bit MurmurHash3 (x86_32) over UTF-16 code units and over 32-bit integers.
 * Written for speed with Math.imul so every step stays in exact 32-bit arithmetic
 * (no float products that silently lose bits).
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

function mixBlock(hash: number, block: number): number {
  let k = Math.imul(block, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  hash ^= k;
  hash = (hash << 13) | (hash >>> 19);
  return (Math.imul(hash, 5) + 0xe6546b64) | 0;
}

/** Murmur3's finaliser: a strong 32-bit avalanche mix on its own. */
export function fmix32(hash: number): number {
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** Hash a string's UTF-16 code units, two per 32-bit block. */
export function murmur3String(text: string, seed = 0): number {
  let hash = seed | 0;
  const length = text.length;
  const pairs = length & ~1;
  for (let i = 0; i < pairs; i += 2) {
    hash = mixBlock(hash, text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16));
  }
  if (length & 1) {
    let k = Math.imul(text.charCodeAt(length - 1), C1);
    k = (k << 15) | (k >>> 17);
    hash ^= Math.imul(k, C2);
  }
  return fmix32(hash ^ (length * 2));
}

/** Hash `count` 32-bit integers from `values` starting at `start`. */
export function murmur3Ints(values: ArrayLike<number>, start: number, count: number, seed = 0): number {
  let hash = seed | 0;
  for (let i = start; i < start + count; i++) hash = mixBlock(hash, values[i]!);
  return fmix32(hash ^ (count * 4));
}
