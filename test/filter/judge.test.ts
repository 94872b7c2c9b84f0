import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LlmSettings } from "../../src/llm/types.js";
import { recordId, type AlpacaRecord } from "../../src/schemas.js";
import { simulatedComplexity } from "../../src/simulator/handlers/complexity.js";
import { simulatedQualityScore } from "../../src/simulator/handlers/qualityJudge.js";
import { startSimulator, type RunningSimulator } from "../../src/simulator/server.js";
import { FilterThresholds, RULE_NAMES } from "../../src/stages/filter/config.js";
import { runFilter, type FilterSettings } from "../../src/stages/filter/stage.js";

const readLines = (path: string): Array<Record<string, unknown>> =>
  readFileSync(path, "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);

/** 24 records that pass every heuristic, each with a distinct answer so the simulated scores vary. */
const goodRecords: AlpacaRecord[] = Array.from({ length: 24 }, (_, i) => ({
  instruction: `Explain why topic number ${i} matters to students learning science.`,
  input: "",
  output: `Topic ${i} matters because it connects everyday observation with careful reasoning, variant ${i * 7}.`,
}));
const refusal: AlpacaRecord = { instruction: "Write a poem about the sea.", input: "", output: "As an AI language model, I cannot write poems." };
const records = [...goodRecords.slice(0, 10), refusal, ...goodRecords.slice(10)];

let sim: RunningSimulator;
let broken: RunningSimulator;
let inPath: string;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, seed: 7 });
  broken = await startSimulator({ port: 0, seed: 7, knobs: { "judge.invalidJsonRate": 0.5 } });
  const dir = mkdtempSync(join(tmpdir(), "if-filter-"));
  inPath = join(dir, "data.jsonl");
  writeFileSync(inPath, records.map((r) => JSON.stringify(r)).join("\n") + "\n");
});

afterAll(async () => {
  await sim?.close();
  await broken?.close();
});

const llmFor = (simulator: RunningSimulator) => LlmSettings.parse({ baseUrl: simulator.url, apiKey: "test-key", model: "sim", maxRetries: 0 });

function settings(outDir: string, extra: Partial<FilterSettings> = {}): FilterSettings {
  return {
    inPath,
    outDir,
    rules: [...RULE_NAMES],
    thresholds: FilterThresholds.parse({}),
    lang: "auto",
    judge: { minScore: 4.5 },
    complexity: false,
    batch: 4,
    attempts: 3,
    ...extra,
  };
}

const expectedScore = (r: AlpacaRecord) => simulatedQualityScore(r.output);

