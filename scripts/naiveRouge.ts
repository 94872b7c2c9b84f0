/**
 * The Self-Instruct ROUGE-L filter written the obvious way: every kept text, a full DP LCS each.
 * The benches' baseline, and a fixed amount of CPU work that does not change with our filter.
 */
import { rougeLF1 } from "../src/text/rougeL.js";
import { tokenize } from "../src/text/tokenize.js";

/** How many of `texts` a greedy filter keeps (dropped when ROUGE-L F1 > threshold against a kept one). */
export function naiveFilter(texts: readonly string[], threshold: number): number {
  const kept: string[][] = [];
  for (const text of texts) {
    const tokens = tokenize(text);
    if (!kept.some((other) => rougeLF1(dpLcs(tokens, other), tokens.length, other.length) > threshold)) kept.push(tokens);
  }
  return kept.length;
}

function dpLcs(a: readonly string[], b: readonly string[]): number {
  let previous = new Int32Array(b.length + 1);
  let current = new Int32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) current[j] = a[i - 1] === b[j - 1] ? previous[j - 1]! + 1 : Math.max(previous[j]!, current[j - 1]!);
    [previous, current] = [current, previous];
  }
  return previous[b.length]!;
}
