/** The viewer's index and history against a real pipeline run (made with the SIMULATOR, a test double) and hand-made directories. */
import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { appendReview, readReviews } from "../../src/io/review.js";
import { recordId } from "../../src/schemas.js";
import { tokenize } from "../../src/text/tokenize.js";
import { wordDiff } from "../../src/text/wordDiff.js";
import { recordView, SeedLookup } from "../../src/view/history.js";
import { KEPT, REJECTED } from "../../src/view/rows.js";
import { RunIndex } from "../../src/view/runIndex.js";
import { buildDemoRun, tempDir } from "./fixtures.js";

const jsonl = (values: readonly unknown[]): string => values.map((v) => `${JSON.stringify(v)}\n`).join("");
const lines = (path: string): Array<Record<string, unknown>> => (existsSync(path) ? readFileSync(path, "utf8") : "").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

let demo: string;
beforeAll(async () => {
  demo = await buildDemoRun();
});

describe("RunIndex on a pipeline directory", () => {
  it("counts every stage's kept and rejected lines as the files hold them", () => {
    const index = RunIndex.open(demo);
    expect(index.stages.map((s) => s.name)).toEqual(["01-generate", "02-evolve", "03-dedup", "04-filter"]);
    for (const stage of index.stages) {
      expect(stage.kept.count, stage.name).toBe(lines(join(stage.dir, "data.jsonl")).length);
      expect(stage.rejected.count, stage.name).toBe(lines(join(stage.dir, "rejected.jsonl")).length);
    }
  });

  it("search finds exactly the rows whose text holds every query token", () => {
    const index = RunIndex.open(demo);
    const final = index.stages[3]!;
    const records = lines(join(final.dir, "data.jsonl"));
    const holds = (r: Record<string, unknown> | undefined, wanted: string[]): boolean => r !== undefined && wanted.every((t) => tokenize(`${r.instruction ?? ""} ${r.input ?? ""} ${r.output ?? ""}`).includes(t));
    // a common word in the final stage: answered by scanning the stage's lines
    const word = tokenize(String(records[0]!.instruction))[1]!;
    const inFinal = records.flatMap((r, line) => (holds(r, [word]) ? [line] : []));
    const common = index.query({ stage: 3, kind: KEPT, query: word.toUpperCase() }, 0, 1000);
    expect(common.total).toBe(inFinal.length);
    expect(common.rows.map((r) => r.line)).toEqual(inFinal);
    // a whole instruction over every stage, kept and rejected: answered by visiting its few rows
    const instruction = String(records[5]!.instruction);
    const everywhere = index.stages.flatMap((stage) => [
      ...lines(join(stage.dir, "data.jsonl")).flatMap((r, line) => (holds(r, tokenize(instruction)) ? [`${stage.number} kept ${line}`] : [])),
      ...lines(join(stage.dir, "rejected.jsonl")).flatMap((r, line) => (holds(r.record as Record<string, unknown>, tokenize(instruction)) ? [`${stage.number} rejected ${line}`] : [])),
    ]);
    const rare = index.query({ query: instruction }, 0, 1000);
    expect(rare.rows.map((r) => `${r.stage} ${r.kind === KEPT ? "kept" : "rejected"} ${r.line}`)).toEqual(everywhere);
    expect(index.search.rowCount(index.search.match(instruction)) * 8).toBeLessThan(index.stages.reduce((n, s) => n + s.kept.count + s.rejected.count, 0));
    expect(index.query({ query: "zzqqxxnotaword" }, 0, 10).total).toBe(0);
  });

  it("filters by operation, round and rule", () => {
    const index = RunIndex.open(demo);
    const evolveMeta = lines(join(demo, "02-evolve", "meta.jsonl"));
    const secondRound = evolveMeta.filter((m) => m.round === 2).length;
    expect(secondRound).toBeGreaterThan(0);
    expect(index.query({ stage: 1, kind: KEPT, round: 2 }, 0, 10).total).toBe(secondRound);
    // The originals (kept by default, as WizardLM's data does) have no operation: take an evolved one's.
    const op = String(evolveMeta.find((m) => typeof m.operation === "string")!.operation);
    expect(index.query({ stage: 1, kind: KEPT, operation: op }, 0, 10).total).toBe(evolveMeta.filter((m) => m.operation === op).length);
    // the final stage's copies filter by the operation that made them, though filter's meta does not repeat it
    const opById = new Map(evolveMeta.map((m) => [m.id, m.operation]));
    const finalIds = lines(join(demo, "04-filter", "meta.jsonl")).map((m) => m.id);
    expect(index.query({ stage: 3, kind: KEPT, operation: op }, 0, 10).total).toBe(finalIds.filter((id) => opById.get(id) === op).length);
    const rejected = lines(join(demo, "01-generate", "rejected.jsonl"));
    const reason = String(rejected[0]!.reason);
    const page = index.query({ stage: 0, kind: REJECTED, reason }, 0, 5);
    expect(page.total).toBe(rejected.filter((r) => r.reason === reason).length);
    expect(page.rows.length).toBe(Math.min(5, page.total));
  });

  it("a round-2 evolution's history goes back to its generated root, with seeds, diffs and eliminated siblings", async () => {
    const index = RunIndex.open(demo);
    const evolveMeta = lines(join(demo, "02-evolve", "meta.jsonl"));
    const rejections = lines(join(demo, "02-evolve", "rejected.jsonl"));
    const roots = new Set(rejections.map((r) => (r.detail as { rootId?: string }).rootId));
    const line = evolveMeta.findIndex((m) => m.round === 2 && roots.has(String(m.rootId)));
    const chosen = line >= 0 ? line : evolveMeta.findIndex((m) => m.round === 2);
    const meta = evolveMeta[chosen]!;
    const view = (await recordView(index, { stage: 1, kind: KEPT, line: chosen }, new SeedLookup()))!;
    expect(view.id).toBe(meta.id);
    expect(view.lineage[0]!.id).toBe(meta.rootId);
    expect(view.lineage[0]!.stage).toBe("01-generate");
    expect(view.lineage[view.lineage.length - 1]!.operation).toBe(meta.operation);
    expect(view.lineage[view.lineage.length - 2]!.id).toBe(meta.parentId);
    for (const step of view.lineage.slice(1)) {
      const rebuilt = step.instructionDiff!.filter((p) => p.op !== "removed").map((p) => p.text).join("");
      expect(rebuilt).toBe(step.instruction);
    }
    const generateMeta = lines(join(demo, "01-generate", "meta.jsonl")).find((m) => m.id === meta.rootId)!;
    expect(view.seeds.map((s) => s.id)).toEqual(generateMeta.examples);
    expect(view.seeds.every((s) => s.found && s.instruction.length > 0)).toBe(true);
    const siblings = rejections.filter((r) => (r.detail as { rootId?: string }).rootId === meta.rootId);
    expect(view.eliminated.map((e) => e.reason).sort()).toEqual(siblings.map((s) => String(s.reason)).sort());
    expect(view.keptIn.map((k) => k.stage)).toContain("02-evolve");
  });
});

