import { describe, expect, it } from "vitest";
import { LcsQuery, lcsLength, rougeL, rougeLF1 } from "../../src/text/rougeL.js";
import { Vocabulary } from "../../src/text/tokenize.js";
import { dpLcs } from "./naive.js";
import { perturb, randomChinese, randomInt, randomSentence, seededRandom } from "./random.js";

describe("rougeLF1", () => {
  it("is rouge_score's float formula, including its tie behaviour", () => {
    expect(rougeLF1(7, 7, 13)).toBe(0.7000000000000001); // Python: 2*p*r/(p+r) with p=7/13, r=7/7
    expect(rougeLF1(7, 10, 10)).toBe(0.7);
    expect(rougeLF1(0, 5, 5)).toBe(0);
    expect(rougeLF1(0, 0, 5)).toBe(0);
    expect(rougeLF1(3, 4, 6)).toBe(rougeLF1(3, 6, 4));
  });
});

describe("bit-parallel LCS", () => {
  it("equals the DP on thousands of random English and Chinese pairs, short and long", () => {
    const random = seededRandom(42);
    const vocabulary = new Vocabulary();
    for (let trial = 0; trial < 3000; trial++) {
      const long = trial % 10 === 0;
      const a = trial % 2 === 0 ? randomSentence(random, 0, long ? 140 : 40, 60) : randomChinese(random, 0, long ? 200 : 40);
      const b = random() < 0.5 ? perturb(random, a, randomInt(random, 0, 8), () => a[0] ?? "x") : trial % 2 === 0 ? randomSentence(random, 0, 70, 60) : randomChinese(random, 0, 90);
      const expected = dpLcs(a, b);
      const ids = (tokens: string[]): Int32Array => vocabulary.encode(tokens);
      expect(lcsLength(ids(a), ids(b))).toBe(expected);
      expect(new LcsQuery(ids(a)).lcs(ids(b))).toBe(expected);
      expect(new LcsQuery(ids(b)).lcs(ids(a))).toBe(expected);
      expect(rougeL(ids(a), ids(b))).toBe(rougeLF1(expected, a.length, b.length));
    }
  });

  it("handles word boundaries exactly (lengths 31, 32, 33, 64, 65)", () => {
    for (const length of [31, 32, 33, 63, 64, 65, 96]) {
      const a = Array.from({ length }, (_, i) => i % 7);
      const b = Array.from({ length: length + 3 }, (_, i) => (i * 3) % 7);
      expect(lcsLength(a, b)).toBe(dpLcs(a.map(String), b.map(String)));
    }
  });

  it("scores a sub-range of a pooled array and ignores unknown (-1) tokens", () => {
    const query = new LcsQuery([1, 2, -1, 3]);
    expect(query.lcs([9, 1, 2, 3, 9], 1, 3)).toBe(3);
    expect(query.lcs([-1, -1])).toBe(0);
  });
});
