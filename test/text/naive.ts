/** Reference implementations written the slow, obvious way, to check the fast ones against. */
import { rougeLF1 } from "../../src/text/rougeL.js";

let previous = new Int32Array(64);
let current = new Int32Array(64);

/** The textbook O(m·n) dynamic programme (two rows). */
export function dpLcs<T>(a: ArrayLike<T>, b: ArrayLike<T>): number {
  if (b.length + 1 > previous.length) {
    previous = new Int32Array(b.length + 1);
    current = new Int32Array(b.length + 1);
  }
  previous.fill(0, 0, b.length + 1);
  current[0] = 0;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      current[j] = a[i - 1] === b[j - 1] ? previous[j - 1]! + 1 : Math.max(previous[j]!, current[j - 1]!);
    }
    [previous, current] = [current, previous];
  }
  return previous[b.length]!;
}

export function dpRougeL<T>(a: ArrayLike<T>, b: ArrayLike<T>): number {
  return rougeLF1(dpLcs(a, b), a.length, b.length);
}

export interface NaiveDecision {
  keep: boolean;
  bestIndex: number;
  bestScore: number;
}

/** Alpaca's loop: score against every kept text, drop when the best score exceeds the threshold. */
export function naiveGreedyFilter(texts: readonly string[][], threshold: number, seeds: readonly string[][] = []): NaiveDecision[] {
  const ids = new Map<string, number>();
  const encode = (tokens: readonly string[]): Int32Array => Int32Array.from(tokens, (token) => ids.get(token) ?? ids.set(token, ids.size).size - 1);
  const kept: Int32Array[] = seeds.map(encode);
  return texts.map((text) => {
    const tokens = encode(text);
    let bestIndex = -1;
    let bestScore = -1;
    kept.forEach((other, index) => {
      const score = dpRougeL(tokens, other);
      if (score > bestScore) {
        bestScore = score;
        bestIndex = index;
      }
    });
    const keep = !(bestScore > threshold);
    if (keep) kept.push(tokens);
    return { keep, bestIndex, bestScore };
  });
}