describe("RunIndex on a run that is still writing", () => {
  it("reads appended lines only when they are complete, and starts over when a file is replaced", () => {
    const dir = join(tempDir("if-view-live-"), "gen");
    mkdirSync(dir);
    const record = (n: number) => ({ instruction: `Describe planet number ${n}.`, input: "", output: `Planet ${n} is far away.` });
    const write = (n: number) => {
      appendFileSync(join(dir, "meta.jsonl"), jsonl([{ id: recordId(record(n)), stage: "generate", unit: n }]));
      appendFileSync(join(dir, "data.jsonl"), jsonl([record(n)]));
    };
    write(0);
    const index = RunIndex.open(dir);
    expect(index.stages[0]!.kept.count).toBe(1);
    expect(index.refresh()).toBe(false);
    write(1);
    const torn = JSON.stringify(record(2));
    appendFileSync(join(dir, "meta.jsonl"), jsonl([{ id: recordId(record(2)), stage: "generate", unit: 2 }]));
    appendFileSync(join(dir, "data.jsonl"), torn.slice(0, 10));
    expect(index.refresh()).toBe(true);
    expect(index.stages[0]!.kept.count).toBe(2);
    appendFileSync(join(dir, "data.jsonl"), `${torn.slice(10)}\n`);
    index.refresh();
    expect(index.stages[0]!.kept.count).toBe(3);
    expect(index.query({ query: "planet 2" }, 0, 10).total).toBe(1);
    // a resumed run rewrites a file atomically: the index starts over and holds what the files hold
    writeFileSync(join(dir, "data.new"), jsonl([record(0)]));
    renameSync(join(dir, "data.new"), join(dir, "data.jsonl"));
    writeFileSync(join(dir, "meta.new"), jsonl([{ id: recordId(record(0)), stage: "generate", unit: 0 }]));
    renameSync(join(dir, "meta.new"), join(dir, "meta.jsonl"));
    expect(index.refresh()).toBe(true);
    expect(index.stages[0]!.kept.count).toBe(1);
    expect(index.query({ query: "planet" }, 0, 10).total).toBe(1);
  });

  it("picks up stage directories that appear while a pipeline runs, before their first record", () => {
    const root = tempDir("if-view-stages-");
    mkdirSync(join(root, "01-generate"));
    writeFileSync(join(root, "01-generate", "manifest.json"), JSON.stringify({ stage: "generate", status: "running" }));
    const index = RunIndex.open(root);
    expect(index.stages.map((s) => [s.name, s.kept.count])).toEqual([["01-generate", 0]]);
    cpSync(join(demo, "01-generate"), join(root, "01-generate"), { recursive: true });
    expect(index.refresh()).toBe(true);
    expect(index.stages[0]!.kept.count).toBe(lines(join(demo, "01-generate", "data.jsonl")).length);
    cpSync(join(demo, "02-evolve"), join(root, "02-evolve"), { recursive: true });
    expect(index.refresh()).toBe(true);
    expect(index.stages.map((s) => s.name)).toEqual(["01-generate", "02-evolve"]);
  });
});

