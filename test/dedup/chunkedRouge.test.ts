import { describe, expect, it } from "vitest";
import { ChunkedRouge, createRougeShards } from "../../src/stages/dedup/rougeShards.js";
import { tokenize } from "../../src/text/tokenize.js";
import { dpRougeL, naiveGreedyFilter } from "../text/naive.js";
import { nearDuplicateTexts } from "../text/random.js";

/**
 * Runs the chunked filter (two shards split by token count, chunk by chunk, in this thread: the
 * worker file is not built under vitest) and checks each decision against the naive all-pairs
 * greedy filter, and each witness against the DP score.
 */
async function compareChunked(texts: string[], seeds: string[], chunkSizes: number[], threshold: number): Promise<number> {
  const expected = naiveGreedyFilter(texts.map(tokenize), threshold, seeds.map(tokenize));
  let dropped = 0;
  for (const chunkSize of chunkSizes) dropped += await compareInChunks(texts, seeds, chunkSize, threshold, expected);
  return dropped / chunkSizes.length;
}

async function compareInChunks(texts: string[], seeds: string[], chunkSize: number, threshold: number, expected: ReadonlyArray<{ keep: boolean }>): Promise<number> {
  const rouge = new ChunkedRouge(createRougeShards(threshold, 2), threshold);
  seeds.forEach((seed, id) => rouge.keep(id, seed));
  const keptTexts = [...seeds];
  let dropped = 0;
  for (let start = 0; start < texts.length; start += chunkSize) {
    const chunk = texts.slice(start, start + chunkSize);
    await rouge.begin(chunk);
    chunk.forEach((text, at) => {
      const witness = rouge.find(at);
      expect(witness === undefined, `record ${start + at}`).toBe(expected[start + at]!.keep);
      if (witness === undefined) {
        rouge.keep(keptTexts.length, text, at);
        keptTexts.push(text);
        return;
      }
      dropped++;
      expect(witness.text, `record ${start + at}: names a kept text`).toBe(keptTexts[witness.id]);
      expect(witness.score).toBe(dpRougeL(tokenize(text), tokenize(witness.text)));
      expect(witness.score).toBeGreaterThan(threshold);
    });
  }
  await rouge.close();
  return dropped;
}

describe("ChunkedRouge (ROUGE-L for streamed dedup, two shards)", () => {
  it("makes the naive filter's decisions in chunks of 1, 37 and 700, English with seeds", async () => {
    const texts = nearDuplicateTexts(21, 1800, false);
    expect(await compareChunked(texts.slice(40), texts.slice(0, 40), [1, 37, 700], 0.7)).toBeGreaterThan(200);
  });

  it("makes the naive filter's decisions on Chinese and at other thresholds", async () => {
    expect(await compareChunked(nearDuplicateTexts(22, 1000, true), [], [250], 0.7)).toBeGreaterThan(100);
    const english = nearDuplicateTexts(23, 1000, false);
    for (const threshold of [0.5, 0.9]) expect(await compareChunked(english, [], [300], threshold)).toBeGreaterThan(50);
  });
});
