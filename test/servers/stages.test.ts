/**
 * The stages against each simulator profile (test doubles of OpenAI, vLLM, llama.cpp's server and
 * Ollama): generate → evolve → filter --judge → translate, and answer, complete and keep the
 * records they should; no two different requests of a run share a sampling seed; the model is
 * discovered from /v1/models and not billed at a hosted model's price.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveLlmSettings } from "../../src/commands/llmOptions.js";
import type { LlmSettings } from "../../src/llm/types.js";
import { callStage } from "../../src/pipeline/stageCalls.js";
import type { StageConfig } from "../../src/pipeline/config.js";
import type { ProfileName } from "../../src/simulator/profiles.js";
import { startSimulator, type RunningSimulator, type SimStats } from "../../src/simulator/server.js";
import { tempDir } from "../pipeline/helpers.js";

const readJsonl = (file: string): Array<Record<string, unknown>> =>
  existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>) : [];
const readManifest = (dir: string) => JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8")) as {
  status: string;
  endpoint?: { model: string; contextTokens?: number };
  llm?: { costUsd: number; costKnown?: boolean; adaptations?: string[]; failures: number };
};
const reasons = (dir: string) => readJsonl(path.join(dir, "rejected.jsonl")).map((r) => String(r.reason));

/** Distinct request bodies (seed left out) that went out with the same seed: none may. */
export function sharedSeeds(stats: SimStats): Array<[number | null, string[]]> {
  const bySeed = new Map<number | null, Set<string>>();
  for (const { seed, request } of stats.seeds) bySeed.set(seed, (bySeed.get(seed) ?? new Set()).add(request));
  return [...bySeed].filter(([seed, requests]) => seed === null || requests.size > 1).map(([seed, requests]) => [seed, [...requests]]);
}

const PROFILES: ProfileName[] = ["openai", "vllm", "llamacpp", "ollama"];

describe.each(PROFILES)("against the %s profile", (profile) => {
  let sim: RunningSimulator;
  let llm: LlmSettings;
  const out = tempDir(`servers-${profile}`);
  const dir = (name: string) => path.join(out, name);
  const run = (stage: StageConfig, inputPath?: string) =>
    callStage({ stage: stage as Exclude<StageConfig, { name: "export" }>, inputPath, outDir: dir(stage.name), lang: "en", seed: 5, llm });

  beforeAll(async () => {
    sim = await startSimulator({ seed: 11, profile });
    // No model named: the one the endpoint serves is used.
    llm = await resolveLlmSettings({ baseUrl: sim.url, apiKey: "sk-profile-test" });
  });
  afterAll(async () => {
    await sim.close();
  });

  it("discovers the model and prices it as unknown", () => {
    expect(llm.model).toContain("instructforge-simulator");
  });

  it("generate, evolve, filter --judge and translate complete and keep the right records", async () => {
    await run({ name: "generate", options: { num: 12 } });
    await run({ name: "evolve", options: { rounds: 1 } }, path.join(dir("generate"), "data.jsonl"));
    await run({ name: "filter", options: { judge: true, minScore: 1, judgeBatch: 4 } }, path.join(dir("evolve"), "data.jsonl"));
    await run({ name: "translate", options: { recordsPerRequest: 2 } }, path.join(dir("filter"), "data.jsonl"));

    for (const stage of ["generate", "evolve", "filter", "translate"]) {
      const manifest = readManifest(dir(stage));
      expect(manifest.status, stage).toBe("complete");
      expect(manifest.endpoint?.model, stage).toBe(llm.model);
      expect(manifest.llm?.costKnown, stage).toBe(false);
      expect(manifest.llm?.costUsd, stage).toBe(0);
      expect(manifest.llm?.failures, stage).toBe(0);
    }
    expect(readJsonl(path.join(dir("generate"), "data.jsonl")).length).toBeGreaterThanOrEqual(12);
    const evolved = readJsonl(path.join(dir("evolve"), "data.jsonl"));
    expect(evolved.length).toBeGreaterThan(0);
    // llama.cpp refuses json_schema ("Failed to initialize samplers") and ignores json_object: the
    // judge falls back once, reads the JSON out of the fenced plain-text replies, loses no record.
    const adaptations = readManifest(dir("filter")).llm?.adaptations ?? [];
    if (profile === "llamacpp") expect(adaptations.join("\n")).toMatch(/json_schema refused .*using json_object/);
    else expect(adaptations).toEqual([]);
    expect(reasons(dir("filter"))).not.toContain("judge_invalid");
    const judgedMeta = readJsonl(path.join(dir("filter"), "meta.jsonl"));
    expect(judgedMeta.length).toBeGreaterThan(0);
    expect(judgedMeta.every((m) => typeof m.qualityScore === "number")).toBe(true);
    expect(reasons(dir("translate"))).not.toContain("reply_not_json");
    const translated = readJsonl(path.join(dir("translate"), "data.jsonl"));
    expect(translated.length).toBe(judgedMeta.length - reasons(dir("translate")).length);
    expect(translated.every((r) => /\p{Script=Han}/u.test(String(r.instruction)))).toBe(true);

    const stats = sim.stats();
    expect(stats.requestsByStatus["200"]).toBeGreaterThan(0);
    expect(sharedSeeds(stats)).toEqual([]);
  });

  it("answer completes", async () => {
    const input = path.join(out, "questions.jsonl");
    const questions = ["Name three primary colors.", "Explain what a prime number is.", "Give two tips for sleeping better."];
    writeFileSync(input, questions.map((instruction) => JSON.stringify({ instruction, input: "", output: "" })).join("\n") + "\n");
    await run({ name: "answer", options: {} }, input);
    const answered = readJsonl(path.join(dir("answer"), "data.jsonl"));
    expect(answered.map((r) => r.instruction)).toEqual(questions);
    expect(answered.every((r) => String(r.output).trim().length > 0)).toBe(true);
    expect(sharedSeeds(sim.stats())).toEqual([]);
  });
});

it("a record the judge never answers readably is rejected as judge_invalid with the raw reply kept", async () => {
  const sim = await startSimulator({ seed: 3, profile: "llamacpp", knobs: { "judge.invalidJsonRate": 1 } });
  try {
    const out = tempDir("servers-judge-invalid");
    const input = path.join(out, "in.jsonl");
    const records = [0, 1, 2].map((i) => ({ instruction: `Explain why topic ${i} matters to students.`, input: "", output: `Topic ${i} matters because it links observation and reasoning.` }));
    writeFileSync(input, records.map((r) => JSON.stringify(r)).join("\n") + "\n");
    const llm = await resolveLlmSettings({ baseUrl: sim.url, apiKey: "sk-profile-test" });
    await callStage({ stage: { name: "filter", options: { judge: true, judgeBatch: 3, judgeAttempts: 2 } }, inputPath: input, outDir: path.join(out, "filter"), lang: "en", seed: 1, llm });
    const rejected = readJsonl(path.join(out, "filter", "rejected.jsonl"));
    expect(rejected.map((r) => r.reason)).toEqual(["judge_invalid", "judge_invalid", "judge_invalid"]);
    for (const { detail } of rejected) expect(detail).toMatchObject({ attempts: 2, reply: expect.stringMatching(/\S/) });
  } finally {
    await sim.close();
  }
});