describe("meta with carried-forward history", () => {
  it("reads lineage from history.<stage> namespaces as well as from flat fields", async () => {
    const root = tempDir("if-view-history-");
    const seed = { instruction: "Name a colour.", input: "", output: "Blue." };
    const evolved = { instruction: "Name a colour found in a rainbow and say why.", input: "", output: "Blue: light scatters." };
    const [seedId, evolvedId] = [recordId(seed), recordId(evolved)];
    for (const [name, records, meta] of [
      ["01-generate", [seed], [{ id: seedId, stage: "generate", unit: 0, examples: ["seed_x"] }]],
      ["02-filter", [evolved], [{ id: evolvedId, stage: "filter", unit: 0, qualityScore: 4.5, history: { generate: { examples: ["seed_x"] }, evolve: { rootId: seedId, parentId: seedId, round: 1, operation: "deepen", depth: 1 } } }]],
    ] as const) {
      mkdirSync(join(root, name));
      writeFileSync(join(root, name, "data.jsonl"), jsonl(records));
      writeFileSync(join(root, name, "meta.jsonl"), jsonl(meta));
    }
    const index = RunIndex.open(root);
    expect(index.query({ stage: 1, operation: "deepen", minQuality: 4 }, 0, 10).total).toBe(1);
    const view = (await recordView(index, { stage: 1, kind: KEPT, line: 0 }, new SeedLookup()))!;
    expect(view.lineage.map((s) => s.id)).toEqual([seedId, evolvedId]);
    expect(view.lineage[1]!.operation).toBe("deepen");
    expect(view.scores.quality).toBe(4.5);
    expect(view.seeds).toEqual([{ id: "seed_x", instruction: "", input: "", output: "", found: false }]);

    // a translation's parent is its source, even when the source's own lineage is carried in its history
    const translated = { instruction: "说出彩虹中的一种颜色并说明原因。", input: "", output: "蓝色：光的散射。" };
    mkdirSync(join(root, "03-translate"));
    writeFileSync(join(root, "03-translate", "data.jsonl"), jsonl([translated]));
    writeFileSync(join(root, "03-translate", "meta.jsonl"), jsonl([{ id: recordId(translated), stage: "translate", unit: 0, source_id: evolvedId, history: { evolve: { parentId: seedId, round: 1, operation: "deepen" } } }]));
    index.refresh();
    const zh = (await recordView(index, { stage: 2, kind: KEPT, line: 0 }, new SeedLookup()))!;
    expect(zh.lineage.map((s) => [s.id, s.operation])).toEqual([[seedId, undefined], [evolvedId, "deepen"], [recordId(translated), "translate"]]);
    expect(index.query({ language: "zh" }, 0, 10).rows.map((r) => r.stage)).toEqual([2]);
  });
});

describe("review.jsonl", () => {
  it("keeps the last mark per record, and names the file and line of a bad one", () => {
    const path = join(tempDir("if-view-review-"), "review.jsonl");
    appendReview(path, { id: "0123456789abcdef", verdict: "bad", note: "wrong answer", at: "2026-12-01T00:00:00Z" });
    appendReview(path, { id: "fedcba9876543210", verdict: "bad", at: "2026-12-01T00:00:01Z" });
    appendReview(path, { id: "fedcba9876543210", verdict: "good", at: "2026-12-01T00:00:02Z" });
    appendReview(path, { id: "aaaaaaaaaaaaaaaa", verdict: "bad", at: "2026-12-01T00:00:03Z" });
    appendReview(path, { id: "aaaaaaaaaaaaaaaa", verdict: "clear", at: "2026-12-01T00:00:04Z" });
    const marks = readReviews(path);
    expect([...marks.values()].map((m) => [m.id, m.verdict])).toEqual([["0123456789abcdef", "bad"], ["fedcba9876543210", "good"]]);
    expect(marks.get("0123456789abcdef")!.note).toBe("wrong answer");
    appendFileSync(path, `${JSON.stringify({ id: "xyz", verdict: "bad", at: "now" })}\n`);
    expect(() => readReviews(path)).toThrow(`${path}:6: id: id must be a 16-digit hex record id`);
  });
});

describe("wordDiff", () => {
  it("marks added and removed words, and the kept and added parts rebuild the new text", () => {
    const parts = wordDiff("Write a poem about the sea.", "Write a short poem about the stormy sea.");
    expect(parts.filter((p) => p.op === "added").map((p) => p.text.trim())).toEqual(["short", "stormy"]);
    expect(parts.some((p) => p.op === "removed")).toBe(false);
    expect(parts.filter((p) => p.op !== "removed").map((p) => p.text).join("")).toBe("Write a short poem about the stormy sea.");
    const zh = wordDiff("写一首诗", "写一首短诗");
    expect(zh.filter((p) => p.op === "added").map((p) => p.text)).toEqual(["短"]);
  });
});
