import { describe, expect, it } from "vitest";
import { RougeFilter } from "../../src/text/rougeFilter.js";
import { tokenize } from "../../src/text/tokenize.js";
import { dpRougeL, naiveGreedyFilter } from "./naive.js";
import { nearDuplicateTexts as corpus } from "./random.js";

/** Same decisions as the naive filter; each drop names a kept text (or seed) whose true score is above the threshold. */
function compareWithNaive(texts: string[], seeds: string[], threshold: number): { dropped: number } {
  const filter = new RougeFilter<number>({ threshold });
  seeds.forEach((seed, index) => filter.add(seed, -1 - index));
  const expected = naiveGreedyFilter(texts.map(tokenize), threshold, seeds.map(tokenize));
  const keptTexts = new Map<number, string>(seeds.map((seed, index) => [-1 - index, seed]));
  let dropped = 0;
  texts.forEach((text, i) => {
    const verdict = filter.checkAndAdd(text, i);
    expect(verdict.keep, `record ${i}`).toBe(expected[i]!.keep);
    if (verdict.keep) keptTexts.set(i, text);
    else {
      dropped++;
      const { id, text: similarText, score } = verdict.similar!;
      expect(keptTexts.get(id), `record ${i}: names a kept text`).toBe(similarText);
      expect(score).toBe(dpRougeL(tokenize(text), tokenize(similarText)));
      expect(score).toBeGreaterThan(threshold);
    }
  });
  return { dropped };
}

describe("RougeFilter", () => {
  it("makes the same decisions as the naive all-pairs greedy filter (English, with seeds)", () => {
    const texts = corpus(7, 2000, false);
    const { dropped } = compareWithNaive(texts.slice(100), texts.slice(0, 100), 0.7);
    expect(dropped).toBeGreaterThan(200);
    expect(dropped).toBeLessThan(2000);
  });

  it("makes the same decisions as the naive filter on Chinese and at other thresholds", () => {
    expect(compareWithNaive(corpus(11, 1200, true), [], 0.7).dropped).toBeGreaterThan(100);
    expect(compareWithNaive(corpus(12, 800, false), [], 0.5).dropped).toBeGreaterThan(100);
    expect(compareWithNaive(corpus(13, 800, false), [], 0.9).dropped).toBeGreaterThan(20);
  });

  it("names the kept text it drops for, and drops at Alpaca's float tie", () => {
    const filter = new RougeFilter<string>();
    filter.add("a b c d e f g", "seed-1");
    // LCS 7 of lengths 7 and 13: rouge_score gives 0.7000000000000001 > 0.7, so Alpaca drops it.
    const verdict = filter.check("a b c d e f g x y z u v w");
    expect(verdict).toEqual({ keep: false, similar: { id: "seed-1", text: "a b c d e f g", score: 0.7000000000000001 } });
    expect(filter.check("a b c x y z u v w t").keep).toBe(true);
    expect(filter.size).toBe(1);
  });

  it("catches Traditional vs Simplified Chinese duplicates", () => {
    const filter = new RougeFilter<number>();
    filter.add("请写一篇关于环境保护的文章", 0);
    expect(filter.check("請寫一篇關於環境保護的文章").keep).toBe(false);
  });

  it("topKSimilar returns exact top scores and the mean over all kept texts", () => {
    const texts = corpus(21, 400, false);
    const filter = new RougeFilter<number>();
    texts.forEach((text, i) => filter.add(text, i));
    const query = texts[5]!;
    const scores = texts.map((text) => dpRougeL(tokenize(query), tokenize(text)));
    const { mostSimilar, averageScore } = filter.topKSimilar(query, 10);
    const expectedTop = [...scores].sort((a, b) => b - a).slice(0, 10);
    expect(mostSimilar.map((match) => match.score)).toEqual(expectedTop);
    expect(mostSimilar[0]!.id).toBe(5);
    expect(averageScore).toBeCloseTo(scores.reduce((a, b) => a + b, 0) / texts.length, 12);
  });
});
