/**
 * Tokenizers for text similarity. English follows Python `rouge_score`'s default tokenizer
 * (no stemmer) exactly, so ROUGE-L scores match the Alpaca recipe; Chinese and Japanese are
 * split per Han/Kana character, after Traditional → Simplified normalisation.
 */
import { toSimplified } from "./simplified.js";
import { withRoomInt32, withRoomUint16 } from "./typedArrays.js";

/** One Han or Kana character (the Katakana prolonged-sound mark is Script=Common, so listed). */
const CJK_CHAR = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30fc]/u;
const MIXED_TOKEN = /[a-z0-9]+|[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30fc]/gu;
const NON_ALPHANUMERIC_RUN = /[^a-z0-9]+/;

/**
 * `rouge_score.tokenize(text, stemmer=None)`: lowercase the whole text, treat every character
 * outside [a-z0-9] as a separator, split. Lowercasing first means "É" becomes "é", which is then
 * a separator ("café" → ["caf"]), exactly as in Python (both use Unicode full lowercase mapping).
 */
export function tokenizeEnglish(text: string): string[] {
  return text.toLowerCase().split(NON_ALPHANUMERIC_RUN).filter((token) => token !== "");
}

/**
 * The similarity tokenizer for any text. Without Han/Kana it is exactly `tokenizeEnglish`.
 * With them: Traditional → Simplified, NFKC (full-width letters and digits become ASCII),
 * lowercase, then each Latin/digit run is one token, each Han/Kana character is one token,
 * everything else separates.
 */
export function tokenize(text: string): string[] {
  if (!CJK_CHAR.test(text)) return tokenizeEnglish(text);
  return toSimplified(text).normalize("NFKC").toLowerCase().match(MIXED_TOKEN) ?? [];
}

/** Whether `text` holds any Han or Kana character (the CJK path of `tokenize`). */
export function hasCjk(text: string): boolean {
  return CJK_CHAR.test(text);
}

/** LOWERED[c] for an ASCII code c: its lowercase code when c is [A-Za-z0-9], else 0 (a separator). */
const LOWERED = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[a-z0-9]/i.test(ch)) LOWERED[c] = ch.toLowerCase().charCodeAt(0);
}
const FNV_OFFSET = 0x811c9dc5 | 0; // as int32, so hashes stay small integers for the JIT
const FNV_PRIME = 0x01000193;

function hashChars(token: string): number {
  let hash = FNV_OFFSET;
  for (let i = 0; i < token.length; i++) hash = Math.imul(hash ^ token.charCodeAt(i), FNV_PRIME);
  return hash;
}

/**
 * Interns token strings to dense integer ids (0, 1, 2, …) so comparisons are integer compares.
 * Besides the string map it keeps a hash table over the tokens' characters, so `encodeAscii` can
 * find a token straight from the text it sits in, without making a string for it. The table and
 * the tokens' characters are flat typed arrays, so a lookup reads no string object.
 */
export class Vocabulary {
  private readonly ids = new Map<string, number>();
  private readonly tokens: string[] = [];
  /** Open addressing, linear probing; per slot: token id + 1 (0 = empty), then the token's hash. */
  private table = new Int32Array(2 * 1024);
  /** Every token's UTF-16 code units, token id at charStarts[id] .. charStarts[id + 1]. */
  private chars = new Uint16Array(1024);
  private charStarts = new Int32Array(256);
  private scratch = new Int32Array(256);

  get size(): number {
    return this.ids.size;
  }

  idOf(token: string): number {
    let id = this.ids.get(token);
    if (id === undefined) {
      id = this.tokens.length;
      this.ids.set(token, id);
      this.tokens.push(token);
      this.storeChars(id, token);
      if (4 * this.tokens.length > this.table.length) this.rehash(2 * this.table.length);
      else this.place(id, hashChars(token));
    }
    return id;
  }

  /** Id of a known token, or -1 (does not intern). */
  find(token: string): number {
    return this.ids.get(token) ?? -1;
  }

