/**
 * `generate --recipe self-instruct` (the CLI, built) against the simulator: instructions from
 * 6 seed + 2 machine instructions → classification → instances output-first for classification
 * tasks and input-first for the others, visible in meta.jsonl.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type RunningSimulator } from "../../src/simulator/server.js";
import { labelsOf } from "../../src/simulator/handlers/selfInstructInstances.js";
import { readJsonl, runCli } from "./helpers.js";

interface Row {
  instruction: string;
  input: string;
  output: string;
}

const root = join(import.meta.dirname, "../..");
const work = mkdtempSync(join(tmpdir(), "if-self-instruct-"));
let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, seed: 11 });
});
afterAll(async () => {
  await sim.close();
});

describe("generate --recipe self-instruct", () => {
  it("generates classification instances output-first and the others input-first, and says so in meta", async () => {
    const out = join(work, "run");
    const args = ["generate", "--recipe", "self-instruct", "--seeds", join(root, "seeds/seed_tasks.jsonl"), "--num", "80", "--out", out];
    const result = await runCli([...args, "--base-url", sim.url, "--api-key", "sk-test", "--model", "sim", "--concurrency", "4"]);
    expect(result.code, result.stderr).toBe(0);

    const data = readJsonl<Row>(join(out, "data.jsonl"));
    const meta = readJsonl<Record<string, unknown>>(join(out, "meta.jsonl"));
    expect(data).toHaveLength(80);
    expect(meta).toHaveLength(80);
    const rows = data.map((row, i) => ({ row, meta: meta[i]! }));
    const classification = rows.filter((r) => r.meta.isClassification === true);
    const other = rows.filter((r) => r.meta.isClassification === false);
    expect(classification.length).toBeGreaterThan(5);
    expect(other.length).toBeGreaterThan(5);
    for (const { row, meta: m } of classification) {
      expect(m).toMatchObject({ recipe: "self-instruct", instanceOrder: "output-first" });
      // Output-first: the output is the class label the instance was written for.
      expect(labelsOf(row.instruction)).toContain(row.output);
    }
    for (const { meta: m } of other) expect(m).toMatchObject({ recipe: "self-instruct", instanceOrder: "input-first" });

    // Several instances per instruction, none of them a duplicate; every record's instruction passed the novelty check once.
    expect(new Set(data.map((r) => r.instruction)).size).toBeLessThan(data.length);
    expect(new Set(data.map((r) => JSON.stringify(r))).size).toBe(data.length);

    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
    expect(manifest.generate).toMatchObject({ recipe: "self-instruct" });
    expect(manifest.generate.chatterLines).toEqual(expect.any(Number));
    expect(manifest.generate.instructionsKept).toBeGreaterThan(5);
    expect(manifest.config).toMatchObject({ recipe: "self-instruct", examples: 6, machineExamples: 2, tasksPerRequest: 16, temperature: 0.7, topP: 0.5, maxTokens: 1024 });
    const kinds = sim.stats().requestsByKind;
    for (const kind of ["selfInstructInstructions", "selfInstructClassify", "selfInstructInstances"]) expect(kinds[kind], kind).toBeGreaterThan(0);
    const rejected = readJsonl<{ reason: string }>(join(out, "rejected.jsonl"));
    expect(rejected.some((r) => r.reason === "too_similar")).toBe(true);
  });

  it("refuses --lang zh with a clear message", async () => {
    const result = await runCli(["generate", "--recipe", "self-instruct", "--lang", "zh", "--num", "5", "--out", join(work, "zh"), "--base-url", sim.url, "--api-key", "x"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--recipe self-instruct has English prompts only");
  });
});
