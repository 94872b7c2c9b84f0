/**
 * The Self-Instruct similarity filter: a text is kept when its ROUGE-L F1 against every text
 * kept before it is ≤ threshold. Same decisions as comparing against every kept text, but pairs
 * that provably cannot exceed the threshold are never scored:
 *   - length bound: F1 ≤ 2·min(m,n)/(m+n);
 *   - overlap bound: LCS ≤ |multiset intersection|, found through an inverted index probed only
 *     with the query's rarest tokens (prefix filtering: a text sharing none of the m−τ+1 rarest
 *     query tokens shares at most τ−1 tokens, too few to pass);
 *   - signature bound: each kept text has a 64-bit token-set signature; a query token whose bit
 *     is clear there cannot be shared, so the unprobed tokens are counted without an LCS.
 */
import { LcsQuery, rougeLF1 } from "./rougeL.js";
import { tokenize, Vocabulary } from "./tokenize.js";

export interface RougeMatch<Id> {
  id: Id;
  text: string;
  score: number;
}

export interface RougeVerdict<Id> {
  /** true when no kept text scores above the threshold. */
  keep: boolean;
  /** When dropped: the most similar kept text (earliest on ties). */
  mostSimilar?: RougeMatch<Id>;
}

export interface RougeFilterOptions {
  /** Drop when F1 > threshold (Alpaca: 0.7). */
  threshold?: number;
  /** Text → tokens; default `tokenize` (rouge_score for English, per character for CJK). */
  tokenizer?: (text: string) => string[];
}

/** Scores below the real bound by less than this are still scored: float rounding never prunes a pass. */
const BOUND_SLACK = 1e-9;

export class RougeFilter<Id = string> {
  readonly threshold: number;
  private readonly tokenizer: (text: string) => string[];
  private readonly vocabulary = new Vocabulary();
  private readonly postings: number[][] = [];
  private readonly ids: Id[] = [];
  private readonly texts: string[] = [];
  private tokenPool = new Int32Array(1024);
  private starts: number[] = [0];
  private overlapCount = new Int32Array(1024);
  /** Two 32-bit words per kept text: bit (token hash mod 64) set for every token it holds. */
  private signatures = new Int32Array(2048);
  private lastTokenized: { text: string; tokens: string[] } | undefined;

  constructor(options: RougeFilterOptions = {}) {
    this.threshold = options.threshold ?? 0.7;
    if (!(this.threshold >= 0 && this.threshold <= 1)) throw new RangeError(`ROUGE-L threshold must be in [0, 1], got ${this.threshold}`);
    this.tokenizer = options.tokenizer ?? tokenize;
  }

  /** Number of kept texts (seeds included). */
  get size(): number {
    return this.ids.length;
  }

  /** Would `text` be kept? Does not add it. */
  check(text: string): RougeVerdict<Id> {
    const query = this.encodeKnown(this.tokensOf(text));
    const best = this.bestAbove(query, this.threshold);
    if (best === undefined) return { keep: true };
    return { keep: false, mostSimilar: this.match(best.index, best.score) };
  }

  /** Add a kept text to the pool (call after `check` said keep, or for seeds). */
  add(text: string, id: Id): void {
    const tokens = this.vocabulary.encode(this.tokensOf(text));
    const index = this.ids.length;
    this.ids.push(id);
    this.texts.push(text);
    this.appendTokens(tokens);
    this.storeSignature(index, tokens);
    const seen = new Set<number>();
    for (const token of tokens) {
      if (seen.has(token)) continue;
      seen.add(token);
      (this.postings[token] ??= []).push(index);
    }
  }

  /** `check`, then `add` when kept. */
  checkAndAdd(text: string, id: Id): RougeVerdict<Id> {
    const verdict = this.check(text);
    if (verdict.keep) this.add(text, id);
    return verdict;
  }

  /**
   * The k most similar kept texts and the mean score over ALL kept texts (Alpaca's
   * `most_similar_instructions` / `avg_similarity_score`). Exact: texts sharing no token with
   * the query score 0, so only texts found through the inverted index are scored.
   */
  topKSimilar(text: string, k = 10): { mostSimilar: RougeMatch<Id>[]; averageScore: number } {
    const query = this.encodeKnown(this.tokensOf(text));
    const lcs = new LcsQuery(query);
    const scored: Array<{ index: number; score: number }> = [];
    let sum = 0;
    for (const index of this.textsSharingAnyToken(query)) {
      const score = rougeLF1(lcs.lcs(this.tokenPool, this.starts[index]!, this.lengthOf(index)), query.length, this.lengthOf(index));
      if (score === 0) continue;
      sum += score;
      scored.push({ index, score });
    }
    scored.sort((a, b) => b.score - a.score || a.index - b.index);
    return {
      mostSimilar: scored.slice(0, k).map(({ index, score }) => this.match(index, score)),
      averageScore: this.size === 0 ? 0 : sum / this.size,
    };
  }

  private tokensOf(text: string): string[] {
    if (this.lastTokenized?.text !== text) this.lastTokenized = { text, tokens: this.tokenizer(text) };
    return this.lastTokenized.tokens;
  }

  /** Token ids without growing the vocabulary: tokens never kept match nothing (-1). */
  private encodeKnown(tokens: readonly string[]): Int32Array {
    const ids = new Int32Array(tokens.length);
    for (let i = 0; i < tokens.length; i++) ids[i] = this.vocabulary.find(tokens[i]!);
    return ids;
  }

  private match(index: number, score: number): RougeMatch<Id> {
    return { id: this.ids[index]!, text: this.texts[index]!, score };
  }

