/**
 * The Self-Instruct similarity filter: a text is kept when its ROUGE-L F1 against every text
 * kept before it is ≤ threshold. This is its face for strings (tokenizer, vocabulary, the kept
 * texts and their ids); the search, exact and pruned, is `RougeIndex`'s, over token ids.
 * `topKSimilar` scores every kept text when the closest ones are wanted.
 */
import { RougeIndex } from "./rougeIndex.js";
import { tokenize, Vocabulary } from "./tokenize.js";

export interface RougeMatch<Id> {
  id: Id;
  text: string;
  score: number;
}

export interface RougeVerdict<Id> {
  /** true when no kept text scores above the threshold. */
  keep: boolean;
  /** When dropped: a kept text scoring above the threshold (the first found, not necessarily the closest). */
  similar?: RougeMatch<Id>;
}

export interface RougeFilterOptions {
  /** Drop when F1 > threshold (Alpaca: 0.7). */
  threshold?: number;
  /** Text → tokens; default `tokenize` (rouge_score for English, per character for CJK). */
  tokenizer?: (text: string) => string[];
}

export class RougeFilter<Id = string> {
  readonly threshold: number;
  private readonly tokenizer: (text: string) => string[];
  private readonly vocabulary = new Vocabulary();
  private readonly index: RougeIndex;
  private readonly ids: Id[] = [];
  private readonly texts: string[] = [];
  private lastTokenized: { text: string; tokens: string[] } | undefined;

  constructor(options: RougeFilterOptions = {}) {
    this.index = new RougeIndex(options.threshold ?? 0.7);
    this.threshold = this.index.threshold;
    this.tokenizer = options.tokenizer ?? tokenize;
  }

  /** Number of kept texts (seeds included). */
  get size(): number {
    return this.ids.length;
  }

  /** Would `text` be kept? Does not add it. */
  check(text: string): RougeVerdict<Id> {
    const found = this.index.firstAbove(this.tokenIds(text, false));
    if (found === undefined) return { keep: true };
    return { keep: false, similar: this.match(found.index, found.score) };
  }

  /** Add a kept text to the pool (call after `check` said keep, or for seeds). */
  add(text: string, id: Id): void {
    this.index.add(this.tokenIds(text, true));
    this.ids.push(id);
    this.texts.push(text);
  }

  /** `check`, then `add` when kept. */
  checkAndAdd(text: string, id: Id): RougeVerdict<Id> {
    const verdict = this.check(text);
    if (verdict.keep) this.add(text, id);
    return verdict;
  }

  /**
   * The k most similar kept texts and the mean score over ALL kept texts (Alpaca's
   * `most_similar_instructions` / `avg_similarity_score`): every kept text is scored, as in Alpaca.
   */
  topKSimilar(text: string, k = 10): { mostSimilar: RougeMatch<Id>[]; averageScore: number } {
    const scored = this.index.scoreAll(this.tokenIds(text, false));
    let sum = 0;
    for (const { score } of scored) sum += score;
    scored.sort((a, b) => b.score - a.score || a.index - b.index);
    return {
      mostSimilar: scored.slice(0, k).map(({ index, score }) => this.match(index, score)),
      averageScore: this.size === 0 ? 0 : sum / this.size,
    };
  }

  /**
   * Token ids of `text`; with `intern` false, tokens no kept text has are -1. English text under
   * the default tokenizer is read straight into ids (`Vocabulary.encodeAscii`), the rest is
   * tokenized first.
   */
  private tokenIds(text: string, intern: boolean): Int32Array {
    if (this.tokenizer === tokenize) {
      const ids = this.vocabulary.encodeAscii(text, intern);
      if (ids !== undefined) return ids;
    }
    const tokens = this.tokensOf(text);
    return intern ? this.vocabulary.encode(tokens) : this.encodeKnown(tokens);
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
}
