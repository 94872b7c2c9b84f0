/**
 * Secrets (issue #9): a recognisable fake key given by --api-key or OPENAI_API_KEY must appear in
 * no output file (the whole output directory, cache/ included), no manifest, no stdout/stderr line
 * and no error message — for successful runs, an unreachable server, and a 401 from a simulator
 * that expects another key. Every command except `simulate` is run.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type RunningSimulator } from "../../src/simulator/server.js";
import { makeTempDir, removeDir, runCli, SEEDS_PATH, unusedLocalUrl, walkFiles } from "./harness.js";

const KEY = "sk-test-SECRET-abc123xyz";
/** Pieces that would betray a partly redacted or re-encoded key. */
const KEY_PIECES = [KEY, "SECRET-abc123xyz", "abc123xyz", Buffer.from(KEY).toString("base64")];

const workDir = makeTempDir("secrets");
const input = join(workDir, "input.jsonl");
let sim: RunningSimulator;
let strictSim: RunningSimulator;
let deadUrl: string;
let caseNumber = 0;

beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
  strictSim = await startSimulator({ port: 0, apiKey: "sk-the-other-key" });
  deadUrl = await unusedLocalUrl();
  const records = ["Name three rivers in Europe.", "Explain what a hash table is.", "Write a haiku about rain.", "Give two uses of vinegar.", "Summarise the water cycle."];
  writeFileSync(input, records.map((instruction) => JSON.stringify({ instruction, input: "", output: "" })).join("\n") + "\n");
});

afterAll(async () => {
  await sim?.close();
  await strictSim?.close();
  removeDir(workDir);
});

type Endpoint = "ok" | "unreachable" | "401";
type KeyVia = "flag" | "env";

function urlFor(endpoint: Endpoint): string {
  return endpoint === "ok" ? sim.url : endpoint === "401" ? strictSim.url : deadUrl;
}

/** The command line of each command, writing under `out`. */
const COMMANDS: Record<string, (out: string) => string[]> = {
  generate: (out) => ["generate", "--seeds", SEEDS_PATH, "--num", "10", "--out", out],
  evolve: (out) => ["evolve", "--in", input, "--rounds", "1", "--out", out],
  answer: (out) => ["answer", "--in", input, "--out", out],
  translate: (out) => ["translate", "--in", input, "--to", "zh", "--out", out],
  filter: (out) => ["filter", "--in", input, "--out", out, "--judge"],
  run: (out) => {
    const config = join(out, "..", "pipeline.yaml");
    writeFileSync(config, ["stages:", "  - generate:", "      num: 8", `      seeds: ${SEEDS_PATH}`, "  - dedup: {}", "  - export:", "      formats: [sharegpt]", ""].join("\n"));
    return ["run", "--config", config, "--out", out];
  },
};

async function runWithKey(command: string, endpoint: Endpoint, via: KeyVia) {
  const dir = join(workDir, `case-${caseNumber++}`);
  const out = join(dir, "out");
  mkdirSync(dir, { recursive: true });
  const args = [...COMMANDS[command]!(out), "--base-url", urlFor(endpoint), "--model", "sim", "--max-retries", "1", "--timeout", "5"];
  if (via === "flag") args.push("--api-key", KEY);
  const result = await runCli(args, { env: via === "env" ? { OPENAI_API_KEY: KEY } : {} });
  return { result, dir };
}

function leaks(text: string): string[] {
  return KEY_PIECES.filter((piece) => text.includes(piece));
}

function expectNoLeak(result: { stdout: string; stderr: string }, dir: string): void {
  expect(leaks(result.stdout), "stdout").toEqual([]);
  expect(leaks(result.stderr), "stderr").toEqual([]);
  const files = walkFiles(dir);
  for (const file of files) expect(leaks(readFileSync(file, "latin1")), file).toEqual([]);
}

const SCENARIOS: Array<[string, Endpoint, KeyVia]> = [
  ["generate", "ok", "flag"],
  ["generate", "ok", "env"],
  ["evolve", "ok", "flag"],
  ["answer", "ok", "env"],
  ["translate", "ok", "flag"],
  ["filter", "ok", "flag"],
  ["run", "ok", "flag"],
  ["run", "ok", "env"],
  ["generate", "unreachable", "flag"],
  ["evolve", "unreachable", "env"],
  ["generate", "401", "flag"],
  ["translate", "401", "env"],
  ["run", "401", "flag"],
];

describe.concurrent("the API key never leaves the process", () => {
  it.each(SCENARIOS)("%s against a %s endpoint, key by %s", async (command, endpoint, via) => {
    const { result, dir } = await runWithKey(command, endpoint, via);
    if (endpoint === "ok") expect(result.code, result.stderr.slice(-800)).toBe(0);
    else {
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(endpoint === "401" ? /401|api key|unauthori[sz]ed|rejected/i : /could not reach|connection refused/i);
    }
    expectNoLeak(result, dir);
  });

  it.each([
    ["dedup", (out: string) => ["dedup", "--in", input, "--out", join(out, "dedup.jsonl")]],
    ["export", (out: string) => ["export", "--in", input, "--format", "openai-messages", "--out", join(out, "export.jsonl")]],
  ] as const)("%s (no LLM) with the key in the environment", async (_name, args) => {
    const dir = join(workDir, `case-${caseNumber++}`);
    mkdirSync(dir, { recursive: true });
    const result = await runCli(args(dir), { env: { OPENAI_API_KEY: KEY } });
    expect(result.code, result.stderr).toBe(0);
    expectNoLeak(result, dir);
  });

  it("report over a run made with the key", async () => {
    const { dir } = await runWithKey("generate", "ok", "flag");
    const report = await runCli(["report", "--in", join(dir, "out"), "--html", join(dir, "report.html"), "--card"], { env: { OPENAI_API_KEY: KEY } });
    expect(report.code, report.stderr).toBe(0);
    expectNoLeak(report, dir);
  });
});
