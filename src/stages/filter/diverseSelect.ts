/**
 * Deita's score-first, diversity-aware selection (Liu et al. 2023, "What Makes Good Data for
 * Alignment?", §3; hkust-nlp/deita, src/deita/selection/filter/base.py): rank the records by
 * complexity × quality, walk the ranking, and add a record unless it is too close to one already
 * added, until the budget is full. Pure: the closeness test is a `Neighbourhood` handed in
 * (embedding cosine or our text similarity), so this runs without HTTP.
 */
import { DuplicateDetector } from "../dedup/index.js";
import type { AlpacaRecord } from "../../schemas.js";
import { CosinePool } from "../../text/cosine.js";
import { rankScore, type RankedCandidate } from "./select.js";

/** Deita drops a record whose embedding has cosine similarity > 0.9 with a selected one (combined_filter.py: threshold 0.9). */
export const DEITA_COSINE_THRESHOLD = 0.9;

export interface CloseMatch {
  /** Rank (0-based position in the ranking) of the selected record it is too close to. */
  rank: number;
  similarity: number;
  /** "cosine" for embeddings; "exact", "minhash" or "rouge-l" for the text measure. */
  measure: string;
}

/** The records selected so far, by rank, and the test of a new one against them. */
export interface Neighbourhood {
  tooCloseTo(rank: number): CloseMatch | undefined;
  add(rank: number): void;
}

export interface DiverseSelection<C> {
  /** In rank order. */
  selected: Array<{ candidate: C; rank: number }>;
  tooClose: Array<{ candidate: C; rank: number; closeTo: { candidate: C } & CloseMatch }>;
  /** Ranked after the budget was full: never compared. */
  overBudget: Array<{ candidate: C; rank: number }>;
}

/** Highest complexity × quality first; ties go to the earlier record. */
export function rankByScore<C extends RankedCandidate>(candidates: readonly C[]): C[] {
  return [...candidates].sort((a, b) => rankScore(b) - rankScore(a) || a.index - b.index);
}

export function selectDiverse<C>(ranked: readonly C[], budget: number, neighbourhood: Neighbourhood): DiverseSelection<C> {
  const selection: DiverseSelection<C> = { selected: [], tooClose: [], overBudget: [] };
  ranked.forEach((candidate, rank) => {
    if (selection.selected.length >= budget) {
      selection.overBudget.push({ candidate, rank });
      return;
    }
    const close = neighbourhood.tooCloseTo(rank);
    if (close) {
      selection.tooClose.push({ candidate, rank, closeTo: { candidate: ranked[close.rank]!, ...close } });
      return;
    }
    neighbourhood.add(rank);
    selection.selected.push({ candidate, rank });
  });
  return selection;
}

/**
 * Embedding vectors by rank; too close = cosine similarity above the threshold with any selected
 * record (the most similar one is reported). Deita normalises its embeddings first, as here.
 */
export function cosineNeighbourhood(vectorsByRank: ReadonlyArray<ArrayLike<number>>, threshold = DEITA_COSINE_THRESHOLD): Neighbourhood {
  const pool = new CosinePool(vectorsByRank[0]?.length ?? 1);
  const rankOf: number[] = [];
  return {
    tooCloseTo(rank) {
      const match = pool.mostSimilarAbove(vectorsByRank[rank]!, threshold);
      return match && { rank: rankOf[match.position]!, similarity: match.similarity, measure: "cosine" };
    },
    add(rank) {
      pool.add(vectorsByRank[rank]!);
      rankOf.push(rank);
    },
  };
}

export interface TextSimilarityThresholds {
  /** ROUGE-L F1 of the instructions above which a record is too close (dedup's default 0.7). */
  rougeL: number;
  /** MinHash Jaccard of the whole records at or above which it is too close (dedup's default 0.8). */
  minhash: number;
}

/** Without embeddings: the dedup stage's exact / MinHash / ROUGE-L tests against the selected records. */
export function textNeighbourhood(recordsByRank: readonly AlpacaRecord[], thresholds: TextSimilarityThresholds): Neighbourhood {
  const detector = new DuplicateDetector({ rougeL: thresholds.rougeL, minhash: thresholds.minhash, field: "record" });
  const ref = (rank: number) => ({ source: "input" as const, index: rank, record: recordsByRank[rank]! });
  return {
    tooCloseTo(rank) {
      const duplicate = detector.findDuplicate(ref(rank));
      return duplicate && { rank: duplicate.duplicateOf.index, similarity: duplicate.score, measure: duplicate.method };
    },
    add: (rank) => detector.keep(ref(rank)),
  };
}
