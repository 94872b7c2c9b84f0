/**
 * The search behind the ROUGE-L filter, over token ids: which kept text, if any, scores above
 * the threshold against a query. F1 = 2·LCS/(m+n) and LCS is at most the number of tokens two
 * texts share, so a kept text of n tokens needs ⌈threshold·(m+n)/2⌉ shared tokens to matter; the
 * overlap index finds only those, with their exact shared count, and that count is checked
 * before any LCS is computed.
 *
 * A drop needs one kept text above the threshold, so the search ends at the first one found
 * (texts of the query's length first, then lengths further away): finding the most similar one
 * would cost a dropped text more than a kept one (measured: 115 against 100 µs per check; the
 * first one takes 50). `scoreAll` scores them all when the closest ones are wanted.
 */
import { FIRST_FREEZE_VALUES, OverlapIndex } from "./overlapIndex.js";
import { LcsQuery, rougeLF1 } from "./rougeL.js";
import { withRoomInt32 } from "./typedArrays.js";

/** Scores below the real bound by less than this are still scored: float rounding never prunes a pass. */
const BOUND_SLACK = 1e-9;

export interface RougeIndexOptions {
  /**
   * The share of a whole index this one is expected to hold (one of several shards: 1/2), so its
   * lists are laid out for reading at the same total size (see `FIRST_FREEZE_VALUES`).
   */
  share?: number;
}

export class RougeIndex {
  readonly threshold: number;
  private readonly overlapIndex: OverlapIndex;
  private tokenPool = new Int32Array(1024);
  private starts: number[] = [0];

  constructor(threshold: number, options: RougeIndexOptions = {}) {
    if (!(threshold >= 0 && threshold <= 1)) throw new RangeError(`ROUGE-L threshold must be in [0, 1], got ${threshold}`);
    this.threshold = threshold;
    this.overlapIndex = new OverlapIndex({ firstFreezeValues: Math.round(FIRST_FREEZE_VALUES * (options.share ?? 1)) });
  }

  /** Number of texts added. */
  get size(): number {
    return this.starts.length - 1;
  }

  /** Add a kept text's token ids (≥ 0); its index is the number added before it. */
  add(tokens: Int32Array): void {
    const start = this.starts[this.starts.length - 1]!;
    this.tokenPool = withRoomInt32(this.tokenPool, start + tokens.length);
    this.tokenPool.set(tokens, start);
    this.starts.push(start + tokens.length);
    this.overlapIndex.add(tokens);
  }

  /** A kept text with F1 above the threshold (the first the overlap index offers), or undefined; ids < 0 match nothing. */
  firstAbove(query: Int32Array): { index: number; score: number } | undefined {
    const m = query.length;
    const threshold = this.threshold;
    if (m === 0 || threshold >= 1) return undefined;
    let lcs: LcsQuery | undefined; // built on the first candidate: most queries have none
    let found: { index: number; score: number } | undefined;
    this.overlapIndex.forEachCandidate(query, (n) => sharedRequired(threshold, m, n), (index, shared) => {
      const n = this.lengthOf(index);
      if (shared < sharedRequired(threshold, m, n)) return false;
      lcs ??= new LcsQuery(query);
      const score = rougeLF1(lcs.lcs(this.tokenPool, this.starts[index]!, n), m, n);
      if (score > threshold) found = { index, score };
      return found !== undefined;
    });
    return found;
  }

  /** Every kept text scoring above 0 against `query`, in index order. */
  scoreAll(query: Int32Array): Array<{ index: number; score: number }> {
    const lcs = new LcsQuery(query);
    const scored: Array<{ index: number; score: number }> = [];
    for (let index = 0; index < this.size; index++) {
      const score = rougeLF1(lcs.lcs(this.tokenPool, this.starts[index]!, this.lengthOf(index)), query.length, this.lengthOf(index));
      if (score > 0) scored.push({ index, score });
    }
    return scored;
  }

  private lengthOf(index: number): number {
    return this.starts[index + 1]! - this.starts[index]!;
  }
}

/**
 * The fewest tokens a query of m tokens and a kept text of n tokens must share for F1 to exceed
 * `threshold` (Infinity when none can): F1 ≤ 2·shared/(m+n), and ≤ 2·min(m,n)/(m+n).
 */
function sharedRequired(threshold: number, m: number, n: number): number {
  const bar = threshold - BOUND_SLACK;
  if ((2 * Math.min(m, n)) / (m + n) < bar) return Infinity;
  return Math.max(1, Math.ceil((bar * (m + n)) / 2));
}