  private lengthOf(index: number): number {
    return this.starts[index + 1]! - this.starts[index]!;
  }

  private appendTokens(tokens: Int32Array): void {
    const start = this.starts[this.starts.length - 1]!;
    if (start + tokens.length > this.tokenPool.length) {
      const grown = new Int32Array(Math.max(this.tokenPool.length * 2, start + tokens.length));
      grown.set(this.tokenPool);
      this.tokenPool = grown;
    }
    this.tokenPool.set(tokens, start);
    this.starts.push(start + tokens.length);
    // All counts are zero between queries, so a larger array need not copy the old one.
    if (this.ids.length > this.overlapCount.length) this.overlapCount = new Int32Array(this.overlapCount.length * 2);
  }

  private storeSignature(index: number, tokens: Int32Array): void {
    if (2 * index + 2 > this.signatures.length) {
      const grown = new Int32Array(this.signatures.length * 2);
      grown.set(this.signatures);
      this.signatures = grown;
    }
    let low = 0;
    let high = 0;
    for (const token of tokens) {
      const bit = signatureBit(token);
      if (bit < 32) low |= 1 << bit;
      else high |= 1 << (bit - 32);
    }
    this.signatures[2 * index] = low;
    this.signatures[2 * index + 1] = high;
  }

  /** How many of the `tokens` (with repeats) may occur in kept text `index`: never fewer than do. */
  private possiblyShared(index: number, bits: Int32Array): number {
    const low = this.signatures[2 * index]!;
    const high = this.signatures[2 * index + 1]!;
    let count = 0;
    for (let i = 0; i < bits.length; i++) {
      const bit = bits[i]!;
      if (bit >= 64) continue;
      if (bit < 32 ? (low >>> bit) & 1 : (high >>> (bit - 32)) & 1) count++;
    }
    return count;
  }

  /**
   * The kept text with the highest F1 above `threshold` (earliest on ties), or undefined.
   * Candidates come from the prefix of the query's rarest tokens; each is bounded by length and
   * by shared-token count before its LCS is computed, against the best score found so far.
   */
  private bestAbove(query: Int32Array, threshold: number): { index: number; score: number } | undefined {
    const m = query.length;
    if (m === 0 || this.size === 0 || threshold >= 1) return undefined;
    const ordered = this.byRarity(query);
    const prefix = ordered.subarray(0, this.prefixLength(m, threshold));
    const unprobedBits = ordered.subarray(prefix.length).map(signatureBit);
    const touched = this.countPrefixHits(prefix);
    const unprobed = m - prefix.length;
    const lcs = new LcsQuery(query);
    let best: { index: number; score: number } | undefined;
    for (const index of touched) {
      const n = this.lengthOf(index);
      const probedShared = this.overlapCount[index]!;
      this.overlapCount[index] = 0;
      // The fewest shared tokens that could still beat the bar (a text's F1 ≤ 2·shared/(m+n)).
      const needed = ((best === undefined ? threshold : best.score) - BOUND_SLACK) * (m + n) / 2;
      if (Math.min(probedShared + unprobed, m, n) < needed) continue;
      if (Math.min(probedShared + this.possiblyShared(index, unprobedBits), m, n) < needed) continue;
      const score = rougeLF1(lcs.lcs(this.tokenPool, this.starts[index]!, n), m, n);
      const better = best === undefined ? score > threshold : score > best.score || (score === best.score && index < best.index);
      if (better) best = { index, score };
    }
    return best;
  }

  /**
   * How many of the query's rarest tokens must be probed: m − τ + 1, where τ is the fewest shared
   * tokens any admissible text needs. The shortest admissible text (length bound) needs the least.
   */
  private prefixLength(m: number, threshold: number): number {
    const bar = threshold - BOUND_SLACK;
    let shortest = 1;
    while (shortest < m && (2 * shortest) / (m + shortest) < bar) shortest++;
    let tau = 1;
    while (tau < m && (2 * tau) / (m + shortest) < bar) tau++;
    return m - tau + 1;
  }

  /** The query's token occurrences ordered by posting-list length, rarest first. */
  private byRarity(query: Int32Array): Int32Array {
    const postingLength = (token: number): number => (token < 0 ? 0 : (this.postings[token]?.length ?? 0));
    return Int32Array.from(query).sort((a, b) => postingLength(a) - postingLength(b) || a - b); // equal tokens stay adjacent
  }

  /**
   * For every kept text sharing a prefix token, count the prefix occurrences it shares
   * (in `overlapCount`), and return those texts. The caller resets the counts.
   */
  private countPrefixHits(prefix: Int32Array): number[] {
    const touched: number[] = [];
    for (let i = 0; i < prefix.length; i++) {
      const token = prefix[i]!;
      if (token < 0) continue;
      let occurrences = 1;
      while (i + 1 < prefix.length && prefix[i + 1] === token) {
        occurrences++;
        i++;
      }
      for (const index of this.postings[token] ?? []) {
        if (this.overlapCount[index] === 0) touched.push(index);
        this.overlapCount[index]! += occurrences;
      }
    }
    return touched;
  }

  private textsSharingAnyToken(query: Int32Array): number[] {
    const seen = new Set<number>();
    for (const token of new Set(query)) {
      if (token < 0) continue;
      for (const index of this.postings[token] ?? []) seen.add(index);
    }
    return [...seen].sort((a, b) => a - b);
  }
}

/** A token's bit in the 64-bit signatures. Unknown tokens (-1) occur in no kept text: bit 64 is never set. */
function signatureBit(token: number): number {
  return token < 0 ? 64 : Math.imul(token, 0x9e3779b1) >>> 26;
}
