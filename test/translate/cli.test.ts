/**
 * `instructforge translate` as a subprocess (`npm run build` first): clear errors for bad input
 * with nothing written, and resume after SIGKILL without paying again for finished work.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type RunningSimulator } from "../../src/simulator/server.js";
import { readRun, tempDir, writeRecords } from "./helpers.js";

const CLI = resolve("dist/src/cli.js");

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({ seed: 11, latencyMs: 60 });
});
afterAll(async () => {
  await sim.close();
});

const env = () => ({ ...process.env, OPENAI_API_KEY: "sk-test-not-a-secret", OPENAI_BASE_URL: sim.url, INSTRUCTFORGE_PROGRESS_MS: "100000" });

/** Asynchronous on purpose: the simulator lives in this process and must keep answering. */
function translate(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [CLI, "translate", ...args], { env: env(), stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  return new Promise((done) => child.once("close", (code) => done({ code, stderr })));
}

const records = Array.from({ length: 24 }, (_, i) => ({
  instruction: `Describe item number ${i} of the museum catalogue in one sentence.`,
  input: i % 3 === 0 ? `Item ${i}: a bronze lamp, see https://example.org/items/${i}` : "",
  output: `Item ${i} is an old lamp made of bronze, about ${10 + i} cm tall.`,
}));

describe("instructforge translate (CLI)", () => {
  it("refuses an unsupported --to, an empty file and a non-UTF-8 file with one clear line, writing nothing", async () => {
    const dir = tempDir();
    const good = writeRecords(dir, records.slice(0, 1));
    const empty = join(dir, "empty.json");
    writeFileSync(empty, "");
    const latin1 = join(dir, "latin1.jsonl");
    writeFileSync(latin1, Buffer.concat([Buffer.from('{"instruction": "ok", "input": "", "output": ""}\n{"instruction": "caf'), Buffer.from([0xe9]), Buffer.from('", "input": "", "output": ""}\n')]));

    const cases: Array<[string[], RegExp]> = [
      [["--in", good, "--to", "fr"], /--to fr: unsupported target language; only 'zh'/],
      [["--in", empty, "--to", "zh"], /empty\.json: the file is empty/],
      [["--in", latin1, "--to", "zh"], /latin1\.jsonl:2: not valid UTF-8/],
      [["--in", good, "--to", "zh", "--fields", "instruction,title"], /unknown field 'title'/],
    ];
    for (const [args, message] of cases) {
      const out = join(dir, `out-${cases.findIndex((c) => c[0] === args)}`);
      const result = await translate([...args, "--out", out]);
      expect(result.code, `${args.join(" ")} → ${result.stderr}`).not.toBe(0);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
      expect(existsSync(out)).toBe(false);
    }
  });

  it("resumes after SIGKILL: same data as an uninterrupted run, finished requests not sent again", async () => {
    const dir = tempDir();
    const input = writeRecords(dir, records);
    const reference = join(dir, "reference");
    sim.resetStats();
    expect((await translate(["--in", input, "--to", "zh", "--out", reference, "--concurrency", "2"])).code).toBe(0);
    const requestsUninterrupted = sim.stats().requests;
    expect(requestsUninterrupted).toBe(records.length);

    const out = join(dir, "killed");
    sim.resetStats();
    const child = spawn(process.execPath, [CLI, "translate", "--in", input, "--to", "zh", "--out", out, "--concurrency", "2"], { env: env(), stdio: "ignore" });
    await waitFor(() => committedUnits(out) >= 6);
    child.kill("SIGKILL");
    await new Promise((done) => child.once("exit", done));
    const requestsBeforeKill = sim.stats().requests;
    const committedAtKill = committedUnits(out);
    expect(committedAtKill).toBeLessThan(records.length);

    sim.resetStats();
    const resumed = await translate(["--in", input, "--to", "zh", "--out", out, "--concurrency", "2"]);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/resuming .* at unit \d+/);
    // Committed units are never redone, and replies already cached are replayed for free. Only
    // requests in flight at the kill are paid twice: ≤ 2 on the wire plus ≤ 2 received but not
    // yet written to the cache (the client frees its slot before the cache write).
    expect(sim.stats().requests).toBeLessThanOrEqual(records.length - committedAtKill);
    expect(requestsBeforeKill + sim.stats().requests).toBeLessThanOrEqual(requestsUninterrupted + 4);

    const again = readRun(out);
    const uninterrupted = readRun(reference);
    expect(again.data).toEqual(uninterrupted.data);
    expect(again.meta.map((m) => m.source_id)).toEqual(uninterrupted.meta.map((m) => m.source_id));
    expect(again.manifest).toMatchObject({ status: "complete", counts: { accepted: records.length, rejected: 0 } });
    expect(JSON.stringify(again.manifest)).not.toContain("sk-test-not-a-secret");
  });
});

function committedUnits(outDir: string): number {
  const path = join(outDir, "progress.jsonl");
  return existsSync(path) ? readFileSync(path, "utf8").split("\n").filter((line) => line.trim() !== "").length : 0;
}

async function waitFor(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error("timed out waiting for the run to make progress");
    await new Promise((done) => setTimeout(done, 20));
  }
}
