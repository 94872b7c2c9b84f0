/**
 * Fault test (issue #9): `instructforge run` (generate → evolve → filter) against a simulator that
 * answers 10% of attempts with 429 (Retry-After), 5% with 500, leaves 2% hanging (the client's 2 s
 * timeout ends them), and damages 5% / cuts 5% of replies. The run must complete with only valid
 * Alpaca lines, and the client's count of retries (manifest.llm.retriesByCause) must match the
 * faults the server injected (stats().faults).
 */
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type RunningSimulator, type SimStats } from "../../src/simulator/server.js";
import { llmArgs, makeTempDir, readJsonlStrict, readManifest, removeDir, runCli, SEEDS_PATH, type CliResult } from "./harness.js";

const RATES = { fail429: 0.1, fail500: 0.05, hang: 0.02, malformed: 0.05, truncate: 0.05 };
const STAGES = ["01-generate", "02-evolve", "03-filter"];

interface StageManifest {
  status?: string;
  counts?: { accepted?: number; rejectedByReason?: Record<string, number> };
  llm?: { httpRequests?: number; retriesByCause?: Record<string, number> };
}

const workDir = makeTempDir("faults");
const outDir = join(workDir, "out");
let sim: RunningSimulator;
let result: CliResult;
let stats: SimStats;
let manifests: StageManifest[];

beforeAll(async () => {
  const config = join(workDir, "pipeline.yaml");
  writeFileSync(config, ["lang: en", "seed: 42", "stages:", "  - generate:", "      num: 80", `      seeds: ${SEEDS_PATH}`, "  - evolve:", "      rounds: 1", "  - filter: {}", ""].join("\n"));
  sim = await startSimulator({ port: 0, latencyMs: 5, retryAfterMs: 200, ...RATES });
  result = await runCli(["run", "--config", config, "--out", outDir, ...llmArgs(sim.url, ["--timeout", "2", "--max-retries", "10"])]);
  stats = sim.stats();
  manifests = STAGES.map((stage) => readManifest(join(outDir, stage)) as StageManifest);
}, 90_000);

afterAll(async () => {
  await sim?.close();
  removeDir(workDir);
});

const sum = (values: Array<number | undefined>): number => values.reduce<number>((a, b) => a + (b ?? 0), 0);
const retries = (cause: string): number => sum(manifests.map((m) => m.llm?.retriesByCause?.[cause]));

/** |observed − expected| within 3.5 standard deviations of a binomial draw (plus 2 for tiny counts). */
function expectRate(observed: number, trials: number, rate: number): void {
  const slack = 3.5 * Math.sqrt(trials * rate * (1 - rate)) + 2;
  expect(Math.abs(observed - trials * rate), `${observed} of ${trials} at rate ${rate}`).toBeLessThanOrEqual(slack);
}

describe("a full pipeline run through injected faults", () => {
  it("completes, with every stage complete", () => {
    expect(result.code, result.stderr.slice(-1500)).toBe(0);
    expect(manifests.map((m) => m.status)).toEqual(["complete", "complete", "complete"]);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it("writes only valid JSON lines in the Alpaca schema, in every stage and in final/", () => {
    const files = [...STAGES.map((s) => join(outDir, s, "data.jsonl")), ...readdirSync(join(outDir, "final")).filter((f) => f.endsWith(".jsonl")).map((f) => join(outDir, "final", f))];
    let lines = 0;
    for (const file of files.filter((f) => f.endsWith("data.jsonl"))) {
      const { values, problems } = readJsonlStrict(file);
      expect(problems).toEqual([]);
      for (const value of values) {
        expect(Object.keys(value as object).sort()).toEqual(["input", "instruction", "output"]);
        for (const field of Object.values(value as object)) expect(typeof field).toBe("string");
      }
      lines += values.length;
    }
    expect(lines).toBeGreaterThan(100);
  });

  it("the server injected each fault at about the configured rate", () => {
    expectRate(stats.faults["429"], stats.requests, RATES.fail429);
    expectRate(stats.faults["500"], stats.requests, RATES.fail500);
    expectRate(stats.faults.hang, stats.requests, RATES.hang);
    const bodies = stats.completed; // body faults are drawn once per request body; each completed once or was cached
    expectRate(stats.faults.malformed, bodies, RATES.malformed);
    expectRate(stats.faults.truncate, bodies, RATES.truncate);
  });

  it("the client's retries by cause match the server's faults (client view = server view)", () => {
    // Requests no manifest counts: sent after a stage closed (generate's over-launch at its target).
    // A fault on one of those was never retried, so it is the only slack allowed.
    const unaccounted = stats.requests - sum(manifests.map((m) => m.llm?.httpRequests));
    expect(unaccounted).toBeGreaterThanOrEqual(0);
    const pairs: Array<[string, number]> = [["429", stats.faults["429"]], ["5xx", stats.faults["500"]], ["timeout", stats.faults.hang]];
    for (const [cause, injected] of pairs) {
      expect(retries(cause), `${cause}: client ${retries(cause)}, server ${injected}, unaccounted ${unaccounted}`).toBeLessThanOrEqual(injected);
      expect(retries(cause), `${cause}: client ${retries(cause)}, server ${injected}, unaccounted ${unaccounted}`).toBeGreaterThanOrEqual(injected - unaccounted);
    }
    expect(retries("connection")).toBe(0);
  });

  it("cut replies show up as truncation rejections, never more than the server cut", () => {
    const truncations = sum(manifests.flatMap((m) => Object.entries(m.counts?.rejectedByReason ?? {}).filter(([reason]) => /truncat/.test(reason)).map(([, n]) => n)));
    expect(truncations).toBeGreaterThan(0);
    expect(truncations).toBeLessThanOrEqual(stats.faults.truncate);
  });
});
