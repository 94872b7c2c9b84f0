import { describe, expect, it } from "vitest";
import { FrozenPostingLists } from "../../src/text/frozenPostingLists.js";
import { KeyedPostingLists } from "../../src/text/keyedPostingLists.js";
import { LayeredPostingLists } from "../../src/text/layeredPostingLists.js";
import { seededRandom } from "./random.js";

/** Appends to (a, b) lists, skewed so some lists grow long (many moves) and most stay short. */
function fill(lists: KeyedPostingLists, expected: Map<string, number[]>, random: () => number, steps: number, firstKeys: number): void {
  for (let step = 0; step < steps; step++) {
    const a = Math.floor(random() * random() * firstKeys);
    const b = Math.floor(random() * 40);
    const value = Math.floor(random() * 2 ** 31) - 2 ** 30;
    lists.append(a, b, value);
    const key = `${a}/${b}`;
    expected.set(key, [...(expected.get(key) ?? []), value]);
  }
}

function frozenList(lists: FrozenPostingLists, a: number, b: number): number[] {
  const at = lists.find(a, b);
  return at < 0 ? [] : Array.from(lists.values.subarray(lists.directory[at + 1]!, lists.directory[at + 1]! + lists.directory[at + 2]!));
}

describe("KeyedPostingLists", () => {
  it("holds what was appended to each (a, b) list, in order, through moves and rehashes, and empties on clear", () => {
    const random = seededRandom(31);
    const lists = new KeyedPostingLists();
    const expected = new Map<string, number[]>();
    fill(lists, expected, random, 50_000, 3000);
    expect(lists.size).toBe(expected.size);
    expect(lists.valueCount).toBe(50_000);
    for (const [key, values] of expected) expect(lists.toArray(Number(key.split("/")[0]), Number(key.split("/")[1]))).toEqual(values);
    expect(lists.find(3000, 0)).toBe(-1);
    lists.clear();
    expect([lists.size, lists.valueCount, lists.find(0, 0)]).toEqual([0, 0, -1]);
  });

  it("lists its headers sorted by a, then b", () => {
    const lists = new KeyedPostingLists();
    for (const [a, b] of [[5, 2], [0, 7], [5, 1], [0, 3], [2, 0], [5, 1]]) lists.append(a!, b!, a! * 10 + b!);
    const headers = lists.headersByKey();
    const keys = Array.from({ length: headers.length / 4 }, (_, i) => [headers[4 * i]!, headers[4 * i + 1]!, headers[4 * i + 3]!]);
    expect(keys).toEqual([[0, 3, 1], [0, 7, 1], [2, 0, 1], [5, 1, 2], [5, 2, 1]]);
  });
});

describe("FrozenPostingLists", () => {
  it("lays out recent lists and joins frozen parts so each list is the older values, then the newer", () => {
    const random = seededRandom(32);
    const firstKeys = 800;
    const expected = new Map<string, number[]>();
    let frozen = FrozenPostingLists.empty();
    const recent = new KeyedPostingLists();
    for (let round = 0; round < 6; round++) {
      fill(recent, expected, random, 8_000, firstKeys);
      frozen = frozen.concat(FrozenPostingLists.from(recent, firstKeys), firstKeys);
      recent.clear();
    }
    expect(frozen.valueCount).toBe(48_000);
    for (let a = 0; a < firstKeys; a++) for (let b = 0; b < 40; b++) expect(frozenList(frozen, a, b), `${a}/${b}`).toEqual(expected.get(`${a}/${b}`) ?? []);
    expect(frozen.find(firstKeys + 5, 0)).toBe(-1); // a first key it was not built for
  });
});

describe("LayeredPostingLists", () => {
  it("finds every recent list through its length bits (lengths 32 apart share a bit), none after a freeze, and keeps each list in order across freezes", () => {
    const random = seededRandom(12);
    const layered = new LayeredPostingLists();
    const expected = new Map<string, number[]>();
    const elements = 50;
    for (let round = 0; round < 6; round++) {
      const lengths = new Set<string>();
      for (let step = 0; step < 400; step++) {
        const element = Math.floor(random() * random() * elements);
        const length = [3, 35, 40, 67][Math.floor(random() * 4)]!; // 3, 35 and 67 share bit 3
        const value = step + 1000 * round;
        layered.append(element, length, value);
        lengths.add(`${element}/${length}`);
        expected.set(`${element}/${length}`, [...(expected.get(`${element}/${length}`) ?? []), value]);
      }
      for (let element = 0; element < elements; element++) {
        for (const length of [3, 35, 40, 67, 99]) {
          const at = layered.findRecent(element, length);
          expect(at >= 0, `${element}/${length}`).toBe(lengths.has(`${element}/${length}`));
        }
      }
      layered.freeze(elements);
      expect(layered.findRecent(0, 3)).toBe(-1);
    }
    for (const [key, values] of expected) {
      const [element, length] = key.split("/").map(Number) as [number, number];
      expect([...frozenList(layered.large, element, length), ...frozenList(layered.small, element, length)], key).toEqual(values);
    }
  });
});
