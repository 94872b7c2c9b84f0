import { describe, expect, it } from "vitest";
import { CosinePool, dot, unitVector } from "../../src/text/cosine.js";
import { seededRandom } from "../../src/text/random.js";

describe("CosinePool", () => {
  it("finds the same most-similar vector above the threshold as scoring every pair (pruned pairs never matter)", () => {
    const random = seededRandom(9);
    const dimensions = 96;
    const randomVector = (bias: number) => Array.from({ length: dimensions }, (_, d) => random() - 0.5 + (d < 20 ? bias : 0));
    // Clusters of near neighbours around shared directions, plus unrelated vectors, at two levels of anisotropy.
    const pooled: number[][] = [];
    for (let i = 0; i < 300; i++) {
      const base = randomVector(i % 2 === 0 ? 0 : 0.6);
      pooled.push(base, base.map((x) => x + (random() - 0.5) * 0.2), base.map((x) => x + (random() - 0.5) * 0.6));
    }
    const pool = new CosinePool(dimensions);
    for (const vector of pooled) pool.add(vector);
    const stored = pooled.map((vector) => Float32Array.from(unitVector(vector)));
    let matches = 0;
    for (let q = 0; q < 400; q++) {
      const query = q % 2 === 0 ? pooled[Math.floor(random() * pooled.length)]!.map((x) => x + (random() - 0.5) * 0.4) : randomVector(0.6);
      for (const threshold of [0.5, 0.9, 0.97]) {
        const unit = unitVector(query);
        let expected: { position: number; similarity: number } | undefined;
        stored.forEach((vector, position) => {
          const similarity = dot(unit, vector);
          if (similarity > threshold && (expected === undefined || similarity > expected.similarity)) expected = { position, similarity };
        });
        expect(pool.mostSimilarAbove(query, threshold)).toEqual(expected);
        if (expected) matches++;
      }
    }
    expect(matches).toBeGreaterThan(200);
  });

  it("refuses a vector of another length", () => {
    const pool = new CosinePool(3);
    expect(() => pool.add([1, 2])).toThrow(/2 dimensions in a pool of 3/);
  });
});
