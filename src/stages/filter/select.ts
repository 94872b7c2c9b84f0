/**
 * `--top K`: keep the K best-ranked records. The rank score is quality × complexity when both are
 * scored (Deita's combination), otherwise whichever one is; ties go to the earlier record. The
 * kept records are returned in input order.
 */
export interface RankedCandidate {
  /** Position in the input (0-based): tie-breaker and output order. */
  index: number;
  quality?: number;
  complexity?: number;
}

export function rankScore(candidate: RankedCandidate): number {
  return (candidate.quality ?? 1) * (candidate.complexity ?? 1);
}

export function selectTopK<C extends RankedCandidate>(candidates: readonly C[], k: number): { kept: C[]; dropped: C[] } {
  const ranked = [...candidates].sort((a, b) => rankScore(b) - rankScore(a) || a.index - b.index);
  const keptIndexes = new Set(ranked.slice(0, k).map((c) => c.index));
  const byInput = [...candidates].sort((a, b) => a.index - b.index);
  return { kept: byInput.filter((c) => keptIndexes.has(c.index)), dropped: byInput.filter((c) => !keptIndexes.has(c.index)) };
}
