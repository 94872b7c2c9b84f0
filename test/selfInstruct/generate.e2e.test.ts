import { mkdtempSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type RunningSimulator } from "../../src/simulator/server.js";
import { rougeL } from "../../src/text/rougeL.js";
import { tokenize, Vocabulary } from "../../src/text/tokenize.js";
import { hanShare } from "../../src/text/language.js";
import { lineCount, readJsonl, runCli } from "./helpers.js";

interface Row {
  instruction: string;
  input: string;
  output: string;
}

const root = join(import.meta.dirname, "../..");
const enSeeds = join(root, "seeds/seed_tasks.jsonl");
const zhSeeds = join(root, "seeds/zh_seed_tasks.jsonl");
const work = mkdtempSync(join(tmpdir(), "if-generate-"));
let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, seed: 7, latencyMs: 15 });
});
afterAll(async () => {
  await sim.close();
});

const llmFlags = () => ["--base-url", sim.url, "--api-key", "sk-test-secret", "--model", "sim", "--concurrency", "4"];
const seedInstructions = (path: string) => readJsonl<{ instruction: string }>(path).map((s) => s.instruction);

/** Largest ROUGE-L F1 over all pairs of `kept`, and of `kept` against `seeds`, with the plain function. */
function maxPairwiseRouge(kept: string[], seeds: string[]): number {
  const vocabulary = new Vocabulary();
  const keptIds = kept.map((text) => vocabulary.encode(tokenize(text)));
  const seedIds = seeds.map((text) => vocabulary.encode(tokenize(text)));
  let max = 0;
  for (let i = 0; i < keptIds.length; i++) {
    for (let j = i + 1; j < keptIds.length; j++) max = Math.max(max, rougeL(keptIds[i]!, keptIds[j]!));
    for (const seed of seedIds) max = Math.max(max, rougeL(keptIds[i]!, seed));
  }
  return max;
}