  /** Ids of `tokens`, interning new ones. */
  encode(tokens: readonly string[]): Int32Array {
    const out = new Int32Array(tokens.length);
    for (let i = 0; i < tokens.length; i++) out[i] = this.idOf(tokens[i]!);
    return out;
  }

  /**
   * `encode(tokenizeEnglish(text))` for an all-ASCII text, read straight from its characters
   * (measured: about 3× faster, and no garbage); with `intern` false, unknown tokens are -1 as
   * with `find`. Undefined when the text has a non-ASCII character: lowercasing those is
   * Unicode's business (the Kelvin sign becomes "k"), so the caller tokenizes the slow way.
   */
  encodeAscii(text: string, intern: boolean): Int32Array | undefined {
    if (this.scratch.length < 3 * text.length) this.scratch = new Int32Array(6 * text.length);
    const found = this.scratch; // ids, then (start, end) of the tokens not known yet, interned at the end
    let count = 0;
    let unknown = 0;
    let i = 0;
    while (i < text.length) {
      const code = text.charCodeAt(i);
      if (code >= 128) return undefined; // nothing interned yet: the caller's slow path starts clean
      if (LOWERED[code] === 0) {
        i++;
        continue;
      }
      const start = i;
      let hash = FNV_OFFSET;
      for (; i < text.length; i++) {
        const c = text.charCodeAt(i);
        const lowered = c < 128 ? LOWERED[c]! : 0;
        if (lowered === 0) break;
        hash = Math.imul(hash ^ lowered, FNV_PRIME);
      }
      const id = this.findSpan(text, start, i, hash);
      if (id < 0 && intern) {
        found[text.length + 2 * unknown] = start;
        found[text.length + 2 * unknown + 1] = i;
        unknown++;
      }
      found[count++] = id;
    }
    const ids = new Int32Array(count);
    for (let k = 0, u = 0; k < count; k++) {
      let id = found[k]!;
      if (id < 0 && intern) {
        const at = text.length + 2 * u++;
        id = this.idOf(text.slice(found[at], found[at + 1]).toLowerCase());
      }
      ids[k] = id;
    }
    return ids;
  }

  /** The id of the lowercased text[start, end), or -1. */
  private findSpan(text: string, start: number, end: number, hash: number): number {
    const table = this.table;
    const mask = table.length / 2 - 1;
    for (let at = hash & mask; ; at = (at + 1) & mask) {
      const id = table[2 * at]! - 1;
      if (id < 0) return -1;
      if (table[2 * at + 1] === hash && this.spanIs(id, text, start, end)) return id;
    }
  }

  /** Whether token `id` equals text[start, end) lowercased (the span is ASCII [A-Za-z0-9]). */
  private spanIs(id: number, text: string, start: number, end: number): boolean {
    const from = this.charStarts[id]!;
    if (this.charStarts[id + 1]! - from !== end - start) return false;
    for (let k = 0; k < end - start; k++) if (this.chars[from + k] !== LOWERED[text.charCodeAt(start + k)]) return false;
    return true;
  }

  private storeChars(id: number, token: string): void {
    this.charStarts = withRoomInt32(this.charStarts, id + 2);
    const from = this.charStarts[id]!;
    this.chars = withRoomUint16(this.chars, from + token.length);
    for (let k = 0; k < token.length; k++) this.chars[from + k] = token.charCodeAt(k);
    this.charStarts[id + 1] = from + token.length;
  }

  private place(id: number, hash: number): void {
    const mask = this.table.length / 2 - 1;
    let at = hash & mask;
    while (this.table[2 * at] !== 0) at = (at + 1) & mask;
    this.table[2 * at] = id + 1;
    this.table[2 * at + 1] = hash;
  }

  private rehash(size: number): void {
    this.table = new Int32Array(size);
    for (let id = 0; id < this.tokens.length; id++) this.place(id, hashChars(this.tokens[id]!));
  }
}