describe("filter --judge against the simulator", () => {
  it("stores parsed scores in meta.jsonl, applies --min-score, and resumes from the cache with zero requests", async () => {
    const out = mkdtempSync(join(tmpdir(), "if-judge-"));
    sim.resetStats();
    const summary = await runFilter(settings(out), llmFor(sim));

    const passing = goodRecords.filter((r) => expectedScore(r) >= 4.5);
    const low = goodRecords.filter((r) => expectedScore(r) < 4.5);
    expect(passing.length).toBeGreaterThan(0);
    expect(low.length).toBeGreaterThan(0);
    expect(readLines(join(out, "data.jsonl"))).toEqual(passing); // input order
    const meta = readLines(join(out, "meta.jsonl"));
    expect(meta.map((m) => [m.id, m.qualityScore])).toEqual(passing.map((r) => [recordId(r), expectedScore(r)]));
    expect(meta.every((m) => typeof m.qualityRationale === "string" && (m.qualityRationale as string).length > 0)).toBe(true);

    const rejected = readLines(join(out, "rejected.jsonl"));
    expect(rejected.filter((r) => r.reason === "refusal")).toHaveLength(1); // never sent to the judge
    const lowScores = rejected.filter((r) => r.reason === "judge_low_score");
    expect(lowScores.map((r) => (r.detail as { score: number }).score)).toEqual(low.map(expectedScore));
    expect(summary.rejectedByReason).toEqual({ refusal: 1, judge_low_score: low.length });
    // 25 input records in units of 4 → 7 units, one judge request each (the refusal's unit sends 3 records)
    expect(sim.stats().requestsByKind).toEqual({ qualityJudge: 7 });
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
    expect(manifest.filter.rejectedByRule).toMatchObject({ refusal: 1, empty_output: 0 });
    expect(manifest.filter.judge).toEqual({ minScore: 4.5, lowScore: low.length, invalid: 0 });

    // Simulate a crash after the first unit: the run directory keeps unit 0 only; the rest replays from the cache.
    const progress = readFileSync(join(out, "progress.jsonl"), "utf8").split("\n");
    writeFileSync(join(out, "progress.jsonl"), `${progress[0]}\n`);
    const dataBefore = readFileSync(join(out, "data.jsonl"), "utf8");
    sim.resetStats();
    await runFilter(settings(out), llmFor(sim));
    expect(sim.stats().requests).toBe(0);
    expect(readFileSync(join(out, "data.jsonl"), "utf8")).toBe(dataBefore);
    expect(readLines(join(out, "rejected.jsonl"))).toHaveLength(rejected.length);
  });

  it("retries invalid judge replies and names the records that never got a valid one judge_invalid", async () => {
    const out = mkdtempSync(join(tmpdir(), "if-judge-bad-"));
    broken.resetStats();
    await runFilter(settings(out, { batch: 1, attempts: 2 }), llmFor(broken));
    const rejected = readLines(join(out, "rejected.jsonl"));
    const invalid = rejected.filter((r) => r.reason === "judge_invalid");
    const kept = readLines(join(out, "data.jsonl")) as AlpacaRecord[];
    const lowScore = rejected.filter((r) => r.reason === "judge_low_score");

    // Every judged record ends in exactly one place, and valid verdicts carry the predictable score.
    expect(invalid.length + kept.length + lowScore.length).toBe(goodRecords.length);
    expect(invalid.length).toBeGreaterThan(0);
    expect(invalid.length).toBeLessThan(goodRecords.length);
    for (const r of invalid) expect(r.detail).toMatchObject({ attempts: 2, problem: expect.stringMatching(/JSON|score must be from 0 to 5/) });
    for (const r of kept) expect(expectedScore(r)).toBeGreaterThanOrEqual(4.5);
    // Retries happened: more requests than records, at most 2 per record.
    const requests = broken.stats().requestsByKind.qualityJudge ?? 0;
    expect(requests).toBeGreaterThan(goodRecords.length);
    expect(requests).toBeLessThanOrEqual(2 * goodRecords.length);
  });

  it("--top K keeps the K best by quality × complexity, in input order, and rejects the rest as not_in_top_k", async () => {
    const out = mkdtempSync(join(tmpdir(), "if-top-"));
    const k = 5;
    await runFilter(settings(out, { judge: { minScore: 0 }, complexity: true, top: k }), llmFor(sim));

    const candidates = goodRecords.map((r, index) => ({ r, index, rank: expectedScore(r) * simulatedComplexity(r.instruction) }));
    const best = [...candidates].sort((a, b) => b.rank - a.rank || a.index - b.index).slice(0, k);
    const expected = candidates.filter((c) => best.includes(c)).map((c) => c.r);
    expect(readLines(join(out, "data.jsonl"))).toEqual(expected);
    const meta = readLines(join(out, "meta.jsonl"));
    expect(meta.map((m) => m.rankScore)).toEqual(expected.map((r) => expectedScore(r) * simulatedComplexity(r.instruction)));
    expect(meta.every((m) => typeof m.complexity === "number" && typeof m.qualityScore === "number")).toBe(true);
    const notSelected = readLines(join(out, "rejected.jsonl")).filter((r) => r.reason === "not_in_top_k");
    expect(notSelected).toHaveLength(goodRecords.length - k);

    // Re-running the finished run changes nothing and sends nothing.
    sim.resetStats();
    await runFilter(settings(out, { judge: { minScore: 0 }, complexity: true, top: k }), llmFor(sim));
    expect(sim.stats().requests).toBe(0);
    expect(readLines(join(out, "data.jsonl"))).toEqual(expected);
  });

  it("refuses to resume a run directory made with different settings", async () => {
    const out = mkdtempSync(join(tmpdir(), "if-judge-cfg-"));
    await runFilter(settings(out), llmFor(sim));
    await expect(runFilter(settings(out, { judge: { minScore: 3 } }), llmFor(sim))).rejects.toThrow(/different settings \(minScore: was 4.5, now 3\)/);
  });
});
