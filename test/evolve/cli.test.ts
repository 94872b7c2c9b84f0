/**
 * `instructforge evolve` as a subprocess (run `npm run build` first) against the simulator
 * started in this process: the 200-record acceptance run, SIGKILL + resume, and bad input.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "../../src/simulator/server.js";
import { alpacaRecords, knobs, startSim, tempDir, writeJsonl } from "./helpers.js";

const CLI = join(process.cwd(), "dist/src/cli.js");

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  ms: number;
}

function runCli(args: string[], onSpawn?: (child: ReturnType<typeof spawn>) => void): Promise<Exit> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, OPENAI_API_KEY: "sk-test-not-secret" } });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.resume();
    child.on("exit", (code, signal) => resolve({ code, signal, stderr, ms: Date.now() - started }));
    onSpawn?.(child);
  });
}

const background = knobs({
  "evolve.leakRate": 0.05,
  "evolve.copyRate": 0.05,
  "evolve.noGainRate": 0.05,
  "evolve.echoLabelsRate": 0.05,
  "evolve.refusalBaitRate": 0.05,
  "evolve.stopwordBaitRate": 0.05,
  "judge.unparseableRate": 0.05,
});

let dir: string;
let input: string;
beforeAll(() => {
  dir = tempDir("if-evolve-cli-");
  input = writeJsonl(dir, "alpaca200.jsonl", alpacaRecords(200));
});

describe("instructforge evolve (CLI)", () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSim({ knobs: background });
  });
  afterAll(async () => {
    await sim.close();
  });

  it("evolves 200 Alpaca records for 4 rounds to the end", async () => {
    const out = join(dir, "evol");
    const result = await runCli(["evolve", "--in", input, "--rounds", "4", "--out", out, "--base-url", sim.url]);
    expect(result.code, result.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
    expect(manifest.status).toBe("complete");
    expect(manifest.evolve.perRound.map((r: { attempts: number }) => r.attempts)).toEqual([200, 200, 200, 200]);
    const kept = readFileSync(join(out, "data.jsonl"), "utf8").trim().split("\n").length;
    expect(kept).toBe(manifest.counts.accepted);
    // 800 attempts, plus the 200 originals, kept by default as WizardLM's data mixes them in.
    expect(kept + manifest.counts.rejected).toBe(1000);
    const originals = readFileSync(join(out, "meta.jsonl"), "utf8").trim().split("\n").filter((line) => JSON.parse(line).kind === "original");
    expect(originals).toHaveLength(200);
    expect(JSON.stringify(manifest)).not.toContain("sk-test-not-secret");
    console.log(`evolve 200×4: ${result.ms} ms, ${kept} kept, eliminated ${JSON.stringify(manifest.counts.rejectedByReason)}, ${sim.stats().requests} requests`);
  });

  it("resumes after SIGKILL without paying again for finished requests, ending with the same data", async () => {
    const records = writeJsonl(dir, "alpaca80.jsonl", alpacaRecords(80));
    const args = (out: string, url: string) => ["evolve", "--in", records, "--rounds", "3", "--out", out, "--base-url", url, "--concurrency", "4", "--keep-original"];

    const reference = await startSim({ knobs: background });
    const whole = join(dir, "whole");
    expect((await runCli(args(whole, reference.url))).code).toBe(0);
    const wholeRequests = reference.stats().requests;
    await reference.close();

    const slow = await startSim({ knobs: background, latencyMs: 15 });
    const killed = join(dir, "killed");
    const first = await runCli(args(killed, slow.url), (child) => {
      const timer = setInterval(() => {
        const progress = join(killed, "progress.jsonl");
        if (existsSync(progress) && readFileSync(progress, "utf8").split("\n").length > 120) {
          clearInterval(timer);
          child.kill("SIGKILL");
        }
      }, 20);
    });
    expect(first.signal).toBe("SIGKILL");
    const second = await runCli(args(killed, slow.url));
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/resuming/);
    const paid = slow.stats().requests;
    await slow.close();

    for (const file of ["data.jsonl", "meta.jsonl", "rejected.jsonl"]) {
      expect(readFileSync(join(killed, file), "utf8"), file).toBe(readFileSync(join(whole, file), "utf8"));
    }
    // Only requests unfinished at the kill may be sent twice: in flight (≤ concurrency 4) or answered but not yet
    // in the cache (≤ another 4). Everything finished before is replayed from the cache.
    expect(paid).toBeGreaterThanOrEqual(wholeRequests);
    expect(paid).toBeLessThanOrEqual(wholeRequests + 8);
    const manifest = JSON.parse(readFileSync(join(killed, "manifest.json"), "utf8"));
    expect(manifest.llm.cacheHits).toBeGreaterThan(0);
    expect(manifest.timings.attempts).toBe(2);
  });
});

describe("bad input", () => {
  const noServer = ["--base-url", "http://127.0.0.1:9/v1"];

  it("an empty input file", async () => {
    const empty = join(dir, "empty.jsonl");
    writeFileSync(empty, "");
    const out = join(dir, "bad-empty");
    const result = await runCli(["evolve", "--in", empty, "--out", out, ...noServer]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/empty\.jsonl: the file is empty/);
    expect(existsSync(out)).toBe(false);
  });

  it("a record without an instruction", async () => {
    const bad = writeJsonl(dir, "no-instruction.jsonl", [{ instruction: "Explain tides.", input: "", output: "" }, { input: "x", output: "y" }]);
    const out = join(dir, "bad-record");
    const result = await runCli(["evolve", "--in", bad, "--out", out, ...noServer]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/no-instruction\.jsonl:2: field 'instruction' is missing/);
    expect(existsSync(out)).toBe(false);
  });

  it("--rounds 0", async () => {
    const out = join(dir, "bad-rounds");
    const result = await runCli(["evolve", "--in", input, "--out", out, "--rounds", "0", ...noServer]);
    expect(result.stderr).toMatch(/--rounds must be at least 1/);
    expect(result.code).toBe(2);
    expect(existsSync(out)).toBe(false);
  });

  it("a resume with different settings is refused and the run left as it was", async () => {
    const out = join(dir, "evol"); // the 200-record run above
    const before = readFileSync(join(out, "manifest.json"), "utf8");
    const result = await runCli(["evolve", "--in", input, "--out", out, "--seed", "7", ...noServer]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/different settings \(seed: was 42, now 7\)/);
    expect(readFileSync(join(out, "manifest.json"), "utf8")).toBe(before);
  });
});
