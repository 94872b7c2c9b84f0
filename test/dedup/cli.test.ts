import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const CLI = join(process.cwd(), "dist/src/cli.js");
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, "dedup", ...args], { encoding: "utf8" });

describe.skipIf(!existsSync(CLI))("instructforge dedup (built CLI; run `npm run build` first)", () => {
  const dir = mkdtempSync(join(tmpdir(), "dedup-cli-"));

  it("writes kept records untouched in the input's format, and a rejected file", () => {
    const input = join(dir, "in.jsonl");
    const records = [
      { instruction: "Give three tips for staying healthy.", input: "", output: "Eat well.", extra: { keep: "me" } },
      { instruction: "Give three tips for staying healthy!", input: "", output: "Eat well." },
      { instruction: "Name a primary colour.", input: "", output: "Red." },
    ];
    writeFileSync(input, `\uFEFF${records.map((r) => JSON.stringify(r)).join("\r\n")}\r\n`);
    const out = join(dir, "out.jsonl");
    const rejected = join(dir, "rejected.jsonl");
    const result = run("--in", input, "--out", out, "--rejected", rejected);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/3 records → 2 kept, 1 dropped/);
    expect(readFileSync(out, "utf8").trim().split("\n").map((line) => JSON.parse(line) as unknown)).toEqual([records[0], records[2]]);
    const [line] = readFileSync(rejected, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { reason: string; detail: { line: number; score: number; duplicateOf: { line: number } } });
    // Only punctuation differs: not exact, but the same shingles (Jaccard 1).
    expect(line).toMatchObject({ reason: "minhash", detail: { line: 2, score: 1, duplicateOf: { line: 1 } } });

    const arrayIn = join(dir, "in.json");
    writeFileSync(arrayIn, JSON.stringify(records, null, 4));
    const arrayOut = join(dir, "out.json");
    expect(run("--in", arrayIn, "--out", arrayOut, "--rouge-l", "0").status).toBe(0);
    expect(JSON.parse(readFileSync(arrayOut, "utf8"))).toEqual([records[0], records[2]]);
  });

  it("names file and line of a malformed JSON line, exits 1 and creates no output", () => {
    const input = join(dir, "bad.jsonl");
    writeFileSync(input, '{"instruction": "ok", "input": "", "output": "x"}\n{"instruction": "broken",\n');
    const out = join(dir, "never.jsonl");
    const result = run("--in", input, "--out", out);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${input}:2:`);
    expect(existsSync(out)).toBe(false);
  });

  it("rejects a bad threshold with a clear message", () => {
    const result = run("--in", join(dir, "in.jsonl"), "--out", join(dir, "x.jsonl"), "--minhash", "1.5");
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/--minhash must be a number between 0 and 1/);
  });
});

