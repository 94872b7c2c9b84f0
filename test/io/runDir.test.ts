import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RunDirectory } from "../../src/io/runDir.js";

const rec = (n: number) => ({ instruction: `instruction ${n}`, input: "", output: `output ${n}` });

function open(outDir: string) {
  return RunDirectory.open({ outDir, stage: "test", config: { n: 1 }, argv: ["generate", "--api-key", "sk-secret-123", "--out", outDir] });
}

describe("RunDirectory", () => {
  it("commits units in order and resumes after the last one", () => {
    const out = mkdtempSync(join(tmpdir(), "if-run-"));
    const run = open(out);
    run.commit(0, { accepted: [{ record: rec(0), meta: { score: 1 } }], rejected: [] });
    run.commit(1, { accepted: [], rejected: [{ reason: "too_short", record: { instruction: "hi" } }] });
    run.commit(2, { accepted: [{ record: rec(2) }], rejected: [] });
    run.close("complete");

    const data = readFileSync(join(out, "data.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(data).toEqual([rec(0), rec(2)]);
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
    expect(manifest).toMatchObject({ status: "complete", counts: { accepted: 2, rejected: 1, rejectedByReason: { too_short: 1 } } });
    expect(JSON.stringify(manifest)).not.toContain("sk-secret-123");

    const again = open(out);
    expect(again.state.nextUnit).toBe(3);
    expect(again.state.accepted.map((a) => a.record)).toEqual([rec(0), rec(2)]);
    expect(again.state.accepted[0]!.meta).toMatchObject({ score: 1, unit: 0 });
    expect(again.rejectedCounts()).toEqual({ too_short: 1 });
    expect(() => again.commit(5, { accepted: [], rejected: [] })).toThrow(/in order/);
    again.close("complete");
  });

  it("cuts away a commit torn by a crash, so no half line or orphan record survives", () => {
    const out = mkdtempSync(join(tmpdir(), "if-run-"));
    const run = open(out);
    run.commit(0, { accepted: [{ record: rec(0) }], rejected: [] });
    run.close("complete");
    // A crash during unit 1's commit: meta and a data line written, progress not, data line torn.
    appendFileSync(join(out, "meta.jsonl"), JSON.stringify({ id: "x", stage: "test", unit: 1 }) + "\n");
    appendFileSync(join(out, "data.jsonl"), JSON.stringify(rec(1)) + "\n" + '{"instruction":"half');
    appendFileSync(join(out, "rejected.jsonl"), JSON.stringify({ stage: "test", reason: "r", record: {}, unit: 1 }) + "\n");

    const resumed = open(out);
    expect(resumed.state.nextUnit).toBe(1);
    expect(resumed.state.accepted.map((a) => a.record)).toEqual([rec(0)]);
    expect(readFileSync(join(out, "data.jsonl"), "utf8")).toBe(JSON.stringify(rec(0)) + "\n");
    expect(readFileSync(join(out, "rejected.jsonl"), "utf8").trim()).toBe("");
    resumed.close("complete");
  });

  it("redoes a unit whose data never fully reached the disk, even though its progress line did", () => {
    const out = mkdtempSync(join(tmpdir(), "if-run-"));
    const run = open(out);
    run.commit(0, { accepted: [{ record: rec(0) }], rejected: [] });
    run.commit(1, { accepted: [{ record: rec(1) }, { record: rec(2) }], rejected: [{ reason: "r", record: {} }] });
    run.close("complete");
    // A short write on a full disk: unit 1's second data line is missing.
    writeFileSync(join(out, "data.jsonl"), JSON.stringify(rec(0)) + "\n" + JSON.stringify(rec(1)) + "\n");

    const resumed = open(out);
    expect(resumed.state.nextUnit).toBe(1);
    expect(resumed.state.accepted.map((a) => a.record)).toEqual([rec(0)]);
    expect(readFileSync(join(out, "meta.jsonl"), "utf8").trim().split("\n")).toHaveLength(1);
    expect(readFileSync(join(out, "data.jsonl"), "utf8")).toBe(JSON.stringify(rec(0)) + "\n");
    expect(resumed.rejectedCounts()).toEqual({});
    resumed.close("complete");
  });

  it("refuses an --out that is a file", () => {
    const out = join(mkdtempSync(join(tmpdir(), "if-run-")), "file.txt");
    writeFileSync(out, "x");
    expect(() => open(out)).toThrow(/is a file; give a directory/);
  });

  it("refuses a directory another live process is writing", () => {
    const out = mkdtempSync(join(tmpdir(), "if-run-"));
    writeFileSync(join(out, ".lock"), String(process.ppid));
    expect(() => RunDirectory.open({ outDir: out, stage: "test", config: {}, argv: [], lockWaitMs: 0 })).toThrow(/another instructforge process/);
  });
});
