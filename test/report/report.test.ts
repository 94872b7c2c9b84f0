import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.js";
import { histogram } from "../../src/report/histogram.js";
import { analyseRunDirectory, renderReport, writeDatasetCard } from "../../src/report/index.js";
import { evenSample } from "../../src/report/verbNoun/index.js";
import { CHINESE, ENGLISH, tempDir, writePipeline, writeStageDir } from "./fixtures.js";

const cli = join(process.cwd(), "dist/src/cli.js");

describe("histogram", () => {
  it("uses round bin widths and counts every value once", () => {
    const h = histogram([0, 1, 2, 9, 10, 11, 25, 39]);
    expect(h.bins[0]).toEqual({ from: 0, to: 2, count: 2 });
    expect(h.bins.reduce((s, b) => s + b.count, 0)).toBe(8);
    expect(h.median).toBe(9);
  });

  it("clips the long tail into the last bin instead of dropping it", () => {
    const values = [...Array.from({ length: 200 }, (_, i) => i % 50), 10_000];
    const h = histogram(values);
    expect(h.clipped).toBe(true);
    expect(h.bins.reduce((s, b) => s + b.count, 0)).toBe(201);
    expect(h.bins.length).toBeLessThanOrEqual(20);
  });

  it("is empty for no values", () => {
    expect(histogram([]).bins).toEqual([]);
  });
});

describe("evenSample", () => {
  it("spans the whole list", () => {
    expect(evenSample([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 5)).toEqual([0, 2, 4, 6, 8]);
  });
});

describe("report data", () => {
  it("counts a single-stage run directory", () => {
    const dir = writeStageDir(tempDir("if-report-single-"), { stage: "generate", records: ENGLISH, rejected: [{ reason: "too_similar" }, { reason: "too_short" }, { reason: "too_similar" }] });
    const data = analyseRunDirectory(dir);
    expect(data.isPipeline).toBe(false);
    expect(data.stages).toEqual([{ name: "generate", accepted: 6, rejected: 3, rejectedByReason: [{ reason: "too_similar", count: 2 }, { reason: "too_short", count: 1 }] }]);
    expect(data.withInput).toBe(2);
    expect(data.languages).toEqual([{ language: "en", count: 6 }]);
    expect(data.lengths[0]!.unit).toBe("words");
    expect(data.lengths[0]!.instruction.total).toBe(6);
    expect(data.lengths[0]!.input.total).toBe(2);
    expect(data.depths).toEqual([]);
    // No similarity meta: computed with ROUGE-L; the two "Write a poem about …" lead.
    expect(data.similar.source).toBe("computed");
    expect(data.similar.pairs[0]!.instruction).toBe("Write a poem about the sea.");
    expect(data.similar.pairs[0]!.similar).toBe("Write a poem about autumn leaves.");
  });

  it("reads a pipeline directory stage by stage", () => {
    const data = analyseRunDirectory(writePipeline({ simulator: true }));
    expect(data.isPipeline).toBe(true);
    expect(data.simulated).toBe(true);
    expect(data.stages.map((s) => [s.name, s.accepted, s.rejected])).toEqual([
      ["01-generate", 7, 3],
      ["02-evolve", 7, 1],
      ["03-filter", 6, 1],
    ]);
    expect(data.depths).toEqual([{ depth: 0, count: 3 }, { depth: 1, count: 2 }, { depth: 2, count: 2 }]);
    expect(data.similar.source).toBe("meta");
    expect(data.similar.pairs[0]).toEqual({ instruction: ENGLISH[2]!.instruction, similar: ENGLISH[0]!.instruction, score: 0.667 });
  });

  it("builds the English verb–object chart, counts instructions left out, and says Chinese is not charted", () => {
    const dir = writeStageDir(tempDir("if-report-vn-"), { stage: "generate", records: [...ENGLISH, ...CHINESE] });
    const charts = analyseRunDirectory(dir).verbNoun;
    expect(charts).toHaveLength(1);
    const [english] = charts;
    expect(english!.language).toBe("en");
    expect(english!.verbs[0]).toEqual({ verb: "write", count: 3, objects: [{ object: "poem", count: 2 }, { object: "story", count: 1 }] });
    expect(english!.withPair).toBe(5);
    expect(english!.withoutPair).toBe(1); // "What is the capital of France?"
    expect(renderReport(dir)).toContain(`${CHINESE.length} Chinese instructions are not charted`);
  });

  it("errors clearly on a missing or empty directory", () => {
    const empty = tempDir("if-report-empty-");
    expect(() => renderReport(empty)).toThrow(UserError);
    expect(() => renderReport(empty)).toThrow(`${empty}: no data.jsonl found — pass a run directory`);
    expect(() => renderReport(join(empty, "nope"))).toThrow("no data.jsonl found");
  });
});

describe("dataset card", () => {
  it("marks simulated data, lists filters with counts and the license reminder", () => {
    const dir = writePipeline({ simulator: true });
    const card = readFileSync(writeDatasetCard(dir), "utf8");
    expect(card).toContain("SIMULATED");
    expect(card).toContain("| 03-filter | 6 | 1 | complete |");
    expect(card).toContain("01-generate: too_similar — 2");
    expect(card).toContain("terms of the model provider");
    expect(card).toContain("seeds/seed_tasks.jsonl");
  });

  it("does not mark a real endpoint as simulated", () => {
    const dir = writeStageDir(tempDir("if-report-card-"), { stage: "generate", records: ENGLISH });
    const card = readFileSync(writeDatasetCard(dir), "utf8");
    expect(card).not.toContain("SIMULATED");
    expect(card).toContain("model `gpt-x`");
  });
});

describe("report command", () => {
  it("writes a self-contained HTML file and the card", () => {
    const dir = writePipeline();
    const out = join(tempDir("if-report-out-"), "report.html");
    execFileSync("node", [cli, "report", "--in", dir, "--html", out, "--card"], { stdio: "pipe" });
    const html = readFileSync(out, "utf8");
    expect(html).toContain('id="chart-verbnoun-en"');
    expect(html).not.toMatch(/<script|<link|@import|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(existsSync(join(dir, "README.md"))).toBe(true);
  });

  it("fails with one line on a directory without data", () => {
    const result = spawnSync("node", [cli, "report", "--in", tempDir("if-report-none-")], { encoding: "utf8" });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toMatch(/^instructforge: .*: no data\.jsonl found — pass a run directory$/);
  });

  it("reports 52K records (its speed is a benchmark matter, not asserted here)", () => {
    const dir = tempDir("if-report-big-");
    mkdirSync(dir, { recursive: true });
    const records = Array.from({ length: 52_000 }, (_, i) => ({ instruction: `${["Write", "Explain", "List", "Describe"][i % 4]} a ${["poem", "story", "plan", "recipe"][i % 7 % 4]} about topic number ${i}.`, input: i % 5 < 2 ? `some input text ${i}` : "", output: `An answer with several words for record ${i}.` }));
    writeStageDir(dir, {
      stage: "generate",
      records,
      meta: records.map((_, i) => ({ id: `m${i}`, stage: "generate", unit: i, most_similar_instructions: { [`other ${i}`]: (i % 1000) / 1000 }, avg_similarity_score: 0.2 })),
    });
    const out = join(dir, "report.html");
    writeFileSync(out, renderReport(dir));
    expect(readFileSync(out, "utf8")).toContain('data-count="52000"');
  });
});
