/**
 * The stage contract, through the real CLI against the SIMULATOR (a test double): a directory is
 * only resumed by the run that made it, damage is named in one line, a stage that keeps nothing
 * ends a pipeline cleanly, and accounting over a kill and a resume matches what the server saw.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type RunningSimulator } from "../../src/simulator/server.js";
import { lineCount, llmArgs, makeTempDir, runCli, spawnCli, walkFiles } from "../reliability/harness.js";

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({ port: 0, seed: 7 });
});
afterAll(async () => {
  await sim.close();
});

/** Every file of a directory with its bytes: the "unchanged" a refusal must leave. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(walkFiles(dir).map((file) => [file.slice(dir.length), readFileSync(file).toString("base64")]));
}

function writeRecords(dir: string, name: string, instructions: readonly string[]): string {
  const file = join(dir, name);
  writeFileSync(file, instructions.map((instruction) => `${JSON.stringify({ instruction, input: "", output: "" })}\n`).join(""));
  return file;
}

describe("resume is refused unless it is the same run", () => {
  it("generate with another --seed into the same --out: exit 2, the directory byte-identical", async () => {
    const out = join(makeTempDir("contract-seed"), "gen");
    const first = await runCli(["generate", "--num", "40", "--seed", "1", "--out", out, ...llmArgs(sim.url)]);
    expect(first.code).toBe(0);
    const before = snapshot(out);
    const second = await runCli(["generate", "--num", "80", "--seed", "999", "--out", out, ...llmArgs(sim.url)]);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain("seed: was 1, now 999");
    expect(second.stderr).toContain("--restart");
    expect(snapshot(out)).toEqual(before);
  });

  it("generate with a larger --num resumes (how many is not what the work is)", async () => {
    const out = join(makeTempDir("contract-num"), "gen");
    expect((await runCli(["generate", "--num", "20", "--out", out, ...llmArgs(sim.url)])).code).toBe(0);
    const more = await runCli(["generate", "--num", "45", "--out", out, ...llmArgs(sim.url)]);
    expect(more.code).toBe(0);
    expect(more.stderr).toContain("resuming");
    expect(lineCount(join(out, "data.jsonl"))).toBe(45);
  });

  it("answer with another --in: refused, unchanged; --restart moves the old run aside and starts again", async () => {
    const dir = makeTempDir("contract-answer");
    const a = writeRecords(dir, "a.jsonl", ["Name three primary colours.", "Explain what a prime number is."]);
    const b = writeRecords(dir, "b.jsonl", ["Describe how tides form.", "List four kinds of clouds."]);
    const out = join(dir, "answered");
    expect((await runCli(["answer", "--in", a, "--out", out, ...llmArgs(sim.url)])).code).toBe(0);
    const before = snapshot(out);
    const other = await runCli(["answer", "--in", b, "--out", out, ...llmArgs(sim.url)]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/file:input: was "sha256:[0-9a-f]{16}", now "sha256:[0-9a-f]{16}"/);
    expect(snapshot(out)).toEqual(before);

    const restarted = await runCli(["answer", "--in", b, "--out", out, "--restart", ...llmArgs(sim.url)]);
    expect(restarted.code).toBe(0);
    expect(restarted.stderr).toContain("moved the earlier run aside");
    const aside = readdirSync(dir).filter((name) => name.startsWith("answered.old-"));
    expect(aside).toHaveLength(1);
    expect(snapshot(join(dir, aside[0]!))).toEqual(before);
    const answered = readFileSync(join(out, "data.jsonl"), "utf8");
    expect(answered).toContain("Describe how tides form.");
    expect(answered).not.toContain("primary colours");
  });

  it("answer pointed at a generate run directory: refused, the generate run untouched", async () => {
    const dir = makeTempDir("contract-other-stage");
    const gen = join(dir, "gen");
    expect((await runCli(["generate", "--num", "10", "--out", gen, ...llmArgs(sim.url)])).code).toBe(0);
    const before = snapshot(gen);
    const input = writeRecords(dir, "in.jsonl", ["Summarise the plot of a film you like."]);
    const wrong = await runCli(["answer", "--in", input, "--out", gen, ...llmArgs(sim.url)]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("holds a 'generate' run");
    expect(snapshot(gen)).toEqual(before);
  });

  it("a corrupt manifest stops answer and evolve with one line naming the file", async () => {
    const dir = makeTempDir("contract-corrupt");
    const input = writeRecords(dir, "in.jsonl", ["Give two tips for learning a language."]);
    for (const stage of ["answer", "evolve"]) {
      const out = join(dir, stage);
      const args = [stage, "--in", input, "--out", out, ...(stage === "evolve" ? ["--rounds", "1"] : []), ...llmArgs(sim.url)];
      expect((await runCli(args)).code).toBe(0);
      writeFileSync(join(out, "manifest.json"), '{"stage": "ans');
      const again = await runCli(args);
      expect(again.code).toBe(2);
      const lines = again.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(join(out, "manifest.json"));
      expect(again.stderr).not.toContain("SyntaxError");
    }
  });
});

describe("a stage that keeps nothing", () => {
  it("still writes an empty data.jsonl, and run stops after it cleanly, saying why in pipeline.json", async () => {
    const dir = makeTempDir("contract-zero");
    const input = writeRecords(dir, "empty-outputs.jsonl", ["Write a haiku about rain.", "Name a famous bridge."]);
    const config = join(dir, "zero.yaml");
    writeFileSync(config, `input: ${input}\nstages:\n  - filter: {}\n  - dedup: {}\n`);
    const out = join(dir, "out");
    const result = await runCli(["run", "--config", config, "--out", out]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("stage 1 (filter) kept 0 records");
    expect(readFileSync(join(out, "01-filter", "data.jsonl"), "utf8")).toBe("");
    expect(lineCount(join(out, "01-filter", "rejected.jsonl"))).toBe(2);
    const pipeline = JSON.parse(readFileSync(join(out, "pipeline.json"), "utf8")) as { status: string; stoppedBecause: string };
    expect(pipeline.status).toBe("stopped");
    expect(pipeline.stoppedBecause).toContain("kept 0 records");
    expect(existsSync(join(out, "02-dedup"))).toBe(false);
  });
});

describe("a record the server refuses", () => {
  it("becomes one request_refused rejection with the server's message; the stage completes, and a resume does not send it again", async () => {
    // llama.cpp's way: a prompt longer than the slot's context is refused with HTTP 400 exceed_context_size_error.
    const small = await startSimulator({ port: 0, seed: 3, profile: "llamacpp", context: 600 });
    try {
      const dir = makeTempDir("contract-poison");
      const long = `Summarise this text: ${"the quick brown fox jumps over the lazy dog ".repeat(300)}`;
      const input = writeRecords(dir, "in.jsonl", ["Name three primary colours.", long, "List two kinds of clouds."]);
      const out = join(dir, "answered");
      const args = ["answer", "--in", input, "--out", out, "--max-tokens", "64", ...llmArgs(small.url)];
      const first = await runCli(args);
      expect(first.code, first.stderr).toBe(0);
      expect(lineCount(join(out, "data.jsonl"))).toBe(2);
      const rejected = readFileSync(join(out, "rejected.jsonl"), "utf8").trim().split("\n").map((line) => JSON.parse(line) as { reason: string; record: { instruction: string }; detail: { status: number; type?: string; message: string } });
      expect(rejected).toHaveLength(1);
      expect(rejected[0]).toMatchObject({ reason: "request_refused", record: { instruction: long }, detail: { status: 400, type: "exceed_context_size_error" } });
      expect(rejected[0]!.detail.message).toMatch(/context/i);
      const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")) as { status: string };
      expect(manifest.status).toBe("complete");

      const served = small.stats().requests;
      const again = await runCli(args);
      expect(again.code).toBe(0);
      expect(small.stats().requests).toBe(served);
    } finally {
      await small.close();
    }
  });
});

describe("provenance", () => {
  it("every record of the demo pipeline's final/meta.jsonl carries its generate examples and its evolution lineage", async () => {
    const out = join(makeTempDir("contract-demo"), "demo");
    const result = await runCli(["run", "--config", "configs/demo.yaml", "--out", out, ...llmArgs(sim.url)]);
    expect(result.code, result.stderr).toBe(0);
    const lines = readFileSync(join(out, "final", "meta.jsonl"), "utf8").trim().split("\n");
    expect(lines.length).toBe((JSON.parse(readFileSync(join(out, "final", "data.json"), "utf8")) as unknown[]).length);
    for (const line of lines) {
      const meta = JSON.parse(line) as { stage: string; history?: { generate?: { examples?: unknown }; evolve?: { rootId?: unknown; operation?: unknown; round?: unknown } } };
      expect(meta.stage).toBe("filter");
      expect(Array.isArray(meta.history?.generate?.examples)).toBe(true);
      expect(typeof meta.history?.evolve?.rootId).toBe("string");
      expect(typeof meta.history?.evolve?.round).toBe("number");
      expect(meta.history?.evolve).toHaveProperty("operation");
    }
  });
});

describe("accounting over every attempt", () => {
  it("after a SIGKILL and a resume, the manifest counts exactly the requests the simulator received", async () => {
    const slow = await startSimulator({ port: 0, seed: 11, latencyMs: 100 });
    try {
      const out = join(makeTempDir("contract-accounts"), "gen");
      const args = ["generate", "--num", "600", "--out", out, ...llmArgs(slow.url, ["--concurrency", "2"])];
      const first = spawnCli(args);
      // Kill once units are committed (progress.jsonl lines), with requests surely in flight.
      while (!existsSync(join(out, "progress.jsonl")) || lineCount(join(out, "progress.jsonl")) < 3) await new Promise((r) => setTimeout(r, 20));
      first.child.kill("SIGKILL");
      await first.done;
      const second = await runCli(args);
      expect(second.code).toBe(0);
      const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")) as {
        llm: { httpRequests: number };
        attempts: Array<{ attempt: number; status: string; ledger: { httpRequests: number } }>;
      };
      expect(manifest.attempts.map((a) => [a.attempt, a.status])).toEqual([
        [1, "killed"],
        [2, "complete"],
      ]);
      expect(manifest.attempts[0]!.ledger.httpRequests).toBeGreaterThan(0);
      expect(manifest.llm.httpRequests).toBe(slow.stats().requests);
    } finally {
      await slow.close();
    }
  });
});
