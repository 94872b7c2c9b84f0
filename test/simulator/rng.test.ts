import { expect, test } from "vitest";
import { createRng, hashString } from "../../src/simulator/rng.js";

test("same seed → same sequence; string and number seeds both work", () => {
  const draw = (seed: number | string) => Array.from({ length: 5 }, createRng(seed).next);
  expect(draw(42)).toEqual(draw(42));
  expect(draw("abc")).toEqual(draw("abc"));
  expect(draw(42)).not.toEqual(draw(43));
});

test("draws are in range and roughly uniform", () => {
  const rng = createRng(1);
  const buckets = new Array<number>(10).fill(0);
  for (let i = 0; i < 100_000; i++) buckets[rng.int(10)]!++;
  for (const count of buckets) expect(Math.abs(count - 10_000)).toBeLessThan(500);
  expect(rng.pick(["x"])).toBe("x");
});

test("hashString is stable, seedable and spread", () => {
  expect(hashString("hello")).toBe(hashString("hello"));
  expect(hashString("hello", 1)).not.toBe(hashString("hello"));
  expect(Number.isSafeInteger(hashString("hello"))).toBe(true);
  const hashes = new Set(Array.from({ length: 50_000 }, (_, i) => hashString(`item ${i}`)));
  expect(hashes.size).toBe(50_000);
});
