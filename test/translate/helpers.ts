/** Shared set-up for the translate tests: input files, the in-process simulator, reading a run. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LlmSettings } from "../../src/llm/types.js";
import type { AlpacaRecord } from "../../src/schemas.js";
import { startSimulator, type RunningSimulator } from "../../src/simulator/server.js";
import { runTranslate, type TranslateSettings } from "../../src/stages/translate/stage.js";

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "if-translate-"));
}

export function writeRecords(dir: string, records: readonly AlpacaRecord[], name = "in.json"): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(records, null, 2));
  return path;
}

export function llmFor(sim: RunningSimulator): LlmSettings {
  return { baseUrl: sim.url, apiKey: "sk-test-not-a-secret", model: "sim", concurrency: 4, timeoutMs: 10_000, maxRetries: 2 };
}

export interface RunOutput {
  data: AlpacaRecord[];
  meta: Array<Record<string, unknown>>;
  rejected: Array<{ reason: string; record: Partial<AlpacaRecord>; detail: Record<string, unknown> }>;
  manifest: Record<string, unknown>;
}

function readLines<T>(path: string): T[] {
  let text = "";
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return [];
  }
  return text.split("\n").filter((line) => line.trim() !== "").map((line) => JSON.parse(line) as T);
}

export function readRun(outDir: string): RunOutput {
  return {
    data: readLines(join(outDir, "data.jsonl")),
    meta: readLines(join(outDir, "meta.jsonl")),
    rejected: readLines(join(outDir, "rejected.jsonl")),
    manifest: JSON.parse(readFileSync(join(outDir, "manifest.json"), "utf8")) as Record<string, unknown>,
  };
}

/** Start a simulator with `knobs`, translate `records` through it, read the run back. */
export async function translateWith(
  records: readonly AlpacaRecord[],
  options: { knobs?: Record<string, number>; truncate?: number; settings?: Partial<TranslateSettings> } = {},
): Promise<RunOutput & { requests: number; requestsByKind: Record<string, number> }> {
  const sim = await startSimulator({ seed: 7, knobs: options.knobs, truncate: options.truncate });
  try {
    const dir = tempDir();
    const settings: TranslateSettings = {
      inPath: writeRecords(dir, records),
      outDir: join(dir, "out"),
      to: "zh",
      fields: ["instruction", "input", "output"],
      regenerateOutput: false,
      keepLanguageSpecific: false,
      recordsPerRequest: 1,
      maxAttempts: 3,
      ...options.settings,
    };
    await runTranslate(settings, llmFor(sim));
    const stats = sim.stats();
    return { ...readRun(settings.outDir), requests: stats.requests, requestsByKind: stats.requestsByKind };
  } finally {
    await sim.close();
  }
}

/** Han share among letters: how Chinese a text is. */
export function hanShareOf(text: string): number {
  const letters = text.match(/\p{L}/gu)?.length ?? 0;
  return letters === 0 ? 0 : (text.match(/\p{Script=Han}/gu)?.length ?? 0) / letters;
}
