/**
 * 32-bit MurmurHash3 (x86_32) over UTF-16 code units and over 32-bit integers.
 * Written for speed with Math.imul so every step stays in exact 32-bit arithmetic
 * (no float products that silently lose bits).
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** One 32-bit block into a running murmur3 hash (exported for hashes computed while scanning text). */
export function mixBlock(hash: number, block: number): number {
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

/** The end of `murmur3String` for a hash built block by block: the odd last code unit (or -1), then the length. */
export function murmur3Finish(hash: number, lastOddUnit: number, length: number): number {
  if (lastOddUnit >= 0) {
    let k = Math.imul(lastOddUnit, C1);
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

/** Lowercase code of an ASCII letter or digit, 0 for every other ASCII character (a separator). */
const ASCII_WORD_CHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  if (c >= 48 && c <= 57) ASCII_WORD_CHAR[c] = c;
  else if (c >= 97 && c <= 122) ASCII_WORD_CHAR[c] = c;
  else if (c >= 65 && c <= 90) ASCII_WORD_CHAR[c] = c + 32;
}

let tokenHashScratch = new Uint32Array(256);

/**
 * `murmur3String` of each token of `tokenizeEnglish(text)` (lowercased [a-z0-9] runs), read
 * straight from an all-ASCII text without making the token strings; undefined when the text has
 * a non-ASCII character (Unicode lowercasing and CJK tokens take the string path). The result is
 * a view of a buffer the next call reuses: read it before calling again.
 */
export function murmur3AsciiTokens(text: string): Uint32Array | undefined {
  const length = text.length;
  if (tokenHashScratch.length < (length >> 1) + 1) tokenHashScratch = new Uint32Array(length + 2);
  const out = tokenHashScratch;
  let count = 0;
  let i = 0;
  while (i < length) {
    const first = text.charCodeAt(i);
    if (first >= 128) return undefined;
    if (ASCII_WORD_CHAR[first] === 0) {
      i++;
      continue;
    }
    const start = i;
    let hash = 0;
    let pending = -1;
    for (; i < length; i++) {
      const code = text.charCodeAt(i);
      if (code >= 128) return undefined;
      const lowered = ASCII_WORD_CHAR[code]!;
      if (lowered === 0) break;
      if (pending < 0) pending = lowered;
      else {
        hash = mixBlock(hash, pending | (lowered << 16));
        pending = -1;
      }
    }
    out[count++] = murmur3Finish(hash, pending, i - start);
  }
  return out.subarray(0, count);
}
