import { describe, expect, it } from "vitest";
import { PostingLists } from "../../src/text/postingLists.js";
import { seededRandom } from "./random.js";

describe("PostingLists", () => {
  it("holds what was appended to each list, in order, through moves and compactions", () => {
    const random = seededRandom(11);
    const lists = new PostingLists();
    const expected: number[][] = [];
    // Skewed sizes: a few lists grow long (many moves, much space left behind), most stay short.
    for (let step = 0; step < 60_000; step++) {
      if (expected.length === 0 || random() < 0.01) {
        expect(lists.create()).toBe(expected.length);
        expected.push([]);
      }
      const id = Math.floor(random() * random() * expected.length);
      const value = Math.floor(random() * 2 ** 31) - 2 ** 30;
      lists.append(id, value);
      expected[id]!.push(value);
    }
    expect(lists.size).toBe(expected.length);
    expected.forEach((values, id) => expect(lists.toArray(id)).toEqual(values));
  });

  it("keeps its array within a small factor of what the lists hold", () => {
    const lists = new PostingLists();
    const ids = Array.from({ length: 500 }, () => lists.create());
    for (let round = 0; round < 200; round++) for (const id of ids) lists.append(id, round);
    // 100,000 values: room ≤ 2× each list, space left behind < room, the array doubles: ≤ 8×.
    expect(lists.values.length).toBeLessThanOrEqual(8 * 100_000);
    expect(lists.toArray(ids[499]!)).toEqual(Array.from({ length: 200 }, (_, round) => round));
  });
});
