import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { recordId } from "../../src/schemas.js";

const run = promisify(execFile);
const cli = join(process.cwd(), "dist", "src", "cli.js");

async function filter(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  // No endpoint or key in the environment: heuristics alone must not need one.
  const env = { ...process.env, OPENAI_API_KEY: "", OPENAI_BASE_URL: "" };
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, "filter", ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const lines = (path: string) => readFileSync(path, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

const good = { instruction: "Explain photosynthesis briefly.", input: "", output: "Plants turn light, water and carbon dioxide into sugar and oxygen." };
const truncatedByLimit = { instruction: "Describe the history of Rome.", input: "", output: "Rome was founded, according to legend, in 753 BC." };
const placeholder = { instruction: "What is 2+2?", input: "", output: "N/A" };
const zhGood = { instruction: "中国的首都是哪里？", input: "", output: "中国的首都是北京。" };

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "if-filter-cli-"));
  const inDir = join(dir, "prev");
  const records = [good, truncatedByLimit, placeholder, zhGood];
  mkdirSync(inDir);
  writeFileSync(join(inDir, "data.jsonl"), records.map((r) => JSON.stringify(r)).join("\n") + "\n");
  // The previous stage's sidecar: the second record's output was cut at the token limit.
  writeFileSync(join(inDir, "meta.jsonl"), [good, truncatedByLimit].map((r, i) => JSON.stringify({ id: recordId(r), stage: "answer", finishReason: i === 1 ? "length" : "stop" })).join("\n") + "\n");
});

describe("instructforge filter (CLI)", () => {
  it("keeps passing records in input order, explains every drop, and needs no endpoint", async () => {
    const out = join(dir, "out");
    const result = await filter(["--in", join(dir, "prev", "data.jsonl"), "--out", out]);
    expect(result.code).toBe(0);
    expect(lines(join(out, "data.jsonl"))).toEqual([good, zhGood]);
    const rejected = lines(join(out, "rejected.jsonl"));
    expect(rejected.map((r) => [r.reason, (r.detail as { line: number }).line])).toEqual([
      ["truncated_output", 2],
      ["placeholder_output", 3],
    ]);
    expect(rejected[0]!.detail).toMatchObject({ cause: "finish_reason_length" });
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
    expect(manifest).toMatchObject({ stage: "filter", status: "complete", counts: { accepted: 2, rejected: 2 } });
    expect(manifest.filter.rejectedByRule).toMatchObject({ truncated_output: 1, placeholder_output: 1, refusal: 0 });
  });

  it("--disable and --rules switch rules off", async () => {
    const out = join(dir, "out-disabled");
    const result = await filter(["--in", join(dir, "prev", "data.jsonl"), "--out", out, "--disable", "truncated_output,placeholder_output"]);
    expect(result.code).toBe(0);
    expect(lines(join(out, "data.jsonl"))).toHaveLength(4);
    const only = join(dir, "out-only");
    expect((await filter(["--in", join(dir, "prev", "data.jsonl"), "--out", only, "--rules", "placeholder_output"])).code).toBe(0);
    expect(lines(join(only, "rejected.jsonl")).map((r) => r.reason)).toEqual(["placeholder_output"]);
  });

  it("a malformed line is one file:line error, a non-zero exit, and nothing written", async () => {
    const bad = join(dir, "bad.jsonl");
    writeFileSync(bad, `${JSON.stringify(good)}\n{"instruction": "broken",\n`);
    const out = join(dir, "never");
    const result = await filter(["--in", bad, "--out", out]);
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split("\n")).toEqual([expect.stringMatching(new RegExp(`^instructforge: ${bad}:2: not valid JSON`))]);
    expect(existsSync(out)).toBe(false);
  });

  it("rejects unknown rules, --top without scores, and --judge without an endpoint, before writing anything", async () => {
    const input = join(dir, "prev", "data.jsonl");
    const unknown = await filter(["--in", input, "--out", join(dir, "x1"), "--rules", "no_such_rule"]);
    expect(unknown).toMatchObject({ code: 2, stderr: expect.stringContaining("unknown rule 'no_such_rule'") });
    const top = await filter(["--in", input, "--out", join(dir, "x2"), "--top", "3"]);
    expect(top).toMatchObject({ code: 2, stderr: expect.stringContaining("--top K ranks records by their scores") });
    const judge = await filter(["--in", input, "--out", join(dir, "x3"), "--judge"]);
    expect(judge).toMatchObject({ code: 2, stderr: expect.stringContaining("no endpoint") });
    const thresholds = await filter(["--in", input, "--out", join(dir, "x4"), "--thresholds", '{"restateThreshold": 3}']);
    expect(thresholds).toMatchObject({ code: 2, stderr: expect.stringContaining("restateThreshold") });
    for (const name of ["x1", "x2", "x3", "x4"]) expect(existsSync(join(dir, name))).toBe(false);
  });
});
