import { describe, expect, it } from "vitest";
import { OverlapIndex } from "../../src/text/overlapIndex.js";
import { perturb, randomInt, seededRandom } from "./random.js";

/** Multiset overlap, the slow obvious way. */
function multisetOverlap(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const counts = new Map<number, number>();
  for (let i = 0; i < a.length; i++) counts.set(a[i]!, (counts.get(a[i]!) ?? 0) + 1);
  let shared = 0;
  for (let i = 0; i < b.length; i++) {
    const left = counts.get(b[i]!) ?? 0;
    if (left > 0) {
      shared++;
      counts.set(b[i]!, left - 1);
    }
  }
  return shared;
}

/** Token-id texts over a small vocabulary (many repeats and near-copies: the hard case for prefix filters). */
function texts(seed: number, count: number, vocabulary: number): Int32Array[] {
  const random = seededRandom(seed);
  const out: Int32Array[] = [];
  const word = (): number => Math.floor(random() * random() * vocabulary);
  for (let i = 0; i < count; i++) {
    const base = out.length > 0 && random() < 0.4 ? [...out[Math.floor(random() * out.length)]!] : Array.from({ length: randomInt(random, 1, 30) }, word);
    out.push(Int32Array.from(perturb(random, base, randomInt(random, 0, 4), word)));
  }
  return out;
}

describe("OverlapIndex", () => {
  it("visits every kept text sharing at least τ(n) tokens, with the exact shared count", () => {
    const kept = texts(3, 1500, 60);
    const queries = texts(4, 300, 70).map((query) => query.map((token) => (token >= 60 ? -1 : token))); // ids ≥ 60: unknown
    const index = new OverlapIndex();
    kept.forEach((text) => index.add(text));
    const overlaps = queries.map((query) => kept.map((text) => multisetOverlap(query.filter((token) => token >= 0), text)));
    for (const fraction of [0.3, 0.6, 0.9]) {
      let matches = 0;
      const problems: string[] = [];
      queries.forEach((query, q) => {
        const required = (n: number): number => (Math.abs(n - query.length) > 8 ? Infinity : Math.max(1, Math.ceil(fraction * Math.min(n, query.length))));
        const visited = new Map<number, number>();
        index.forEachCandidate(query, required, (text, shared) => {
          if (visited.has(text)) problems.push(`query ${q}: text ${text} visited twice`);
          visited.set(text, shared);
          return false;
        });
        kept.forEach((text, i) => {
          const shared = overlaps[q]![i]!;
          if (visited.has(i) && visited.get(i) !== shared) problems.push(`query ${q}, text ${i}: shared ${visited.get(i)}, truly ${shared}`);
          if (Number.isFinite(required(text.length)) && shared >= required(text.length)) {
            matches++;
            if (!visited.has(i)) problems.push(`query ${q}, text ${i}: shares ${shared} ≥ ${required(text.length)} but was not visited`);
          }
        });
      });
      expect(problems.slice(0, 5)).toEqual([]);
      expect(matches).toBeGreaterThan(50);
    }
  });

  it("asks for τ length by length, so a rising τ prunes the lengths after", () => {
    const index = new OverlapIndex();
    [[1, 2, 3], [1, 2, 3, 4], [1, 2], [1, 2, 3, 4, 5, 6]].forEach((text) => index.add(Int32Array.from(text)));
    const asked: number[] = [];
    index.forEachCandidate(Int32Array.from([1, 2, 3]), (n) => (asked.push(n), 1), () => false);
    expect(asked).toEqual([3, 4, 2, 5, 1, 6]); // nearest lengths first, both ways
  });

  it("ends the search at the text the visitor stops at", () => {
    const index = new OverlapIndex();
    [[1, 2, 3], [1, 2, 3, 4], [1, 2], [1, 2, 3, 5], [1, 2, 3, 4, 5, 6]].forEach((text) => index.add(Int32Array.from(text)));
    const visitAll: number[] = [];
    index.forEachCandidate(Int32Array.from([1, 2, 3]), () => 1, (text) => (visitAll.push(text), false));
    expect([...visitAll].sort()).toEqual([0, 1, 2, 3, 4]);
    const visited: number[] = [];
    index.forEachCandidate(Int32Array.from([1, 2, 3]), () => 1, (text) => (visited.push(text), text === 1));
    expect(visited).toEqual([0, 1]); // length 3, then the first text of length 4: no more texts, no more lengths
  });

  it("finds nothing in an empty index or for an empty or all-unknown query", () => {
    const index = new OverlapIndex();
    const visits: number[] = [];
    const visit = (text: number): boolean => (visits.push(text), false);
    index.forEachCandidate(Int32Array.from([1, 2]), () => 1, visit);
    index.add(Int32Array.from([1, 2]));
    index.forEachCandidate(new Int32Array(0), () => 1, visit);
    index.forEachCandidate(Int32Array.from([-1, -1]), () => 1, visit);
    expect(visits).toEqual([]);
  });
});

describe("OverlapIndex at scale (frozen and recent lists)", () => {
  it("visits every text sharing enough tokens, once each and with the exact count, while lists are frozen and rebuilt many times", () => {
    // Freezing every 300 values: lists are split between the large and small frozen parts and the
    // recent table, with both frozen parts rebuilt many times.
    const random = seededRandom(8);
    const vocabulary = 400;
    const word = (): number => Math.floor(random() * random() * vocabulary);
    const kept: Int32Array[] = [];
    const index = new OverlapIndex({ firstFreezeValues: 300, recentValues: 300 });
    let checked = 0;
    for (let t = 0; t < 6000; t++) {
      const base = kept.length > 0 && random() < 0.3 ? [...kept[Math.floor(random() * kept.length)]!] : Array.from({ length: randomInt(random, 3, 20) }, word);
      const text = Int32Array.from(perturb(random, base, randomInt(random, 0, 3), word));
      if (t % 10 === 0) {
        const m = text.length;
        const required = (n: number): number => (2 * Math.min(m, n) < 0.7 * (m + n) ? Infinity : Math.max(1, Math.ceil((0.7 * (m + n)) / 2)));
        const visited: number[] = [];
        index.forEachCandidate(text, required, (i, shared) => (visited.push(i), expect(shared).toBe(multisetOverlap(text, kept[i]!)), false));
        const expected = kept.map((other, i) => ({ i, n: other.length })).filter(({ i, n }) => Number.isFinite(required(n)) && multisetOverlap(text, kept[i]!) >= required(n));
        const visitedSet = new Set(visited);
        expect(expected.filter(({ i }) => !visitedSet.has(i))).toEqual([]);
        expect(new Set(visited).size).toBe(visited.length);
        checked += expected.length;
      }
      kept.push(text);
      index.add(text);
    }
    expect(checked).toBeGreaterThan(200);
  });
});
