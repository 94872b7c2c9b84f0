/**
 * The dry-run estimate against real runs on the SIMULATOR (a test double): request counts of the
 * shipped zh-native and evol-4-rounds configs within 25%, an LLM-scored filter priced (not $0),
 * and config values the CLI would refuse refused when the config is loaded, with file:line:key.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadPipelineConfig, type PipelineConfig } from "../../src/pipeline/config.js";
import { estimatePipeline } from "../../src/pipeline/estimate.js";
import { startSimulator, type RunningSimulator } from "../../src/simulator/server.js";
import { readJson, runCli, tempDir, TEST_KEY } from "./helpers.js";

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({ port: 0, seed: 5 });
});
afterAll(async () => {
  await sim.close();
});

// The dry run sends nothing; OpenAI's host is what makes gpt-4o-mini's price apply.
const priced = () => ({ baseUrl: "https://api.openai.com/v1", apiKey: "x", model: "gpt-4o-mini", concurrency: 8, timeoutMs: 10_000, maxRetries: 2 });

/** A shipped config made small and pointed at local files, written beside the originals' meaning. */
function variant(source: string, edit: (yaml: string) => string): string {
  const file = path.join(tempDir("estimate-config"), path.basename(source));
  writeFileSync(file, edit(readFileSync(source, "utf8")).replaceAll("../seeds/", `${path.resolve("seeds")}/`));
  return file;
}

async function requestsOfRun(configFile: string, extra: readonly string[] = []): Promise<number> {
  const out = tempDir("estimate-run");
  const result = await runCli(["run", "--config", configFile, "--out", out, "--base-url", sim.url, "--api-key", TEST_KEY, ...extra]);
  expect(result.code, result.stderr).toBe(0);
  return readJson<{ totals: { httpRequests: number } }>(path.join(out, "pipeline.json")).totals.httpRequests;
}

async function estimatedRequests(config: PipelineConfig): Promise<number> {
  const estimate = await estimatePipeline(config, priced());
  return estimate.stages.reduce((sum, stage) => sum + stage.requests, 0);
}

function expectWithin25(estimated: number, measured: number): void {
  expect(Math.abs(estimated - measured) / measured, `estimated ${estimated}, actual ${measured}`).toBeLessThanOrEqual(0.25);
}

describe("dry-run estimates of the shipped configs", () => {
  it("configs/zh-native.yaml (300 records) is within 25% of a simulated run", async () => {
    const file = variant("configs/zh-native.yaml", (yaml) => yaml.replace(/num: \d+/, "num: 300"));
    const measured = await requestsOfRun(file);
    expectWithin25(await estimatedRequests((await loadPipelineConfig(file)).config), measured);
  });

  it("configs/evol-4-rounds.yaml (40 seed tasks in) is within 25% of a simulated run", async () => {
    const input = path.join(tempDir("estimate-evol-in"), "in.jsonl");
    writeFileSync(input, readFileSync("seeds/seed_tasks.jsonl", "utf8").split("\n").slice(0, 40).join("\n") + "\n");
    const file = variant("configs/evol-4-rounds.yaml", (yaml) => yaml.replace(/^input: .*$/m, `input: ${input}`));
    const measured = await requestsOfRun(file);
    expectWithin25(await estimatedRequests((await loadPipelineConfig(file)).config), measured);
  });

  it("a judged and complexity-scored filter is priced, and within 25% of a simulated run", async () => {
    const dir = tempDir("estimate-judge");
    const file = path.join(dir, "judge.yaml");
    writeFileSync(file, `input: ${path.resolve("seeds/seed_tasks.jsonl")}\nstages:\n  - filter: {judge: true, complexity: true}\n`);
    const estimate = await estimatePipeline((await loadPipelineConfig(file)).config, priced());
    const filter = estimate.stages[0]!;
    expect(filter.requests).toBeGreaterThan(0);
    expect(filter.costUsd).toBeGreaterThan(0);
    expectWithin25(filter.requests, await requestsOfRun(file));
  });
});

describe("config values the CLI would refuse", () => {
  it.each([
    ["translate: {recordsPerRequest: 50}", "lang: zh\n", /:4: stages\[0\]\.translate\.recordsPerRequest: expected a whole number from 1 to 20, got 50/],
    ["filter: {judge: true, minScore: 7}", "", /:\d: stages\[0\]\.filter\.minScore: expected a number from 0 to 5, got 7/],
  ])("%s is refused at load time with file:line:key", async (stage, top, message) => {
    const file = path.join(tempDir("estimate-bad"), "bad.yaml");
    writeFileSync(file, `${top}input: in.jsonl\nstages:\n  - ${stage}\n`);
    await expect(loadPipelineConfig(file)).rejects.toThrow(message);
  });
});
