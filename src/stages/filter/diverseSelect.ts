/**
 * Deita's score-first, diversity-aware selection (Liu et al. 2023, "What Makes Good Data for
 * Alignment?", §3; hkust-nlp/deita, src/deita/selection/filter/base.py): rank the records by
 * complexity × quality, walk the ranking, and add a record unless it is too close to one already
 * added, until the budget is full. Pure: the closeness test is a `Neighbourhood` handed in
 * (embedding cosine or our text similarity), so this runs without HTTP.
 */
import { DuplicateDetector } from "../dedup/detector.js";
import { recordPreparer } from "../dedup/index.js";
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
  const walk = new DiverseWalk(ranked, budget, neighbourhood);
  walk.advance(ranked.length);
  return walk.result();
}

/**
 * The same walk taken in steps, for a caller that fetches what the neighbourhood needs (the
 * embeddings) a stretch of the ranking at a time and stops fetching once the budget is full.
 */
export class DiverseWalk<C> {
  private readonly selection: DiverseSelection<C> = { selected: [], tooClose: [], overBudget: [] };
  private next = 0;

  constructor(
    private readonly ranked: readonly C[],
    private readonly budget: number,
    private readonly neighbourhood: Neighbourhood,
  ) {}

  get full(): boolean {
    return this.selection.selected.length >= this.budget;
  }

  /** Records still to select. */
  get remaining(): number {
    return Math.max(0, this.budget - this.selection.selected.length);
  }

  /** Walk the ranking up to (not including) `end`, or until the budget is full. */
  advance(end: number): void {
    for (; this.next < Math.min(end, this.ranked.length) && !this.full; this.next++) {
      const rank = this.next;
      const candidate = this.ranked[rank]!;
      const close = this.neighbourhood.tooCloseTo(rank);
      if (close) {
        this.selection.tooClose.push({ candidate, rank, closeTo: { candidate: this.ranked[close.rank]!, ...close } });
        continue;
      }
      this.neighbourhood.add(rank);
      this.selection.selected.push({ candidate, rank });
    }
  }

  /** The selection; everything not walked yet is over the budget (call once the walk is full or done). */
  result(): DiverseSelection<C> {
    const overBudget = this.ranked.slice(this.next).map((candidate, i) => ({ candidate, rank: this.next + i }));
    return { ...this.selection, overBudget };
  }
}

/**
 * Embedding vectors by rank (read when a rank is reached, so the array may be filled as the walk
 * goes); too close = cosine similarity above the threshold with any selected record (the most
 * similar one is reported). Deita normalises its embeddings first, as here.
 */
export function cosineNeighbourhood(vectorsByRank: ReadonlyArray<ArrayLike<number>>, threshold = DEITA_COSINE_THRESHOLD): Neighbourhood {
  let pool: CosinePool | undefined;
  const rankOf: number[] = [];
  const vectorOf = (rank: number) => {
    const vector = vectorsByRank[rank];
    if (vector === undefined) throw new Error(`internal: no embedding for rank ${rank}`);
    return vector;
  };
  return {
    tooCloseTo(rank) {
      const match = pool?.mostSimilarAbove(vectorOf(rank), threshold);
      return match && { rank: rankOf[match.position]!, similarity: match.similarity, measure: "cosine" };
    },
    add(rank) {
      const vector = vectorOf(rank);
      pool ??= new CosinePool(vector.length);
      pool.add(vector);
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
  const detector = new DuplicateDetector({ rougeL: thresholds.rougeL, minhash: thresholds.minhash });
  const prepare = recordPreparer("record", thresholds.minhash, thresholds.rougeL > 0);
  /** The rank of each kept record, by its position in the detector. */
  const rankAt: number[] = [];
  return {
    tooCloseTo(rank) {
      const duplicate = detector.find(prepare(recordsByRank[rank]!));
      return duplicate && { rank: rankAt[duplicate.position]!, similarity: duplicate.score, measure: duplicate.method };
    },
    add: (rank) => {
      rankAt[detector.keep(prepare(recordsByRank[rank]!))] = rank;
    },
  };
}
