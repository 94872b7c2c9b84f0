/** Small run directories written at test time, so report tests do not depend on other stages. */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface StageFixture {
  stage: string;
  records: Array<{ instruction: string; input: string; output: string }>;
  meta?: Array<Record<string, unknown>>;
  rejected?: Array<{ reason: string }>;
  simulator?: boolean;
}

const lines = (values: readonly unknown[]): string => values.map((v) => `${JSON.stringify(v)}\n`).join("");

export function writeStageDir(dir: string, fixture: StageFixture): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "data.jsonl"), lines(fixture.records));
  writeFileSync(join(dir, "meta.jsonl"), lines(fixture.meta ?? fixture.records.map((_, i) => ({ id: `id${i}`, stage: fixture.stage, unit: i }))));
  writeFileSync(join(dir, "rejected.jsonl"), lines((fixture.rejected ?? []).map((r, unit) => ({ stage: fixture.stage, reason: r.reason, record: {}, unit }))));
  const rejectedByReason: Record<string, number> = {};
  for (const r of fixture.rejected ?? []) rejectedByReason[r.reason] = (rejectedByReason[r.reason] ?? 0) + 1;
  const manifest = {
    stage: fixture.stage,
    status: "complete",
    counts: { accepted: fixture.records.length, rejected: fixture.rejected?.length ?? 0, rejectedByReason },
    endpoint: fixture.simulator ? { baseUrl: "http://127.0.0.1:9999/v1", model: "sim", simulator: true, note: "endpoint is the instructforge SIMULATOR — a test double, not a model" } : { baseUrl: "https://api.example.com/v1", model: "gpt-x", simulator: false },
    config: { seeds: "seeds/seed_tasks.jsonl", model: "sim" },
  };
  writeFileSync(join(dir, "manifest.json"), JSON.stringify(manifest, null, 2));
  return dir;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export const ENGLISH = [
  { instruction: "Write a poem about the sea.", input: "", output: "Waves roll in and out again." },
  { instruction: "Write a story about a brave cat.", input: "", output: "Once there was a cat who was brave." },
  { instruction: "Write a poem about autumn leaves.", input: "", output: "Leaves fall." },
  { instruction: "Summarize the passage in one sentence.", input: "The passage is long and says many things about rivers.", output: "Rivers matter." },
  { instruction: "Classify the sentiment of this review.", input: "Great phone, bad battery.", output: "Mixed" },
  { instruction: "What is the capital of France?", input: "", output: "Paris" },
];

export const CHINESE = [{ instruction: "用Python写一个函数，去掉列表中的重复元素。", input: "", output: "def dedupe(xs): return list(dict.fromkeys(xs))" }];

/** A pipeline directory: generate (with similarity meta) → evolve (with depth) → filter. */
export function writePipeline(options: { simulator?: boolean } = {}): string {
  const root = tempDir("if-report-pipeline-");
  const records = [...ENGLISH, ...CHINESE];
  writeStageDir(join(root, "01-generate"), {
    stage: "generate",
    records,
    simulator: options.simulator,
    meta: records.map((r, i) => ({ id: `g${i}`, stage: "generate", unit: i, most_similar_instructions: i === 2 ? { [ENGLISH[0]!.instruction]: 0.667 } : { "Other task.": 0.1 * (i % 3) }, avg_similarity_score: 0.1 })),
    rejected: [{ reason: "too_similar" }, { reason: "too_similar" }, { reason: "blacklisted_word" }],
  });
  writeStageDir(join(root, "02-evolve"), {
    stage: "evolve",
    records,
    simulator: options.simulator,
    meta: records.map((_, i) => ({ id: `e${i}`, stage: "evolve", unit: i, depth: i % 3, round: 1, operation: "deepen" })),
    rejected: [{ reason: "no_information_gain" }],
  });
  writeStageDir(join(root, "03-filter"), { stage: "filter", records: records.slice(0, 6), simulator: options.simulator, rejected: [{ reason: "low_score" }] });
  return root;
}
