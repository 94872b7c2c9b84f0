/**
 * `threads` in a pipeline config's dedup stage: accepted and validated like `dedup --threads`,
 * and never part of the fingerprint, so resuming with another count skips the finished stage;
 * with more than one chunk of records, ROUGE-L runs half on a worker and the stage's files are
 * the same for any count.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempDir } from "../pipeline/helpers.js";
import { nearDuplicateTexts } from "../text/random.js";

const RECORDS = Array.from({ length: 30 }, (_, i) => ({
  instruction: i % 3 === 0 ? "Name three primary colours." : `Write a short poem about the number ${i} and the sea.`,
  input: "",
  output: `Answer ${i}.`,
}));

function configWith(dir: string, dedupOptions: string, records: readonly object[] = RECORDS): string {
  writeFileSync(join(dir, "records.json"), JSON.stringify(records));
  const config = join(dir, "dedup.yaml");
  writeFileSync(config, `input: records.json\nstages:\n  - dedup:\n${dedupOptions}`);
  return config;
}

describe("dedup.threads in a pipeline config", () => {
  it("runs, and a re-run with another thread count is the same run (skipped, same records)", async () => {
    const dir = tempDir("dedup-threads");
    const out = join(dir, "run");
    const first = await runCli(["run", "--config", configWith(dir, "      threads: 1\n"), "--out", out, "--base-url", "http://127.0.0.1:9/v1"]);
    expect(first.code, first.stderr).toBe(0);
    const kept = readFileSync(join(out, "01-dedup", "data.jsonl"), "utf8");
    expect(kept.trim().split("\n").length).toBeGreaterThan(0);

    const again = await runCli(["run", "--config", configWith(dir, "      threads: 4\n"), "--out", out, "--base-url", "http://127.0.0.1:9/v1"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain("dedup (complete, skipped)");
    expect(readFileSync(join(out, "01-dedup", "data.jsonl"), "utf8")).toBe(kept);
  });

  it("writes the same kept and rejected files with 1 and 2 threads over several chunks (ROUGE-L half on a worker)", async () => {
    const records = nearDuplicateTexts(41, 5000, false).map((instruction, i) => ({ instruction, input: "", output: `Answer ${i}.` }));
    const files = async (threads: number): Promise<{ kept: string; rejected: string }> => {
      const dir = tempDir("dedup-threads");
      const out = join(dir, "run");
      const result = await runCli(["run", "--config", configWith(dir, `      threads: ${threads}\n`, records), "--out", out, "--base-url", "http://127.0.0.1:9/v1"]);
      expect(result.code, result.stderr).toBe(0);
      return { kept: readFileSync(join(out, "01-dedup", "data.jsonl"), "utf8"), rejected: readFileSync(join(out, "01-dedup", "rejected.jsonl"), "utf8") };
    };
    const single = await files(1);
    expect(await files(2)).toEqual(single);
    expect(single.rejected.match(/"rouge-l"/g)?.length ?? 0).toBeGreaterThan(500);
  }, 120_000);

  it("refuses a thread count out of range, naming the line", async () => {
    const dir = tempDir("dedup-threads");
    const result = await runCli(["run", "--config", configWith(dir, "      threads: 0\n"), "--out", join(dir, "run")]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/dedup\.yaml:4: stages\[0\]\.dedup\.threads: expected a whole number from 1 to 256/);
  });
});
