/**
 * `instructforge run` end to end against the in-process SIMULATOR (a test double): every stage of
 * configs/alpaca-52k.yaml on 200 records, SIGKILL + resume, config errors, and a dry run.
 */
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadPipelineConfig } from "../../src/pipeline/config.js";
import { estimatePipeline } from "../../src/pipeline/estimate.js";
import { startSimulator, type RunningSimulator } from "../../src/simulator/server.js";
import { readJson, runCli, startCli, tempDir, TEST_KEY } from "./helpers.js";

const CONFIG = "configs/alpaca-52k.yaml";
const NUM = "200";

let sim: RunningSimulator;
let firstRun: string;

beforeAll(async () => {
  sim = await startSimulator({ seed: 7 });
  firstRun = tempDir("run");
  const result = await runCli(["run", "--config", CONFIG, "--num", NUM, "--out", firstRun, "--base-url", sim.url, "--api-key", TEST_KEY]);
  if (result.code !== 0) throw new Error(`the reference run failed (${result.code}):\n${result.stderr}`);
});

afterAll(async () => {
  await sim?.close();
});

describe("run --config configs/alpaca-52k.yaml --num 200", () => {
  it("runs every stage into its own directory and writes the final outputs", () => {
    expect(readdirSync(firstRun).sort()).toEqual(["01-generate", "02-dedup", "03-filter", "final", "pipeline.json"]);
    for (const dir of ["01-generate", "02-dedup", "03-filter"]) {
      expect(readJson(path.join(firstRun, dir, "manifest.json")).status, dir).toBe("complete");
    }
    const pipeline = readJson<{ status: string; stages: Array<{ name: string; accepted: number }>; final: { records: number; files: string[] } }>(
      path.join(firstRun, "pipeline.json"),
    );
    expect(pipeline.status).toBe("complete");
    expect(pipeline.stages.map((s) => s.name)).toEqual(["generate", "dedup", "filter"]);
    expect(pipeline.stages[0]!.accepted).toBe(200);
    const data = readJson<unknown[]>(path.join(firstRun, "final", "data.json")) as unknown as unknown[];
    expect(data.length).toBe(pipeline.final.records);
    expect(data.length).toBeGreaterThan(100);
    for (const file of ["data.json", "sharegpt.jsonl", "openai-messages.jsonl", "report.html", "README.md"]) {
      expect(existsSync(path.join(firstRun, "final", file)), file).toBe(true);
    }
  });

  it("never writes the API key", () => {
    const files = [path.join(firstRun, "pipeline.json"), ...["01-generate", "02-dedup", "03-filter"].map((d) => path.join(firstRun, d, "manifest.json"))];
    for (const file of files) expect(readFileSync(file, "utf8"), file).not.toContain(TEST_KEY);
  });

  it("a re-run of a finished pipeline skips every stage and sends nothing", async () => {
    sim.resetStats();
    const again = await runCli(["run", "--config", CONFIG, "--num", NUM, "--out", firstRun, "--base-url", sim.url]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("stage 1/3: generate (complete, skipped)");
    expect(sim.stats().requests).toBe(0);
  });

  it("killed with SIGKILL mid-stage, a re-run finishes with the same dataset", async () => {
    const out = tempDir("killed");
    const args = ["run", "--config", CONFIG, "--num", NUM, "--out", out, "--base-url", sim.url];
    const { child, done } = startCli(args);
    // The kill point comes from committed state: the generate stage has committed a unit.
    const progress = path.join(out, "01-generate", "progress.jsonl");
    let exited = false;
    void done.then(() => (exited = true));
    while (!exited && !(existsSync(progress) && readFileSync(progress, "utf8").trim() !== "")) await new Promise((resolve) => setTimeout(resolve, 5));
    child.kill("SIGKILL");
    const killed = await done;
    const resumed = await runCli(args);
    expect(resumed.code, `${resumed.stderr}\n(killed: ${killed.signal ?? killed.code})`).toBe(0);
    expect(readFileSync(path.join(out, "final", "data.json"), "utf8")).toBe(readFileSync(path.join(firstRun, "final", "data.json"), "utf8"));
  });
});

describe("a damaged run directory", () => {
  it("a stage manifest that is not JSON stops the re-run with the file named, before any request", async () => {
    const copy = tempDir("run-damaged");
    cpSync(firstRun, copy, { recursive: true });
    const manifest = path.join(copy, "02-dedup", "manifest.json");
    writeFileSync(manifest, readFileSync(manifest, "utf8").slice(0, 40));
    sim.resetStats();
    const result = await runCli(["run", "--config", CONFIG, "--num", NUM, "--out", copy, "--base-url", sim.url, "--api-key", TEST_KEY]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`${manifest}: unreadable manifest`);
    expect(result.stderr).not.toMatch(/SyntaxError|at JSON\.parse/);
    expect(sim.stats().requests).toBe(0);
  });

  it("so does a pipeline.json that is not JSON", async () => {
    const copy = tempDir("run-damaged");
    cpSync(firstRun, copy, { recursive: true });
    writeFileSync(path.join(copy, "pipeline.json"), "{\"stages\": [");
    const result = await runCli(["run", "--config", CONFIG, "--num", NUM, "--out", copy, "--base-url", sim.url, "--api-key", TEST_KEY]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`${path.join(copy, "pipeline.json")}: unreadable`);
    expect(result.stderr).not.toMatch(/SyntaxError|at JSON\.parse/);
  });
});

describe("config errors", () => {
  const broken = (name: string) => path.join("test", "pipeline", "fixtures", name);

  it.each([
    ["typo.yaml", /typo\.yaml:\d+: stages\[0\]\.generate\.nmu: unknown key \(did you mean "num"\?\)/],
    ["wrong-type.yaml", /wrong-type\.yaml:\d+: stages\[1\]\.dedup\.rougeL: expected a number from 0 to 1, got "high"/],
    ["unknown-stage.yaml", /unknown-stage\.yaml:\d+: stages\[1\]\.dedupe: unknown stage \(did you mean "dedup"\?\); stages are: generate, evolve/],
    ["api-key.yaml", /api-key\.yaml:\d+: llm\.apiKey: .*OPENAI_API_KEY/],
  ])("%s → file, line and key, exit 2", async (file, message) => {
    const result = await runCli(["run", "--config", broken(file), "--out", tempDir("bad"), "--base-url", sim.url]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});

describe("run --dry-run", () => {
  it("sends no request, and its estimate is within 25% of the actual run", async () => {
    sim.resetStats();
    const dry = await runCli(["run", "--config", CONFIG, "--num", NUM, "--out", tempDir("dry"), "--base-url", sim.url, "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(sim.stats().requests).toBe(0);
    expect(dry.stdout).toContain("SIMULATOR");

    const { config } = await loadPipelineConfig(CONFIG);
    const withNum = { ...config, stages: config.stages.map((s) => (s.name === "generate" ? { ...s, options: { ...s.options, num: Number(NUM) } } : s)) };
    const estimate = await estimatePipeline(withNum, { baseUrl: sim.url, apiKey: "x", model: "gpt-4o-mini", concurrency: 8, timeoutMs: 10_000, maxRetries: 2 });
    const actual = readJson<{ totals: { httpRequests: number; promptTokens: number; completionTokens: number } }>(path.join(firstRun, "pipeline.json")).totals;
    const sum = (pick: (s: (typeof estimate.stages)[number]) => number) => estimate.stages.reduce((total, s) => total + pick(s), 0);
    const within25 = (estimated: number, measured: number) => expect(Math.abs(estimated - measured) / measured, `estimated ${estimated}, actual ${measured}`).toBeLessThanOrEqual(0.25);
    within25(sum((s) => s.requests), actual.httpRequests);
    within25(sum((s) => s.promptTokens + s.completionTokens), actual.promptTokens + actual.completionTokens);
  });
});
