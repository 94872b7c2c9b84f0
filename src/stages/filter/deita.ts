/**
 * `--select deita --budget K`: Deita's score-first, diversity-aware selection over the records
 * that passed the rules and were scored. The ranking and the walk are `diverseSelect.ts` (pure);
 * this file picks the closeness measure and fetches embeddings when one is configured.
 *
 * Measure: with `--embedding-model`, the cosine similarity of the endpoint's embeddings of the
 * whole record (Deita embeds the whole conversation), too close above 0.9 as in Deita; records
 * are embedded in rank order, a stretch at a time, only as far as the walk goes. Without,
 * the dedup stage's text tests: exact, MinHash Jaccard ≥ 0.8 of the record, ROUGE-L F1 > 0.7 of
 * the instruction (`--diversity-threshold` sets the ROUGE-L one) — our own measure, not Deita's.
 */
import { z } from "zod";
import type { RecordItem } from "../../io/records.js";
import type { Embedder } from "../../llm/embeddings.js";
import { dedupText } from "../dedup/index.js";
import { cosineNeighbourhood, DEITA_COSINE_THRESHOLD, DiverseWalk, rankByScore, selectDiverse, textNeighbourhood, type DiverseSelection } from "./diverseSelect.js";
import { rankScore, type RankedCandidate } from "./select.js";

/** Without embeddings: ROUGE-L F1 of instructions above which a record is too close (the dedup stage's and Self-Instruct's 0.7). */
export const TEXT_ROUGE_THRESHOLD = 0.7;
/** Without embeddings: MinHash Jaccard of whole records at which a record is too close (the dedup stage's default). */
export const TEXT_MINHASH_THRESHOLD = 0.8;

export const DeitaSelection = z.strictObject({
  method: z.literal("deita"),
  /** How many records to keep (Deita released 6K and 10K selections). */
  budget: z.number().int().positive(),
  /** Embed with this model through the endpoint's /embeddings; absent → the text measure. */
  embeddingModel: z.string().min(1).optional(),
  /** Too close above this: cosine similarity (default 0.9) or, without embeddings, ROUGE-L F1 (default 0.7). */
  threshold: z.number().min(0).max(1).optional(),
});
export type DeitaSelection = z.infer<typeof DeitaSelection>;

export type SelectionMeasure = "embedding-cosine" | "text-rouge-l-minhash";

export function measureOf(selection: DeitaSelection): { measure: SelectionMeasure; threshold: number } {
  return selection.embeddingModel === undefined
    ? { measure: "text-rouge-l-minhash", threshold: selection.threshold ?? TEXT_ROUGE_THRESHOLD }
    : { measure: "embedding-cosine", threshold: selection.threshold ?? DEITA_COSINE_THRESHOLD };
}

type Selectable = RankedCandidate & { item: RecordItem };

export interface DeitaOutcome<C> {
  /** In rank order, best first. */
  kept: Array<{ candidate: C; rank: number; deitaScore: number }>;
  rejected: Array<{ candidate: C; reason: "too_similar" | "over_budget"; evidence: Record<string, unknown> }>;
}

/** Embeddings are fetched a stretch of the ranking at a time: the records still to select, at least this many. */
const MIN_EMBEDDED_AHEAD = 512;

export async function chooseDeita<C extends Selectable>(candidates: readonly C[], selection: DeitaSelection, embedder: Embedder | undefined): Promise<DeitaOutcome<C>> {
  const ranked = rankByScore(candidates);
  const { measure, threshold } = measureOf(selection);
  const records = ranked.map((candidate) => candidate.item.record);
  const walk =
    measure === "text-rouge-l-minhash"
      ? selectDiverse(ranked, selection.budget, textNeighbourhood(records, { rougeL: threshold, minhash: TEXT_MINHASH_THRESHOLD }))
      : await walkEmbedded(ranked, selection.budget, threshold, embedder);
  return {
    kept: walk.selected.map(({ candidate, rank }) => ({ candidate, rank: rank + 1, deitaScore: rankScore(candidate) })),
    rejected: [
      ...walk.tooClose.map(({ candidate, rank, closeTo }) => ({
        candidate,
        reason: "too_similar" as const,
        evidence: {
          rank: rank + 1,
          deitaScore: rankScore(candidate),
          measure: closeTo.measure,
          similarity: closeTo.similarity,
          threshold: closeTo.measure === "minhash" ? TEXT_MINHASH_THRESHOLD : threshold,
          similarTo: { line: closeTo.candidate.item.line, rank: closeTo.rank + 1, instruction: closeTo.candidate.item.record.instruction },
        },
      })),
      ...walk.overBudget.map(({ candidate, rank }) => ({ candidate, reason: "over_budget" as const, evidence: { rank: rank + 1, deitaScore: rankScore(candidate), budget: selection.budget } })),
    ],
  };
}

/** The walk with embeddings of the whole record (Deita embeds the whole conversation), fetched only as far as the walk goes. */
async function walkEmbedded<C extends Selectable>(ranked: readonly C[], budget: number, threshold: number, embedder: Embedder | undefined): Promise<DiverseSelection<C>> {
  if (!embedder) throw new Error("internal: embedding measure without an embedder");
  const vectors: Float32Array[] = [];
  const walk = new DiverseWalk(ranked, budget, cosineNeighbourhood(vectors, threshold));
  while (vectors.length < ranked.length && !walk.full) {
    const stretch = ranked.slice(vectors.length, vectors.length + Math.max(MIN_EMBEDDED_AHEAD, walk.remaining));
    for (const vector of await embedder.embed(stretch.map((candidate) => dedupText(candidate.item.record, "record")))) vectors.push(Float32Array.from(vector));
    walk.advance(vectors.length);
  }
  return walk.result();
}
