/**
 * Shingles for MinHash: n-grams over the similarity tokens (`tokenize`), so English gets word
 * n-grams and Chinese gets character n-grams from the same code. Each shingle is hashed once to
 * 32 bits; a text becomes a sorted set of shingle hashes.
 */
import { murmur3AsciiTokens, murmur3Ints, murmur3String } from "./hash.js";
import { tokenize } from "./tokenize.js";

export interface ShingleOptions {
  /** Words per shingle for Latin-script text (default 3). */
  wordNgram?: number;
  /** Characters per shingle for Chinese/Japanese text (default 2, measured: see docs/dedup-notes.md). */
  cjkNgram?: number;
}

const CJK_TOKEN = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30fc]$/u;

/** Sorted, distinct 32-bit hashes of the text's shingles. Texts shorter than n are one shingle. */
export function shingleHashes(text: string, options: ShingleOptions = {}): Uint32Array {
  // ASCII text: the tokens' hashes straight from the characters, no token strings (same hashes).
  let tokenHashes = murmur3AsciiTokens(text);
  let n = options.wordNgram ?? 3;
  if (tokenHashes === undefined) {
    const tokens = tokenize(text);
    if (mostlyCjk(tokens)) n = options.cjkNgram ?? 2;
    tokenHashes = new Uint32Array(tokens.length);
    for (let i = 0; i < tokens.length; i++) tokenHashes[i] = murmur3String(tokens[i]!);
  }
  if (tokenHashes.length === 0) return new Uint32Array(0);
  const width = Math.min(n, tokenHashes.length);
  const shingles = new Uint32Array(tokenHashes.length - width + 1);
  for (let start = 0; start < shingles.length; start++) shingles[start] = murmur3Ints(tokenHashes, start, width, width);
  return sortedDistinct(shingles);
}

function mostlyCjk(tokens: readonly string[]): boolean {
  let cjk = 0;
  // CJK tokens are single characters at or above U+3040 (or a surrogate pair).
  for (const token of tokens) if (token.length <= 2 && token.charCodeAt(0) >= 0x3040 && CJK_TOKEN.test(token)) cjk++;
  return cjk * 2 > tokens.length;
}

function sortedDistinct(values: Uint32Array): Uint32Array {
  values.sort();
  let length = 0;
  for (let i = 0; i < values.length; i++) if (i === 0 || values[i] !== values[i - 1]) values[length++] = values[i]!;
  return values.subarray(0, length);
}

/** |A ∩ B| / |A ∪ B| of two sorted distinct hash sets (1 for two empty sets). */
export function jaccard(a: ArrayLike<number>, b: ArrayLike<number>, aStart = 0, aLength = a.length): number {
  const bLength = b.length;
  if (aLength === 0 && bLength === 0) return 1;
  let i = aStart;
  const aEnd = aStart + aLength;
  let j = 0;
  let shared = 0;
  while (i < aEnd && j < bLength) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      shared++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return shared / (aLength + bLength - shared);
}
