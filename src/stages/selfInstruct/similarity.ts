/**
 * The ROUGE-L novelty check over seeds and every accepted instruction, in acceptance order,
 * plus Alpaca's diagnostics for kept records (`most_similar_instructions`, `avg_similarity_score`).
 */
import { RougeFilter } from "../../text/rougeFilter.js";
import type { Rejection } from "./rules.js";

export interface SimilarityMeta {
  most_similar_instructions: Record<string, number>;
  avg_similarity_score: number;
}

export class NoveltyIndex {
  private readonly filter: RougeFilter<string>;

  constructor(
    threshold: number,
    private readonly options: { filter: boolean; diagnostics: boolean },
  ) {
    this.filter = new RougeFilter<string>({ threshold });
  }

  get size(): number {
    return this.filter.size;
  }

  add(instruction: string, id: string): void {
    this.filter.add(instruction, id);
  }

  /** The rejection `admit` would give, without keeping anything. */
  screen(instruction: string): Rejection | undefined {
    if (!this.options.filter) return undefined;
    const verdict = this.filter.check(instruction);
    if (verdict.keep || !verdict.similar) return undefined;
    const { text, score, id } = verdict.similar;
    return { reason: "too_similar", detail: { rougeL: score, threshold: this.filter.threshold, similarTo: text, similarToId: id } };
  }

  /**
   * Reject when too close to a kept instruction; otherwise keep it and return its diagnostics.
   * `idOf` is called only for a kept instruction: most candidates are rejected, and their ids
   * would be hashed for nothing.
   */
  admit(instruction: string, idOf: () => string): { rejection: Rejection } | { meta: SimilarityMeta | Record<string, never> } {
    // A kept instruction above the threshold: the evidence for the drop, not necessarily the closest one.
    const rejection = this.screen(instruction);
    if (rejection) return { rejection };
    if (!this.options.diagnostics) {
      this.filter.add(instruction, idOf());
      return { meta: {} };
    }
    const { mostSimilar, averageScore } = this.filter.topKSimilar(instruction, 10);
    this.filter.add(instruction, idOf());
    return {
      meta: {
        most_similar_instructions: Object.fromEntries(mostSimilar.map((match) => [match.text, round(match.score)])),
        avg_similarity_score: round(averageScore),
      },
    };
  }
}

function round(score: number): number {
  return Math.round(score * 1e4) / 1e4;
}