describe("instructforge generate (CLI against the simulator)", () => {
  it("generates exactly --num novel records, with reasons for every rejection", async () => {
    const out = join(work, "en300");
    const result = await runCli(["generate", "--seeds", enSeeds, "--num", "300", "--out", out, ...llmFlags()]);
    expect(result.code, result.stderr).toBe(0);

    const data = readJsonl<Row>(join(out, "data.jsonl"));
    expect(data).toHaveLength(300);
    expect(new Set(data.map((r) => r.instruction)).size).toBe(300);
    expect(maxPairwiseRouge(data.map((r) => r.instruction), seedInstructions(enSeeds))).toBeLessThanOrEqual(0.7);
    expect(data.filter((r) => r.input !== "").length).toBeGreaterThan(30);

    const meta = readJsonl(join(out, "meta.jsonl"));
    expect(meta[0]).toMatchObject({ stage: "generate", lang: "en", finishReason: "stop", unit: 0 });
    expect(Object.keys(meta[0]!.most_similar_instructions as object).length).toBe(10);
    expect(meta[0]!.avg_similarity_score).toBeGreaterThan(0);
    expect((meta[0]!.examples as string[]).length).toBe(3);

    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
    const byReason = manifest.counts.rejectedByReason as Record<string, number>;
    for (const reason of ["too_similar", "blacklisted_word", "too_short", "unparseable"]) expect(byReason[reason], reason).toBeGreaterThan(0);
    const rejected = readJsonl<{ reason: string; detail: Record<string, unknown> }>(join(out, "rejected.jsonl"));
    expect(rejected).toHaveLength(manifest.counts.rejected);
    expect(rejected.find((r) => r.reason === "unparseable")!.detail.raw).toEqual(expect.any(String));
    expect(rejected.find((r) => r.reason === "too_similar")!.detail.rougeL).toBeGreaterThan(0.7);
    expect(manifest.config).toMatchObject({ num: 300, lang: "en", examples: 3, tasksPerRequest: 20, rougeL: 0.7 });
    expect(readFileSync(join(out, "manifest.json"), "utf8")).not.toContain("sk-test-secret");
  });

  it("resumes after SIGKILL with the same records as an uninterrupted run and no re-paid requests", async () => {
    const num = "600";
    sim.resetStats();
    const whole = join(work, "whole");
    expect((await runCli(["generate", "--seeds", enSeeds, "--num", num, "--out", whole, ...llmFlags()])).code).toBe(0);
    const uninterruptedRequests = sim.stats().requests;

    sim.resetStats();
    const killed = join(work, "killed");
    const first = await runCli(["generate", "--seeds", enSeeds, "--num", num, "--out", killed, ...llmFlags()], {
      // From committed state: progress.jsonl lines are committed units (data is written before a
      // unit's progress line, so a data line count can point at a unit that was never committed).
      killWhen: () => lineCount(join(killed, "progress.jsonl")) >= 3,
    });
    expect(first.signal).toBe("SIGKILL");
    const partial = lineCount(join(killed, "data.jsonl"));
    expect(partial).toBeLessThan(600);
    const second = await runCli(["generate", "--seeds", enSeeds, "--num", num, "--out", killed, ...llmFlags()]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain("resuming");

    const resumed = readJsonl<Row>(join(killed, "data.jsonl"));
    expect(resumed).toHaveLength(600);
    expect(new Set(resumed.map((r) => JSON.stringify(r))).size).toBe(600);
    expect(resumed).toEqual(readJsonl<Row>(join(whole, "data.jsonl")));
    // Requests in flight at the kill (at most the window, 2 × concurrency) are the only ones sent twice.
    expect(sim.stats().requests).toBeLessThanOrEqual(uninterruptedRequests + 8);
  });

  it("generates Chinese records with --lang zh", async () => {
    const out = join(work, "zh");
    const result = await runCli(["generate", "--lang", "zh", "--seeds", zhSeeds, "--num", "60", "--out", out, ...llmFlags()]);
    expect(result.code, result.stderr).toBe(0);
    const data = readJsonl<Row>(join(out, "data.jsonl"));
    expect(data).toHaveLength(60);
    for (const row of data) expect(hanShare(row.instruction), row.instruction).toBeGreaterThan(0.5);
    expect(maxPairwiseRouge(data.map((r) => r.instruction), seedInstructions(zhSeeds))).toBeLessThanOrEqual(0.7);
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
    expect(manifest.config).toMatchObject({ lang: "zh", tasksPerRequest: 10 });
    expect(readJsonl(join(out, "meta.jsonl"))[0]).toMatchObject({ lang: "zh" });
  });

  it("sends the same requests and keeps the same records with machine examples on a re-run", async () => {
    const args = (out: string) => ["generate", "--seeds", enSeeds, "--num", "80", "--machine-examples", "2", "--out", out, ...llmFlags(), "--concurrency", "1"];
    const runs = await Promise.all([runCli(args(join(work, "m1"))), runCli(args(join(work, "m2")))]);
    expect(runs.map((r) => r.code)).toEqual([0, 0]);
    const first = readJsonl(join(work, "m1", "meta.jsonl"));
    expect(first.some((m) => (m.examples as string[]).some((id) => id.startsWith("machine:")))).toBe(true);
    expect(readJsonl(join(work, "m2", "data.jsonl"))).toEqual(readJsonl(join(work, "m1", "data.jsonl")));
  });
});

describe("instructforge generate: bad input", () => {
  const seedLine = (id: string, instruction?: string) =>
    JSON.stringify({ id, name: id, ...(instruction === undefined ? {} : { instruction }), instances: [{ input: "", output: "ok" }], is_classification: false });

  it("names the file and line for a malformed line or a missing instruction, exits non-zero and writes nothing", async () => {
    const cases = [
      { name: "malformed", content: [seedLine("a", "Say hi to me please."), '{"id": "b", oops}'].join("\n"), message: /malformed\.jsonl:2: not valid JSON/ },
      { name: "missing", content: [seedLine("a", "Say hi to me please."), seedLine("b")].join("\n"), message: /missing\.jsonl:2: field 'instruction' is missing/ },
    ];
    await Promise.all(
      cases.map(async ({ name, content, message }) => {
        const seeds = join(work, `${name}.jsonl`);
        writeFileSync(seeds, content);
        const out = join(work, `bad-${name}`);
        const result = await runCli(["generate", "--seeds", seeds, "--num", "5", "--out", out, ...llmFlags()]);
        expect(result.code).not.toBe(0);
        expect(result.stderr).toMatch(message);
        expect(result.stderr.trim().split("\n")).toHaveLength(1);
        expect(existsSync(out)).toBe(false);
      }),
    );
  });

  it("rejects --num 0, negative or not a number clearly", async () => {
    const results = await Promise.all(["0", "-5", "ten"].map((num) => runCli(["generate", "--seeds", enSeeds, "--num", num, "--out", join(work, "never"), ...llmFlags()])));
    for (const result of results) {
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/--num must be/);
    }
  });

  it("rejects an unknown --no-filter rule and a prompt without {examples}", async () => {
    const prompt = join(work, "prompt.txt");
    writeFileSync(prompt, "Write {num_tasks} tasks.");
    const [unknown, noExamples] = await Promise.all([
      runCli(["generate", "--num", "5", "--no-filter", "vibes", "--out", join(work, "never"), ...llmFlags()]),
      runCli(["generate", "--num", "5", "--prompt", prompt, "--out", join(work, "never"), ...llmFlags()]),
    ]);
    expect(unknown.stderr).toMatch(/--no-filter takes one of: length, blacklist/);
    expect(noExamples.code).not.toBe(0);
    expect(noExamples.stderr).toMatch(/prompt\.txt: the prompt has no \{examples\} placeholder/);
    expect(existsSync(join(work, "never"))).toBe(false);
  });
});
