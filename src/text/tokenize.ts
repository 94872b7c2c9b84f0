/**
 * Tokenizers for text similarity. English follows Python `rouge_score`'s default tokenizer
 * (no stemmer) exactly, so ROUGE-L scores match the Alpaca recipe; Chinese and Japanese are
 * split per Han/Kana character, after Traditional → Simplified normalisation.
 */
import { toSimplified } from "./simplified.js";

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

/** Interns token strings to dense integer ids (0, 1, 2, …) so comparisons are integer compares. */
export class Vocabulary {
  private readonly ids = new Map<string, number>();

  get size(): number {
    return this.ids.size;
  }

  idOf(token: string): number {
    let id = this.ids.get(token);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(token, id);
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
}
