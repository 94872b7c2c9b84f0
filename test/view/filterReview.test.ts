/** `filter --review FILE`: records marked bad in review.jsonl are dropped as reviewed_bad, the others pass untouched; the report and card count reviews. */
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { appendReview } from "../../src/io/review.js";
import { renderReport, writeDatasetCard } from "../../src/report/index.js";
import { recordId } from "../../src/schemas.js";
import { tempDir } from "./fixtures.js";

const run = promisify(execFile);
const cli = join(process.cwd(), "dist", "src", "cli.js");
const lines = (path: string) => readFileSync(path, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

async function instructforge(args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await run(process.execPath, [cli, ...args], { env: { ...process.env, OPENAI_API_KEY: "", OPENAI_BASE_URL: "" } });
    return { code: 0, stderr };
  } catch (error) {
    const e = error as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

const records = [
  { instruction: "Explain photosynthesis briefly.", input: "", output: "Plants turn light, water and carbon dioxide into sugar and oxygen." },
  { instruction: "Name the largest planet in the solar system.", input: "", output: "Jupiter is the largest planet in the solar system." },
  { instruction: "Translate 'good morning' into French.", input: "", output: "Bonjour." },
  { instruction: "Give a synonym for 'happy'.", input: "", output: "Joyful is a common synonym for happy." },
];

describe("filter --review", () => {
  it("drops the records marked bad with reason reviewed_bad and keeps the others byte for byte", async () => {
    const dir = tempDir("if-filter-review-");
    const inDir = join(dir, "in");
    mkdirSync(inDir);
    writeFileSync(join(inDir, "data.jsonl"), records.map((r) => `${JSON.stringify(r)}\n`).join(""));
    const review = join(dir, "review.jsonl");
    appendReview(review, { id: recordId(records[1]!), verdict: "bad", note: "not what was asked", stage: "02-evolve", at: "2026-12-01T10:00:00.000Z" });
    appendReview(review, { id: recordId(records[2]!), verdict: "bad", at: "2026-12-01T10:00:01.000Z" });
    appendReview(review, { id: recordId(records[2]!), verdict: "good", at: "2026-12-01T10:00:02.000Z" }); // changed their mind
    appendReview(review, { id: recordId(records[3]!), verdict: "bad", at: "2026-12-01T10:00:03.000Z" });

    const out = join(dir, "out");
    const result = await instructforge(["filter", "--in", join(inDir, "data.jsonl"), "--out", out, "--review", review]);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(join(out, "data.jsonl"), "utf8")).toBe([records[0], records[2]].map((r) => `${JSON.stringify(r)}\n`).join(""));
    const rejected = lines(join(out, "rejected.jsonl"));
    expect(rejected.map((r) => [r.reason, r.record])).toEqual([["reviewed_bad", records[1]], ["reviewed_bad", records[3]]]);
    expect(rejected[0]!.detail).toMatchObject({ id: recordId(records[1]!), note: "not what was asked", reviewedIn: "02-evolve", at: "2026-12-01T10:00:00.000Z" });
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")) as { counts: { rejectedByReason: Record<string, number> } };
    expect(manifest.counts.rejectedByReason).toEqual({ reviewed_bad: 2 });

    // the report and the dataset card of the reviewed directory count the marks
    writeFileSync(join(out, "review.jsonl"), readFileSync(review));
    expect(renderReport(out)).toContain('id="reviews" data-good="1" data-bad="2"');
    expect(readFileSync(writeDatasetCard(out), "utf8")).toContain("3 records reviewed in `instructforge view` (review.jsonl): 1 marked good, 2 marked bad.");
  });

  it("names the file and line of a damaged review file, and a missing one", async () => {
    const dir = tempDir("if-filter-review-bad-");
    writeFileSync(join(dir, "data.jsonl"), `${JSON.stringify(records[0])}\n`);
    const review = join(dir, "review.jsonl");
    writeFileSync(review, `${JSON.stringify({ id: recordId(records[0]!), verdict: "bad", at: "x" })}\n{"id": "0123456789abcdef", "verdict": "awful", "at": "x"}\n`);
    const bad = await instructforge(["filter", "--in", join(dir, "data.jsonl"), "--out", join(dir, "out"), "--review", review]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain(`${review}:2: verdict:`);
    const missing = await instructforge(["filter", "--in", join(dir, "data.jsonl"), "--out", join(dir, "out2"), "--review", join(dir, "nope.jsonl")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("nope.jsonl: no such file");
  });
});
