/**
 * The translate stage end to end against the real simulator (in-process), with its knobs planting
 * the failures real translators show. Every assertion reads the run directory the stage wrote.
 */
import { describe, expect, it } from "vitest";
import type { AlpacaRecord } from "../../src/schemas.js";
import { hanShareOf, translateWith } from "./helpers.js";

const CODE_BLOCK = "```python\ndef total(prices):\n    return sum(p * 1.2 for p in prices)\n```";
const TABLE_SKELETON = ["| ", " | ", " |", "|---|---:|"];

const PROTECTED_RECORDS: AlpacaRecord[] = [
  {
    instruction: "Explain what the following Python code does.",
    input: CODE_BLOCK,
    output: "The function `total` adds a 20% tax to every price and returns the sum. See https://docs.python.org/3/library/functions.html#sum for details.",
  },
  {
    instruction: "Write a short greeting for {name} that mentions the variable $HOME and the format string %s.",
    input: "<noinput>",
    output: "Hello {name}! Your files live in $HOME, printed with %s. Write to help@example.com if the 2.5 GB quota is full.",
  },
  {
    instruction: "Create a table comparing the two planets by diameter.",
    input: "",
    output: "| Planet | Diameter |\n|---|---:|\n| Earth | 12742 km |\n| Mars | 6779 km |",
  },
];

const PLAIN: AlpacaRecord = { instruction: "Give three tips for staying healthy in the winter.", input: "", output: "Eat fresh vegetables, sleep for eight hours and walk outside every day." };
const WITH_MARKER: AlpacaRecord = { instruction: "Explain what the command `ls -la` shows in a terminal.", input: "", output: "It lists all files, hidden ones included, with their sizes and permissions." };

