import { describe, expect, it } from "vitest";
import { dedupRecords } from "../../src/stages/dedup/index.js";
import type { AlpacaRecord } from "../../src/schemas.js";

const item = (instruction: string, input = "", output = ""): { record: AlpacaRecord } => ({ record: { instruction, input, output } });

describe("dedupRecords", () => {
  const items = [
    item("Give three tips for staying healthy.", "", "Eat well, sleep, exercise."),
    item("give three tips for staying  healthy.", "", "eat well, sleep, exercise."), // exact after normalisation
    item("Describe the structure of an atom.", "", "An atom has a nucleus of protons and neutrons, orbited by electrons in shells around it."),
    item("Explain the structure of an atom.", "", "An atom has a nucleus of protons and neutrons, orbited by electrons in shells around it."), // near-duplicate record
    item("Give three tips for staying healthy and happy.", "", "Something else entirely, about mood."), // ROUGE-L on the instruction
    item("Translate the sentence into French.", "I like cats.", "J'aime les chats."),
  ];

  it("drops exact, then MinHash, then ROUGE-L duplicates, keeping input order", async () => {
    const { kept, dropped } = await dedupRecords(items);
    expect(kept).toEqual([items[0], items[2], items[5]]);
    expect(dropped.map(({ index, method, duplicateOf }) => [index, method, duplicateOf.source, duplicateOf.index])).toEqual([
      [1, "exact", "input", 0],
      [3, "minhash", "input", 2],
      [4, "rouge-l", "input", 0],
    ]);
    expect(dropped[0]!.score).toBe(1);
    expect(dropped[1]!.score).toBeGreaterThanOrEqual(0.8);
    expect(dropped[2]!.score).toBeGreaterThan(0.7);
    expect(dropped[2]!.duplicateOf.text).toBe("Give three tips for staying healthy.");
  });

  it("switches methods off with 0 and compares with the seeds first", async () => {
    const { dropped } = await dedupRecords(items, { rougeL: 0, minhash: 0 });
    expect(dropped.map((d) => d.method)).toEqual(["exact"]);
    const seeded = await dedupRecords([items[5]!], { seeds: [item("Translate the sentence into French please.")] });
    expect(seeded.kept).toEqual([]);
    expect(seeded.dropped[0]!.duplicateOf).toMatchObject({ source: "seed", index: 0 });
  });

  it("dedups on the instruction field when asked", async () => {
    const sameInstruction = [item("Summarize the text.", "Text one about cats.", "Cats."), item("Summarize the text.", "Text two about dogs.", "Dogs.")];
    expect((await dedupRecords(sameInstruction, { rougeL: 0 })).kept).toHaveLength(2);
    expect((await dedupRecords(sameInstruction, { rougeL: 0, field: "instruction" })).dropped[0]!.method).toBe("exact");
  });

  it("catches Chinese and Traditional/Simplified duplicates", async () => {
    const chinese = [item("请写一篇关于环境保护的文章。"), item("請寫一篇關於環境保護的文章。"), item("解释一下光合作用的过程。")];
    const { kept, dropped } = await dedupRecords(chinese, { minhash: 0 });
    expect(kept).toHaveLength(2);
    expect(dropped[0]).toMatchObject({ index: 1, method: "rouge-l" });
  });

  it("rejects thresholds outside [0, 1]", async () => {
    await expect(dedupRecords(items, { rougeL: 1.5 })).rejects.toThrow(/between 0 and 1/);
  });
});
