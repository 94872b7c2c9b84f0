import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AlpacaRecord } from "../../src/schemas.js";
import { simulatedComplexity } from "../../src/simulator/handlers/complexity.js";
import { simulatedQualityScore } from "../../src/simulator/handlers/qualityJudge.js";
import { simulatedEmbedding } from "../../src/simulator/embeddings.js";
import { startSimulator, type RunningSimulator } from "../../src/simulator/server.js";
import { dedupText } from "../../src/stages/dedup/index.js";
import { queryOf } from "../../src/stages/filter/complexity.js";
import { cosineNeighbourhood, DiverseWalk, rankByScore, selectDiverse, textNeighbourhood } from "../../src/stages/filter/diverseSelect.js";
import { seededRandom } from "../../src/text/random.js";
import { dot, unitVector } from "../../src/text/cosine.js";
import { lcsLength, rougeLF1 } from "../../src/text/rougeL.js";
import { tokenize, Vocabulary } from "../../src/text/tokenize.js";
import { deitaCorpus } from "./deitaCorpus.js";

const run = promisify(execFile);
const cli = join(process.cwd(), "dist", "src", "cli.js");

const readLines = (path: string): Array<Record<string, unknown>> =>
  readFileSync(path, "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);

describe("Deita selection, pure (diverseSelect.ts)", () => {
  const candidate = (index: number, quality: number, complexity: number) => ({ index, quality, complexity });

  it("ranks by complexity × quality, ties by input order", () => {
    const ranked = rankByScore([candidate(0, 4, 2), candidate(1, 5, 6), candidate(2, 2, 4), candidate(3, 3, 10)]);
    expect(ranked.map((c) => c.index)).toEqual([1, 3, 0, 2]);
  });

  it("adds records in rank order, skips one too close to a selected one (naming it), and stops at the budget", () => {
    const ranked = ["a", "b", "c", "d", "e"];
    // b copies a (cosine 1), c is orthogonal, d is close to c (cosine 0.95), e is never compared.
    const vectors = [[1, 0, 0], [2, 0, 0], [0, 1, 0], [0, 0.95, Math.sqrt(1 - 0.95 ** 2)], [0, 0, 1]];
    const selection = selectDiverse(ranked, 2, cosineNeighbourhood(vectors, 0.9));
    expect(selection.selected).toEqual([{ candidate: "a", rank: 0 }, { candidate: "c", rank: 2 }]);
    expect(selection.tooClose).toEqual([{ candidate: "b", rank: 1, closeTo: { candidate: "a", rank: 0, similarity: expect.closeTo(1, 6), measure: "cosine" } }]);
    expect(selection.overBudget).toEqual([{ candidate: "d", rank: 3 }, { candidate: "e", rank: 4 }]);
  });

  it("taken in steps (as embeddings arrive), the walk selects exactly what it selects in one go", () => {
    const random = seededRandom(4);
    // Every third vector repeats one direction; the others point anywhere in 16 dimensions.
    const vectors = Array.from({ length: 300 }, (_, i) => Array.from({ length: 16 }, (_, d) => (i % 3 === 0 ? Number(d === 0) : random() - 0.5)));
    const ranked = vectors.map((_, i) => i);
    const whole = selectDiverse(ranked, 40, cosineNeighbourhood(vectors, 0.9));
    const filled: number[][] = [];
    const walk = new DiverseWalk(ranked, 40, cosineNeighbourhood(filled, 0.9));
    while (!walk.full && filled.length < vectors.length) {
      filled.push(...vectors.slice(filled.length, filled.length + 7));
      walk.advance(filled.length);
    }
    expect(walk.result()).toEqual(whole);
    expect(whole.selected).toHaveLength(40);
    expect(whole.tooClose.length).toBeGreaterThan(0);
  });

  it("without embeddings, near-duplicate records are caught by the dedup tests", () => {
    const records: AlpacaRecord[] = [
      { instruction: "Explain how tides form along a rocky coast.", input: "", output: "The moon pulls the water." },
      { instruction: "Explain how tides form along a sandy coast.", input: "", output: "The moon pulls the ocean water." },
      { instruction: "List three uses of copper in homes.", input: "", output: "Wiring, pipes and cookware." },
    ];
    const selection = selectDiverse(records, 10, textNeighbourhood(records, { rougeL: 0.7, minhash: 0.8 }));
    expect(selection.selected.map((s) => s.rank)).toEqual([0, 2]);
    expect(selection.tooClose).toEqual([expect.objectContaining({ rank: 1, closeTo: expect.objectContaining({ rank: 0, measure: "rouge-l", similarity: expect.any(Number) }) })]);
    expect(selection.tooClose[0]!.closeTo.similarity).toBeGreaterThan(0.7);
  });
});

describe("filter --select deita --budget 100 on 1,000 simulated records (CLI against the simulator)", () => {
  let sim: RunningSimulator;
  let dir: string;
  const { records, copies } = deitaCorpus();
  const expectedScore = (record: AlpacaRecord) => simulatedQualityScore(record.output) * simulatedComplexity(queryOf(record));

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, seed: 3 });
    dir = mkdtempSync(join(tmpdir(), "if-deita-"));
    writeFileSync(join(dir, "data.jsonl"), records.map((r) => JSON.stringify(r)).join("\n") + "\n");
  });
  afterAll(async () => sim?.close());

  async function selectWith(extra: string[], name: string) {
    const out = join(dir, name);
    const env = { ...process.env, OPENAI_API_KEY: "test-key", OPENAI_BASE_URL: "" };
    await run(process.execPath, [cli, "filter", "--in", join(dir, "data.jsonl"), "--out", out, "--base-url", sim.url, "--model", "sim", "--select", "deita", "--budget", "100", ...extra], { env });
    const lineOf = (r: Record<string, unknown>) => (r.detail as { line: number }).line;
    return {
      kept: readLines(join(out, "data.jsonl")) as AlpacaRecord[],
      meta: readLines(join(out, "meta.jsonl")),
      rejected: readLines(join(out, "rejected.jsonl")),
      manifest: JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")) as { filter: { select: Record<string, unknown> } },
      lineOf,
    };
  }

  /** The invariants that together define the greedy walk: the ranking, the budget, and every skip justified. */
  function expectDeitaWalk(result: Awaited<ReturnType<typeof selectWith>>, tooClose: (a: AlpacaRecord, b: AlpacaRecord) => boolean) {
    const { kept, meta, rejected, lineOf } = result;
    expect(kept).toHaveLength(100);
    // In score order: each kept record's score is the simulator's quality × complexity, non-increasing.
    const scores = meta.map((m) => m.deitaScore as number);
    expect(scores).toEqual(kept.map(expectedScore));
    for (let i = 1; i < scores.length; i++) expect(scores[i]).toBeLessThanOrEqual(scores[i - 1]!);
    // The ranks name the full ranking: score descending, ties by input line.
    const ranking = records.map((record, index) => ({ record, line: index + 1, score: expectedScore(record) })).sort((a, b) => b.score - a.score || a.line - b.line);
    const rankOfLine = new Map(ranking.map((entry, rank) => [entry.line, rank + 1]));
    expect(meta.map((m) => m.rank)).toEqual(meta.map((m) => rankOfLine.get(m.line as number)));
    for (const r of rejected) expect((r.detail as { rank: number }).rank).toBe(rankOfLine.get(lineOf(r)));
    // No two kept records are too close.
    for (let i = 0; i < kept.length; i++) for (let j = i + 1; j < kept.length; j++) expect(tooClose(kept[i]!, kept[j]!), `${i} vs ${j}`).toBe(false);
    // Every record ranked above the last kept one is kept or too close to a kept record ranked before it.
    const lastKeptRank = meta.at(-1)!.rank as number;
    const tooSimilar = rejected.filter((r) => r.reason === "too_similar");
    const overBudget = rejected.filter((r) => r.reason === "over_budget");
    expect(tooSimilar.length).toBeGreaterThan(0);
    expect(tooSimilar.length + overBudget.length + kept.length).toBe(records.length);
    expect(new Set([...meta.map((m) => m.rank), ...tooSimilar.map((r) => (r.detail as { rank: number }).rank)])).toEqual(new Set(Array.from({ length: lastKeptRank }, (_, i) => i + 1)));
    for (const r of overBudget) expect((r.detail as { rank: number; budget: number }).rank).toBeGreaterThan(lastKeptRank);
    const keptByLine = new Map(meta.map((m, i) => [m.line as number, { record: kept[i]!, rank: m.rank as number }]));
    for (const r of tooSimilar) {
      const detail = r.detail as { rank: number; similarTo: { line: number; rank: number; instruction: string } };
      const neighbour = keptByLine.get(detail.similarTo.line);
      expect(neighbour, `line ${lineOf(r)} names a kept record`).toBeDefined();
      expect(neighbour!.rank).toBe(detail.similarTo.rank);
      expect(detail.similarTo.rank).toBeLessThan(detail.rank);
      expect(detail.similarTo.instruction).toBe(neighbour!.record.instruction);
      expect(tooClose(r.record as AlpacaRecord, neighbour!.record)).toBe(true);
    }
    // The planted near duplicates are what got skipped (a copy or the record it copies).
    for (const r of tooSimilar) {
      const line = lineOf(r);
      const similarLine = (r.detail as { similarTo: { line: number } }).similarTo.line;
      const related = copies.get(line - 1) === similarLine - 1 || copies.get(similarLine - 1) === line - 1 || copies.get(line - 1) === copies.get(similarLine - 1);
      expect(related, `line ${line} vs ${similarLine}`).toBe(true);
    }
    return { tooSimilar, overBudget };
  }

  it("with --embedding-model: cosine of the endpoint's embeddings, skipped above Deita's 0.9", async () => {
    sim.resetStats();
    const result = await selectWith(["--embedding-model", "sim-embed"], "embeddings");
    const vector = (record: AlpacaRecord) => unitVector(simulatedEmbedding(dedupText(record, "record")));
    const cosine = (a: AlpacaRecord, b: AlpacaRecord) => dot(vector(a), vector(b));
    const { tooSimilar } = expectDeitaWalk(result, (a, b) => cosine(a, b) > 0.9);
    for (const r of tooSimilar) {
      const detail = r.detail as { measure: string; similarity: number; threshold: number; similarTo: { line: number } };
      expect(detail).toMatchObject({ measure: "cosine", threshold: 0.9 });
      expect(detail.similarity).toBeCloseTo(cosine(r.record as AlpacaRecord, records[detail.similarTo.line - 1]!), 5);
    }
    expect(result.manifest.filter.select).toMatchObject({ method: "deita", budget: 100, measure: "embedding-cosine", threshold: 0.9, selected: 100, tooSimilar: tooSimilar.length });
    // Embeddings for the first 512 of the ranking only (the budget fills within them), 64 per request;
    // one judge and one complexity request per distinct record (a repeat comes from the cache).
    const distinct = (texts: string[]) => new Set(texts).size;
    expect(sim.stats().requestsByKind).toEqual({
      embeddings: 512 / 64,
      qualityJudge: distinct(records.map((r) => JSON.stringify(r))),
      complexity: distinct(records.map(queryOf)),
    });
    // Re-running the finished run changes nothing and sends nothing, embeddings included.
    sim.resetStats();
    const again = await selectWith(["--embedding-model", "sim-embed"], "embeddings");
    expect(sim.stats().requestsByKind).toEqual({});
    expect(again.kept).toEqual(result.kept);
  });

  it("refuses incomplete or conflicting selection flags with exit code 2, before writing anything", async () => {
    const env = { ...process.env, OPENAI_API_KEY: "test-key", OPENAI_BASE_URL: "" };
    const attempt = async (extra: string[]) => {
      try {
        await run(process.execPath, [cli, "filter", "--in", join(dir, "data.jsonl"), "--out", join(dir, "never"), "--base-url", sim.url, ...extra], { env });
        return { code: 0, stderr: "" };
      } catch (error) {
        return error as { code: number; stderr: string };
      }
    };
    expect(await attempt(["--select", "deita"])).toMatchObject({ code: 2, stderr: expect.stringContaining("--select deita needs --budget K") });
    expect(await attempt(["--budget", "10"])).toMatchObject({ code: 2, stderr: expect.stringContaining("--budget belongs to --select deita") });
    expect(await attempt(["--select", "deita", "--budget", "10", "--top", "5"])).toMatchObject({ code: 2, stderr: expect.stringContaining("give one of them") });
    expect(await attempt(["--select", "deita", "--budget", "10", "--diversity-threshold", "1.5"])).toMatchObject({ code: 2, stderr: expect.stringContaining("--diversity-threshold must be a number from 0 to 1") });
    expect(existsSync(join(dir, "never"))).toBe(false);
  });

  it("without embeddings: our text similarity (ROUGE-L of instructions > 0.7, MinHash ≥ 0.8, exact)", async () => {
    const vocabulary = new Vocabulary();
    const ids = (text: string) => vocabulary.encode(tokenize(text));
    const rouge = (a: string, b: string) => {
      const [x, y] = [ids(a), ids(b)];
      return rougeLF1(lcsLength(x, y), x.length, y.length);
    };
    const result = await selectWith([], "text");
    const { tooSimilar } = expectDeitaWalk(result, (a, b) => rouge(a.instruction, b.instruction) > 0.7 || dedupText(a, "record") === dedupText(b, "record"));
    for (const r of tooSimilar) expect(r.detail).toMatchObject({ measure: expect.stringMatching(/^(?:rouge-l|minhash|exact)$/), similarity: expect.any(Number) });
    expect(result.manifest.filter.select).toMatchObject({ method: "deita", budget: 100, measure: "text-rouge-l-minhash", threshold: 0.7 });
  });
});