describe("translate stage (simulator)", () => {
  it("brings code blocks, inline code, URLs, placeholders and table borders back byte-identical", async () => {
    const run = await translateWith(PROTECTED_RECORDS);
    expect(run.rejected).toEqual([]);
    expect(run.data).toHaveLength(3);
    const [code, greeting, table] = run.data as [AlpacaRecord, AlpacaRecord, AlpacaRecord];

    expect(code.input).toBe(CODE_BLOCK);
    for (const span of ["`total`", "20%", "https://docs.python.org/3/library/functions.html#sum"]) expect(code.output).toContain(span);
    for (const span of ["{name}", "$HOME", "%s"]) expect(greeting.instruction.split(span)).toHaveLength(2);
    expect(greeting.input).toBe("<noinput>");
    for (const span of ["help@example.com", "2.5 GB"]) expect(greeting.output).toContain(span);
    const rows = table.output.split("\n");
    expect(rows).toHaveLength(4);
    expect(rows[1]).toBe(TABLE_SKELETON[3]);
    expect(rows[2]).toMatch(/^\| \S+ \| 12742 km \|$/);
    expect(rows[0]).not.toContain("Planet"); // cell text is translated

    // Restored placeholders ({name}, $HOME) are Latin letters, so the share stays below 1.
    for (const record of run.data) expect(hanShareOf(record.instruction)).toBeGreaterThan(0.6);
    // code: `total`, 20%, URL; greeting: {name} $HOME %s in both fields + e-mail + 2.5 GB; table: 9 pipes + separator + 2 lengths.
    expect(run.meta.map((m) => m.sentinels)).toEqual([3, 8, 12]);
    expect(run.meta[0]).toMatchObject({ fields_translated: ["instruction", "output"], retries: 0, converted_traditional: false, flags: [], source_line: 2 });
  });

  it("retries a reply that drops a marker, then rejects it as sentinel_mismatch with evidence", async () => {
    const run = await translateWith([WITH_MARKER], { knobs: { "translate.dropSentinelRate": 1 } });
    expect(run.data).toEqual([]);
    expect(run.rejected).toHaveLength(1);
    expect(run.rejected[0]).toMatchObject({ reason: "sentinel_mismatch", detail: { field: "instruction", missing: ["⟦0⟧"], attempts: 3, retries: 2 } });
    expect(run.requests).toBe(3);
  });

  it("rejects a reply that repeats a marker as sentinel_mismatch", async () => {
    const run = await translateWith([WITH_MARKER], { knobs: { "translate.duplicateSentinelRate": 1 } });
    expect(run.rejected[0]).toMatchObject({ reason: "sentinel_mismatch", detail: { duplicated: ["⟦0⟧"], attempts: 3 } });
  });

  it("rejects an English reply as not_chinese", async () => {
    const run = await translateWith([PLAIN], { knobs: { "translate.englishRate": 1 } });
    expect(run.data).toEqual([]);
    expect(run.rejected[0]).toMatchObject({ reason: "not_chinese", detail: { hanShare: 0, attempts: 3 } });
  });

  it("converts a Traditional reply to Simplified and records it", async () => {
    const run = await translateWith([PLAIN], { knobs: { "translate.traditionalRate": 1 } });
    expect(run.rejected).toEqual([]);
    const text = `${run.data[0]!.instruction}${run.data[0]!.output}`;
    expect(text).not.toMatch(/[這軟資網電語學問時開應說處實關設經環機歷國議體]/u);
    expect(text).toMatch(/[这软资网电语学问时开应说处实关设经环机历国议体信]/u);
    expect(run.meta[0]).toMatchObject({ converted_traditional: true, converted_fields: ["instruction", "output"], retries: 0 });
  });

  it("rejects an answer given instead of a translation as answered_instead", async () => {
    const run = await translateWith([PLAIN], { knobs: { "translate.answerRate": 1 } });
    expect(run.rejected[0]).toMatchObject({ reason: "answered_instead", detail: { field: "instruction", attempts: 3 } });
    expect(run.rejected[0]!.detail.ratio as number).toBeGreaterThan(1.5);
  });

  it("retries a cut reply with more room, then rejects it as truncated", async () => {
    const run = await translateWith([PLAIN], { truncate: 1 });
    expect(run.rejected[0]).toMatchObject({ reason: "truncated", detail: { finishReason: "length", attempts: 3 } });
    expect(run.requests).toBe(3);
  });

  it("rejects prose around the translation as reply_not_json", async () => {
    const run = await translateWith([PLAIN], { knobs: { "translate.notJsonRate": 1 } });
    expect(run.rejected[0]).toMatchObject({ reason: "reply_not_json", detail: { attempts: 3 } });
  });

  it("skips language-specific tasks without a request, or keeps them flagged on request", async () => {
    const rhyme: AlpacaRecord = { instruction: "Generate a list of words that rhyme with 'cat'.", input: "", output: "bat, hat, mat" };
    const skipped = await translateWith([rhyme, PLAIN]);
    expect(skipped.rejected).toMatchObject([{ reason: "language_specific:rhyme", detail: { matched: "rhyme", source_line: 2 } }]);
    expect(skipped.requests).toBe(1);

    const kept = await translateWith([rhyme], { settings: { keepLanguageSpecific: true } });
    expect(kept.rejected).toEqual([]);
    expect(kept.meta[0]).toMatchObject({ flags: ["language_specific:rhyme"] });
  });

  it("batches records per request and retries only the bad record of a batch alone", async () => {
    const records = Array.from({ length: 12 }, (_, i) => ({
      instruction: `Explain step ${i} of the recipe and why \`step_${i}()\` matters.`,
      input: "",
      output: `Step ${i} mixes the flour with water for ${i + 2} minutes.`,
    }));
    // Each record of a reply loses its marker with p = 0.3: some fail inside their batch, and with
    // 5 attempts the solo retries practically always recover them.
    const run = await translateWith(records, { knobs: { "translate.dropSentinelRate": 0.3 }, settings: { recordsPerRequest: 4, maxAttempts: 5 } });
    expect(run.rejected).toEqual([]);
    expect(run.data).toHaveLength(12);
    const batchSizes = run.meta.map((m) => m.batch_size);
    const retriedAlone = run.meta.filter((m) => m.batch_size === 1 && (m.retries as number) >= 1).length;
    expect(batchSizes.filter((size) => size === 4).length).toBeGreaterThan(0);
    expect(retriedAlone).toBeGreaterThan(0);
    // 3 batch requests, plus the solo requests of each record that failed in its batch.
    expect(run.requests).toBe(3 + run.meta.reduce((sum, m) => sum + (m.batch_size === 1 ? (m.retries as number) : 0), 0));
    records.forEach((record, i) => expect(run.data[i]!.instruction).toContain(`\`step_${i}()\``));
  });

  it("--regenerate-output translates instruction and input, then answers in Chinese", async () => {
    const run = await translateWith([PLAIN], { settings: { regenerateOutput: true } });
    expect(run.rejected).toEqual([]);
    expect(run.meta[0]).toMatchObject({ fields_translated: ["instruction"], output_regenerated: true, finishReason: "stop" });
    expect(hanShareOf(run.data[0]!.output)).toBeGreaterThan(0.9);
    expect(run.data[0]!.output).not.toContain("vegetables");
    expect(run.requestsByKind).toEqual({ translate: 1, answer: 1 });
  });

  it("--regenerate-output never keeps an answer that is not Chinese", async () => {
    // The simulator answers by the Han share of the whole user message: a short instruction over
    // a long English code input gets an English answer, which must be caught, not kept.
    const codeHeavy: AlpacaRecord = { instruction: "Explain this code.", input: CODE_BLOCK.repeat(3), output: "It sums prices." };
    const run = await translateWith([PLAIN, codeHeavy], { settings: { regenerateOutput: true } });
    for (const record of run.data) expect(hanShareOf(record.output.replace(/```[\s\S]*?```/g, ""))).toBeGreaterThan(0.5);
    for (const rejected of run.rejected) expect(rejected).toMatchObject({ reason: "answer_not_chinese", detail: { attempts: 2 } });
    expect(run.data.length + run.rejected.length).toBe(2);
  });
});
