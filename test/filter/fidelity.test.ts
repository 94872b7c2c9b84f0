/**
 * The filter's defaults pinned to the originals' values, each with its source, and the judge
 * working against a server that answers in plain text.
 *
 * Sources:
 *  - AlpaGasus paper: Chen et al. 2023, "AlpaGasus: Training a Better Alpaca with Fewer Data"
 *    (arXiv 2307.08701), §2 and Fig. 3 (the rating prompt), §3 (threshold 4.5 → ~9k of 52k).
 *  - AlpaGasus rating script: gpt4life/alpagasus, rating/chatgpt_rating.py (the reproduction the
 *    authors' project page points to): one triplet per request, temperature 0.0, max_tokens 256,
 *    score read from the first line or after "Score:".
 *  - Deita: hkust-nlp/deita, src/deita/selection/scorer/base.py (score = expectation over "1".."6"),
 *    src/deita/pipeline/score_pipeline.py (one sample per call), src/deita/selection/filter/
 *    combined_filter.py (final score = product of the sort keys, default "complexity_scores,
 *    quality_scores"), src/deita/selection/filter/base.py (skip when cosine similarity with a
 *    selected sample > threshold), examples/pipelines/combined_filter.py (threshold default 0.9).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as filterCommand from "../../src/commands/filter.js";
import { parseFilterFlags } from "../../src/commands/filter.js";
import { LlmSettings } from "../../src/llm/types.js";
import { parsePipelineConfig } from "../../src/pipeline/config.js";
import type { AlpacaRecord } from "../../src/schemas.js";
import { handlers } from "../../src/simulator/handlers/index.js";
import { simulatedQualityScore } from "../../src/simulator/handlers/qualityJudge.js";
import { startSimulator, type RunningSimulator } from "../../src/simulator/server.js";
import type { SimRequest } from "../../src/simulator/types.js";
import { COMPLEXITY_MAX, DEFAULT_MIN_SCORE } from "../../src/stages/filter/config.js";
import { ComplexityScore, queryOf } from "../../src/stages/filter/complexity.js";
import { cosineNeighbourhood, DEITA_COSINE_THRESHOLD } from "../../src/stages/filter/diverseSelect.js";
import { QualityRating } from "../../src/stages/filter/quality.js";
import { extractJsonObject } from "../../src/llm/structured.js";
import { scoreFromText } from "../../src/stages/filter/scoring.js";
import { rankScore } from "../../src/stages/filter/select.js";
import { runFilter } from "../../src/stages/filter/stage.js";

const readLines = (path: string): Array<Record<string, unknown>> =>
  readFileSync(path, "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);

function filterDefaults(): Record<string, unknown> {
  const program = new Command();
  filterCommand.register(program);
  return program.commands[0]!.opts();
}

const records: AlpacaRecord[] = Array.from({ length: 12 }, (_, i) => ({
  instruction: `Explain why lesson number ${i} matters to students of history.`,
  input: i % 3 === 0 ? `Lesson ${i}: the printing press.` : "",
  output: `Lesson ${i} matters because it links cause and effect across centuries, example ${i * 11}.`,
}));

let inPath: string;
let seen: SimRequest[] = [];
let sim: RunningSimulator;
let plainText: RunningSimulator;
let broken: RunningSimulator;

beforeAll(async () => {
  // A first handler that only watches: it records every request and lets the real ones answer.
  const watcher = { kind: "watch", matches: (request: SimRequest) => (seen.push(request), false), respond: () => ({ text: "" }) };
  sim = await startSimulator({ port: 0, seed: 5, handlers: [watcher, ...handlers] });
  plainText = await startSimulator({ port: 0, seed: 5, knobs: { "judge.plainTextRate": 1 } });
  broken = await startSimulator({ port: 0, seed: 5, knobs: { "judge.invalidJsonRate": 1 } });
  const dir = mkdtempSync(join(tmpdir(), "if-fidelity-"));
  inPath = join(dir, "data.jsonl");
  writeFileSync(inPath, records.map((r) => JSON.stringify(r)).join("\n") + "\n");
});

afterAll(async () => {
  await sim?.close();
  await plainText?.close();
  await broken?.close();
});

const llmFor = (simulator: RunningSimulator) => LlmSettings.parse({ baseUrl: simulator.url, apiKey: "test-key", model: "sim", maxRetries: 0 });
const flagsFor = (out: string, extra: Record<string, unknown> = {}) => ({ ...filterDefaults(), in: inPath, out, ...extra }) as filterCommand.FilterFlags;

describe("AlpaGasus judge defaults", () => {
  it("rates one record per request (AlpaGasus rating script: one triplet per request)", () => {
    expect(filterDefaults().judgeBatch).toBe("1");
  });

  it("keeps records scoring ≥ 4.5 (AlpaGasus §3: threshold 4.5)", async () => {
    expect(DEFAULT_MIN_SCORE).toBe(4.5);
    const settings = await parseFilterFlags(flagsFor("/tmp/unused", { judge: true }));
    expect(settings.judge).toEqual({ minScore: 4.5 });
  });

  it("scores on 0–5, half points allowed (AlpaGasus Fig. 3: 'a scale of 0 to 5')", () => {
    for (const score of [0, 4.5, 5]) expect(QualityRating.safeParse({ score, rationale: "x" }).success).toBe(true);
    for (const score of [-0.5, 5.5, 6]) expect(QualityRating.safeParse({ score, rationale: "x" }).success).toBe(false);
  });

  it("sends each record alone with the accuracy rubric, temperature 0, max_tokens 256 (rating script's decoding)", async () => {
    const out = mkdtempSync(join(tmpdir(), "if-fidelity-judge-"));
    seen = [];
    await runFilter(await parseFilterFlags(flagsFor(out, { judge: true })), llmFor(sim));
    const judged = seen.filter((request) => request.prompt.includes('{"score":'));
    expect(judged).toHaveLength(records.length);
    for (const [i, request] of judged.entries()) {
      expect(request).toMatchObject({ temperature: 0, maxTokens: 256 });
      expect(request.prompt.match(/^\[Instruction\]$/gm)).toHaveLength(1);
      expect(request.prompt).toMatch(/accuracy/);
      expect(request.prompt).toMatch(/from 0 to 5/);
      expect(records.some((r) => request.prompt.includes(`[Instruction]\n${r.instruction}\n[Input]\n${r.input}\n[Response]\n${r.output}\n[End of response]`)), `request ${i}`).toBe(true);
    }
  });

  it("--judge-batch N packs N records into one request with the batch prompt", async () => {
    const out = mkdtempSync(join(tmpdir(), "if-fidelity-batch-"));
    seen = [];
    await runFilter(await parseFilterFlags(flagsFor(out, { judge: true, judgeBatch: "5" })), llmFor(sim));
    const judged = seen.filter((request) => request.prompt.includes('{"ratings":'));
    expect(judged.map((request) => request.prompt.match(/^### Example \d+$/gm)?.length)).toEqual([5, 5, 2]);
  });
});

describe("the judge against a server that ignores response_format (plain-text replies)", () => {
  it("reads the score from the first line of the paper's reply format and keeps the explanation", async () => {
    const out = mkdtempSync(join(tmpdir(), "if-fidelity-plain-"));
    const summary = await runFilter(await parseFilterFlags(flagsFor(out, { judge: true, minScore: "0" })), llmFor(plainText));
    expect(summary.kept).toBe(records.length);
    const meta = readLines(join(out, "meta.jsonl"));
    expect(meta.map((m) => m.qualityScore)).toEqual(records.map((r) => simulatedQualityScore(r.output)));
    expect(meta.every((m) => typeof m.qualityRationale === "string" && !/^\d/.test(m.qualityRationale as string))).toBe(true);
  });

  it("after the last attempt keeps the raw reply in the judge_invalid evidence", async () => {
    const out = mkdtempSync(join(tmpdir(), "if-fidelity-broken-"));
    await runFilter(await parseFilterFlags(flagsFor(out, { judge: true, judgeAttempts: "2" })), llmFor(broken));
    const invalid = readLines(join(out, "rejected.jsonl"));
    expect(invalid).toHaveLength(records.length);
    for (const r of invalid) {
      expect(r.reason).toBe("judge_invalid");
      expect(r.detail).toMatchObject({ attempts: 2, reply: expect.stringMatching(/^Here are my ratings|"score":7/) });
    }
  });

  it.each([
    ["4.5\nThe response is accurate.", 4.5, "The response is accurate."],
    ["Score: 4\nExplanation: mostly right.", 4, "mostly right."],
    ["**Score:** 3.5/5\n\nIt misses a step.", 3.5, "It misses a step."],
    ["My assessment follows.\nRating = 2 out of 5\nWrong date.", 2, "My assessment follows.\nWrong date."],
    ["**5**\n\nPerfect.", 5, "Perfect."],
  ])("reads %j as a score", (text, score, rationale) => {
    expect(scoreFromText(text, "score")).toEqual({ score, rationale });
  });

  it("finds a JSON object inside chatter, skipping braces that are not JSON", () => {
    expect(extractJsonObject('Sure! Here it is:\n```json\n{"score": 5, "rationale": "ok"}\n```\nHope this helps.')).toEqual({ score: 5, rationale: "ok" });
    expect(extractJsonObject('Use {braces} sparingly. {"score": 3, "rationale": "a } inside"} and {"other": 1}')).toEqual({ score: 3, rationale: "a } inside" });
    expect(scoreFromText("I think this response is decent.", "score")).toBeUndefined();
  });
});

describe("Deita defaults", () => {
  it("complexity is on Deita's 1–6 scale and may be fractional (scorer base.py: expectation over 1..6)", () => {
    expect(COMPLEXITY_MAX).toBe(6);
    for (const complexity of [1, 3.7, 6]) expect(ComplexityScore.safeParse({ complexity }).success).toBe(true);
    for (const complexity of [0.5, 6.5]) expect(ComplexityScore.safeParse({ complexity }).success).toBe(false);
  });

  it("ranks by complexity × quality (combined_filter.py: product of the sort keys)", () => {
    expect(rankScore({ index: 0, quality: 4.5, complexity: 3 })).toBe(13.5);
  });

  it("skips a record whose cosine similarity with a selected one is above τ = 0.9 (base.py: similarity > threshold)", () => {
    expect(DEITA_COSINE_THRESHOLD).toBe(0.9);
    const at = (similarity: number) => [[1, 0], [similarity, Math.sqrt(1 - similarity ** 2)]];
    const verdict = (similarity: number) => {
      const neighbourhood = cosineNeighbourhood(at(similarity));
      neighbourhood.add(0);
      return neighbourhood.tooCloseTo(1) !== undefined;
    };
    expect(verdict(0.89)).toBe(false);
    expect(verdict(0.91)).toBe(true);
  });

  it("--select deita scores with both scorers, one record per request, and cuts nothing by score (Deita ranks, it has no cut-off)", async () => {
    const out = mkdtempSync(join(tmpdir(), "if-fidelity-deita-"));
    const settings = await parseFilterFlags(flagsFor(out, { select: "deita", budget: "5" }));
    expect(settings).toMatchObject({ judge: { minScore: 0 }, complexity: true, batch: 1, select: { method: "deita", budget: 5 } });
    seen = [];
    await runFilter(settings, llmFor(sim));
    const complexityPrompts = seen.filter((request) => request.prompt.includes('{"complexity":'));
    expect(complexityPrompts).toHaveLength(records.length);
    for (const r of records) expect(complexityPrompts.some((request) => request.prompt.includes(`[Query]\n${queryOf(r)}\n[End of query]`))).toBe(true);
    // Nothing is cut by its score: every record is selected, or skipped by the selection itself.
    const rejected = readLines(join(out, "rejected.jsonl"));
    expect(rejected.every((r) => r.reason === "too_similar" || r.reason === "over_budget")).toBe(true);
    expect(readLines(join(out, "data.jsonl")).length + rejected.length).toBe(records.length);
  });
});

describe("prompt files in the CLI and the config", () => {
  it("--judge-prompt takes a user's own one-record prompt, system message included; a batch needs a batch prompt", async () => {
    const dir = mkdtempSync(join(tmpdir(), "if-fidelity-prompt-"));
    const mine = join(dir, "my_judge.txt");
    writeFileSync(mine, 'You are a careful grader.\n---- user ----\nMY OWN RUBRIC.\n[Instruction]\n{instruction}\n[Input]\n{input}\n[Response]\n{response}\n[End of response]\nAnswer {"score": 1, "rationale": "…"}\n---- retry ----\nAgain ({problem}, attempt {attempt}).\n');
    seen = [];
    await runFilter(await parseFilterFlags(flagsFor(join(dir, "out"), { judge: true, judgePrompt: mine })), llmFor(sim));
    const mineSent = seen.filter((request) => request.prompt.startsWith("MY OWN RUBRIC."));
    expect(mineSent).toHaveLength(records.length);
    // A file may open with a system message, as the AlpaGasus rating script sends one.
    for (const request of mineSent) expect(request.messages.map((m) => m.role)).toEqual(["system", "user"]);
    expect(mineSent[0]!.messages[0]!.content).toBe("You are a careful grader.");
    await expect(runFilter(await parseFilterFlags(flagsFor(join(dir, "out2"), { judge: true, judgePrompt: mine, judgeBatch: "4" })), llmFor(sim))).rejects.toThrow(
      /my_judge\.txt: this prompt rates one record per request .*--judge-batch 4 needs a prompt with \{examples\}, \{count\}/,
    );
    const missing = join(dir, "missing.txt");
    writeFileSync(missing, "Rate {instruction} and {response}.\n---- retry ----\n{problem}\n");
    await expect(runFilter(await parseFilterFlags(flagsFor(join(dir, "out3"), { judge: true, judgePrompt: missing })), llmFor(sim))).rejects.toThrow(/missing\.txt.*\{input\}/);
  });

  it("the config takes the prompt files (relative to the config file) and the Deita selection", () => {
    const config = parsePipelineConfig(
      "lang: en\ninput: data.jsonl\nstages:\n  - filter:\n      judgePrompt: prompts/mine.txt\n      complexityPrompt: /abs/c.txt\n      select: deita\n      budget: 6000\n      embeddingModel: text-embedding-3-small\n      diversityThreshold: 0.9\n",
      "/work/cfg/pipeline.yaml",
    );
    expect(config.stages[0]).toEqual({
      name: "filter",
      options: { judgePrompt: "/work/cfg/prompts/mine.txt", complexityPrompt: "/abs/c.txt", select: "deita", budget: 6000, embeddingModel: "text-embedding-3-small", diversityThreshold: 0.9 },
    });
  });
});
