/**
 * The most similar instruction pairs: from generate's meta (`most_similar_instructions`) when
 * present, otherwise ROUGE-L computed here for runs small enough to compare all pairs.
 */
import { LcsQuery, rougeLF1 } from "../text/rougeL.js";
import { tokenize, Vocabulary } from "../text/tokenize.js";
import type { ReportMeta } from "./load.js";

export interface SimilarPair {
  instruction: string;
  similar: string;
  score: number;
}

export interface SimilarPairs {
  source: "meta" | "computed" | "none";
  pairs: SimilarPair[];
}

export const TOP_PAIRS = 20;
/** All-pairs ROUGE-L is quadratic; above this the report says so instead of stalling. */
export const COMPUTE_LIMIT = 2000;

export function topSimilarPairs(instructions: readonly string[], meta: readonly ReportMeta[]): SimilarPairs {
  const fromMeta = pairsFromMeta(instructions, meta);
  if (fromMeta.length > 0) return { source: "meta", pairs: fromMeta };
  if (instructions.length < 2 || instructions.length > COMPUTE_LIMIT) return { source: "none", pairs: [] };
  return { source: "computed", pairs: computePairs(instructions) };
}

/** meta.jsonl lines are written in the same order as data.jsonl lines, so index i describes record i. */
function pairsFromMeta(instructions: readonly string[], meta: readonly ReportMeta[]): SimilarPair[] {
  const best = new TopPairs();
  for (let i = 0; i < Math.min(instructions.length, meta.length); i++) {
    for (const [similar, score] of Object.entries(meta[i]!.most_similar_instructions ?? {})) best.offer({ instruction: instructions[i]!, similar, score });
  }
  return best.sorted();
}

function computePairs(instructions: readonly string[]): SimilarPair[] {
  const vocabulary = new Vocabulary();
  const encoded = instructions.map((text) => vocabulary.encode(tokenize(text)));
  const best = new TopPairs();
  for (let i = 0; i < encoded.length; i++) {
    const query = new LcsQuery(encoded[i]!);
    for (let j = i + 1; j < encoded.length; j++) {
      const score = rougeLF1(query.lcs(encoded[j]!), encoded[i]!.length, encoded[j]!.length);
      if (score > 0) best.offer({ instruction: instructions[i]!, similar: instructions[j]!, score });
    }
  }
  return best.sorted();
}

/** Keeps the best TOP_PAIRS distinct unordered pairs without sorting every candidate. */
export class TopPairs {
  private readonly byKey = new Map<string, SimilarPair>();
  private floor = -Infinity;

  offer(pair: SimilarPair): void {
    if (pair.score <= this.floor || pair.instruction === pair.similar) return;
    const key = [pair.instruction, pair.similar].sort().join("\u0000");
    const held = this.byKey.get(key);
    if (held && held.score >= pair.score) return;
    this.byKey.set(key, pair);
    if (this.byKey.size > TOP_PAIRS * 4) this.prune();
  }

  sorted(): SimilarPair[] {
    return [...this.byKey.values()].sort((a, b) => b.score - a.score || a.instruction.localeCompare(b.instruction)).slice(0, TOP_PAIRS);
  }

  private prune(): void {
    const kept = this.sorted();
    this.byKey.clear();
    for (const pair of kept) this.byKey.set([pair.instruction, pair.similar].sort().join("\u0000"), pair);
    this.floor = kept[kept.length - 1]!.score;
  }
}
