/**
 * Exact-duplicate detection after case and whitespace normalisation, keyed by a 53-bit
 * fingerprint (two independent murmur3 hashes) instead of the text, so a million records cost
 * a few tens of MB. Chance of any false match among n texts ≈ n²/2^54 (1M texts: 6e-5); callers
 * that still hold the texts confirm with `normalizeForExact(a) === normalizeForExact(b)`.
 */
import { murmur3String } from "./hash.js";

const WHITESPACE_RUN = /\s+/g;

export function normalizeForExact(text: string): string {
  return text.toLowerCase().replace(WHITESPACE_RUN, " ").trim();
}

function fingerprint(normalized: string): number {
  const high = murmur3String(normalized, 0x5bd1e995) & 0x1fffff; // 21 bits
  const low = murmur3String(normalized, 0x27d4eb2f); // 32 bits
  return high * 0x100000000 + low;
}

export class ExactIndex<Id = string> {
  private readonly firstByFingerprint = new Map<number, Id>();

  get size(): number {
    return this.firstByFingerprint.size;
  }

  /** The id of the first text added with the same normalised form, if any. */
  find(text: string): Id | undefined {
    return this.firstByFingerprint.get(fingerprint(normalizeForExact(text)));
  }

  /** Remember `text`; the first id for a normalised form wins. */
  add(id: Id, text: string): void {
    const key = fingerprint(normalizeForExact(text));
    if (!this.firstByFingerprint.has(key)) this.firstByFingerprint.set(key, id);
  }
}
