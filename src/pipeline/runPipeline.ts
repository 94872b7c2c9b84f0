/**
 * `instructforge run`: the stages of a config, one after the other, each in its own run directory
 *
 *   OUT/01-generate/  OUT/02-dedup/  OUT/03-filter/  …   (each reads the previous data.jsonl)
 *   OUT/final/        the exports, report.html, README.md (dataset card)
 *   OUT/pipeline.json stages, status, counts, tokens, cost (never the key)
 *
 * A re-run skips every stage whose manifest says `complete` and resumes the first unfinished one,
 * which itself resumes at its first unfinished unit. The options each stage ran with are recorded
 * in pipeline.json, so a changed config cannot silently reuse stale results.
 */
import { copyFileSync, existsSync, mkdirSync, renameSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { z } from "zod";
import { UserError } from "../errors.js";
import { writeFileAtomic } from "../io/atomic.js";
import { readJsonIfPresent } from "../io/json.js";
import { readEarlierManifest } from "../io/runDir.js";
import { serialise, type ExportFormat } from "../io/exporters.js";
import { readRecordFile } from "../io/records.js";
import type { LlmSettings, LlmTotals } from "../llm/types.js";
import { renderReport, writeDatasetCard } from "../report/index.js";
import type { AlpacaRecord } from "../schemas.js";
import { readPackageVersion } from "../version.js";
import type { PipelineConfig, StageConfig, StageOptions } from "./config.js";
import { formatDuration } from "../runtime/progress.js";
import { callStage } from "./stageCalls.js";
import { STAGES } from "../stages/index.js";
import type { StageContext } from "../runtime/stageRun.js";

export interface PipelineRunOptions {
  config: PipelineConfig;
  configFile: string;
  outDir: string;
  llm: LlmSettings;
  /** Where headers and the summary go (nowhere by default; the CLI sends them to stderr). */
  log?: (line: string) => void;
  /** Signal, progress and notes, handed to every stage. */
  context?: StageContext;
}

type WorkStage = Exclude<StageConfig, { name: "export" }>;

export interface StageReport {
  name: string;
  dir: string;
  status: string;
  options: Record<string, unknown>;
  accepted?: number;
  rejected?: number;
  llm?: LlmTotals;
  elapsedSeconds?: number;
}

export interface PipelineSummary {
  outDir: string;
  stages: StageReport[];
  finalRecords: number;
  finalFiles: string[];
  /** Set when the pipeline stopped early: a stage kept no records, so the next had nothing to read. */
  stoppedEarly?: string;
}

const FINAL_FILE: Record<ExportFormat, string> = {
  "alpaca-json": "data.json",
  "alpaca-jsonl": "data.jsonl",
  sharegpt: "sharegpt.jsonl",
  "openai-messages": "openai-messages.jsonl",
  csv: "data.csv",
};

export async function runPipeline(options: PipelineRunOptions): Promise<PipelineSummary> {
  const log = options.log ?? options.context?.log ?? (() => undefined);
  const outDir = resolve(options.outDir);
  mkdirSync(outDir, { recursive: true });
  const work = workStages(options.config);
  const previous = readPipelineManifest(outDir);
  const reports: StageReport[] = [];
  let inputPath = options.config.input;

  for (const [index, stage] of work.entries()) {
    const dir = join(outDir, stageDirName(index, stage.name));
    checkUnchanged(previous, index, stage, dir);
    const before = readStageManifest(dir);
    log(`stage ${index + 1}/${work.length}: ${stage.name} (${before?.status === "complete" ? "complete, skipped" : before ? "resuming" : "starting"})`);
    if (before?.status !== "complete") {
      await callStage({ stage, inputPath, outDir: dir, lang: options.config.lang, seed: options.config.seed, llm: options.llm, context: options.context });
    }
    const report = stageReport(stage, dir);
    reports.push(report);
    inputPath = join(dir, "data.jsonl");
    if (report.accepted === 0 && index < work.length - 1) {
      const reason = `stage ${index + 1} (${stage.name}) kept 0 records; the stages after it have nothing to read (see ${join(dir, "rejected.jsonl")})`;
      writePipelineManifest(outDir, options, reports, "stopped", undefined, reason);
      log(`instructforge: ${reason}`);
      return { outDir, stages: reports, finalRecords: 0, finalFiles: [], stoppedEarly: reason };
    }
    writePipelineManifest(outDir, options, reports, "running");
  }

  const final = await writeFinalOutputs(outDir, inputPath, exportOptions(options.config));
  writePipelineManifest(outDir, options, reports, "complete", final);
  final.files.push(...writeReport(outDir, log));
  writePipelineManifest(outDir, options, reports, "complete", final);
  log(summaryTable(reports, final));
  return { outDir, stages: reports, finalRecords: final.records, finalFiles: final.files };
}

/** The stages that make a run directory; `export` is the final step, not a directory. */
export function workStages(config: PipelineConfig): WorkStage[] {
  return config.stages.filter((stage): stage is WorkStage => stage.name !== "export");
}

export function stageDirName(index: number, name: string): string {
  return `${String(index + 1).padStart(2, "0")}-${name}`;
}

function exportOptions(config: PipelineConfig): StageOptions<"export"> {
  const exports = config.stages.filter((s): s is Extract<StageConfig, { name: "export" }> => s.name === "export");
  // Without an export stage the dataset is still handed over in the published Alpaca layout.
  return exports.at(-1)?.options ?? { formats: ["alpaca-json"] };
}

// ---------------------------------------------------------------------------------------------
// Manifests

const StageManifest = z.object({
  status: z.string(),
  counts: z.object({ accepted: z.number(), rejected: z.number() }).partial().optional(),
  llm: z.custom<LlmTotals>((v) => typeof v === "object" && v !== null).optional(),
  timings: z.object({ elapsedSeconds: z.number() }).partial().optional(),
});
type StageManifest = z.infer<typeof StageManifest>;

/** A stage directory's manifest; one that is not JSON (a damaged disk, an edit) stops the run, naming the file. */
export function readStageManifest(dir: string): StageManifest | undefined {
  const earlier = readEarlierManifest(dir);
  if (earlier === undefined) return undefined;
  if (!("value" in earlier)) {
    throw new UserError(`${earlier.path}: unreadable manifest (not JSON); delete ${dir} to redo that stage, or use a new --out directory`);
  }
  const parsed = StageManifest.safeParse(earlier.value);
  return parsed.success ? parsed.data : undefined;
}

function stageReport(stage: WorkStage, dir: string): StageReport {
  const manifest = readStageManifest(dir);
  return {
    name: stage.name,
    dir,
    status: manifest?.status ?? "missing",
    options: stage.options,
    accepted: manifest?.counts?.accepted,
    rejected: manifest?.counts?.rejected,
    llm: manifest?.llm,
    elapsedSeconds: manifest?.timings?.elapsedSeconds,
  };
}

const PipelineManifest = z.object({
  stages: z.array(z.object({ name: z.string(), options: z.record(z.string(), z.unknown()) })),
});
type PipelineManifest = z.infer<typeof PipelineManifest>;

function readPipelineManifest(outDir: string): PipelineManifest | undefined {
  const earlier = readJsonIfPresent(join(outDir, "pipeline.json"));
  if (earlier === undefined) return undefined;
  if (!("value" in earlier)) {
    // Without it the stage directories cannot be checked against the config: refuse, not guess.
    throw new UserError(`${earlier.path}: unreadable (not JSON); use a new --out directory, or delete ${outDir} to start over`);
  }
  const parsed = PipelineManifest.safeParse(earlier.value);
  return parsed.success ? parsed.data : undefined;
}

/** A finished or half-done stage directory made with other options would poison the rest. */
function checkUnchanged(previous: PipelineManifest | undefined, index: number, stage: WorkStage, dir: string): void {
  const recorded = previous?.stages[index];
  if (!recorded || !existsSync(dir)) return;
  if (recorded.name === stage.name && JSON.stringify(decisive(stage.name, recorded.options)) === JSON.stringify(decisive(stage.name, stage.options))) return;
  throw new UserError(
    `${dir} was made by ${recorded.name} with options ${JSON.stringify(recorded.options)}, but the config now says ` +
      `${stage.name} ${JSON.stringify(stage.options)}; use a new --out, or delete ${dir} and the stage directories after it`,
    2,
  );
}

/** The options that decide a stage's output: its tuning options (thread counts) left out. */
function decisive(name: WorkStage["name"], options: Record<string, unknown>): Record<string, unknown> {
  const tuning: readonly string[] = STAGES[name].tuning ?? [];
  return Object.fromEntries(Object.entries(options).filter(([key]) => !tuning.includes(key)));
}

interface FinalOutputs {
  records: number;
  files: string[];
}

function writePipelineManifest(outDir: string, options: PipelineRunOptions, stages: StageReport[], status: string, final?: FinalOutputs, stoppedBecause?: string): void {
  const manifest = {
    tool: "instructforge",
    version: readPackageVersion(),
    status,
    ...(stoppedBecause ? { stoppedBecause } : {}),
    config: resolve(options.configFile),
    lang: options.config.lang,
    seed: options.config.seed,
    // The endpoint, never the key.
    llm: { baseUrl: options.llm.baseUrl, model: options.llm.model },
    stages: stages.map(({ dir, ...rest }) => ({ ...rest, dir: dir.slice(outDir.length + 1) })),
    totals: sumTotals(stages),
    ...(final ? { final: { records: final.records, files: final.files.map((f) => f.slice(outDir.length + 1)) } } : {}),
    updatedAt: new Date().toISOString(),
  };
  writeFileAtomic(join(outDir, "pipeline.json"), `${JSON.stringify(manifest, null, 2)}\n`);
}

export function sumTotals(stages: readonly StageReport[]): { httpRequests: number; replies: number; promptTokens: number; completionTokens: number; costUsd: number } {
  const sum = { httpRequests: 0, replies: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 };
  for (const { llm } of stages) {
    if (!llm) continue;
    sum.httpRequests += llm.httpRequests;
    sum.replies += llm.replies;
    sum.promptTokens += llm.promptTokens;
    sum.completionTokens += llm.completionTokens;
    sum.costUsd += llm.costUsd;
  }
  return sum;
}

// ---------------------------------------------------------------------------------------------
// Final outputs

async function writeFinalOutputs(outDir: string, dataPath: string | undefined, options: StageOptions<"export">): Promise<FinalOutputs> {
  if (!dataPath) throw new UserError("the pipeline has no stage that produces records: add a stage, or `input:` with only `export`", 2);
  const finalDir = join(outDir, "final");
  mkdirSync(finalDir, { recursive: true });
  const records: AlpacaRecord[] = (await readRecordFile(dataPath, { allowEmpty: true })).items.map((item) => item.record);
  const files = options.formats.map((format) => {
    const file = join(finalDir, FINAL_FILE[format]);
    writeFileAtomic(file, serialise(records, format, { bom: options.bom, systemPrompt: options.systemPrompt }));
    return file;
  });
  // Each record's whole history (every stage's meta, carried forward) ships beside the data.
  const meta = join(dirname(dataPath), "meta.jsonl");
  if (existsSync(meta)) {
    copyFileSync(meta, join(finalDir, "meta.jsonl"));
    files.push(join(finalDir, "meta.jsonl"));
  }
  return { records: records.length, files };
}

/** report.html and the dataset card; a report failure must not cost the user the dataset. */
function writeReport(outDir: string, log: (line: string) => void): string[] {
  const finalDir = join(outDir, "final");
  try {
    const report = join(finalDir, "report.html");
    writeFileAtomic(report, renderReport(outDir));
    const card = join(finalDir, "README.md");
    // The card is written beside the directory it describes; the dataset ships from final/.
    renameSync(writeDatasetCard(outDir), card);
    return [report, card];
  } catch (error) {
    log(`instructforge: warning: could not write the report (${error instanceof Error ? error.message : String(error)}); the dataset is complete`);
    return [];
  }
}

// ---------------------------------------------------------------------------------------------
// Summary

function summaryTable(stages: readonly StageReport[], final: FinalOutputs): string {
  const header = ["stage", "status", "kept", "rejected", "requests", "tokens", "cost", "time"];
  const rows = stages.map((s, i) => [
    `${i + 1}. ${s.name}`,
    s.status,
    String(s.accepted ?? "-"),
    String(s.rejected ?? "-"),
    String(s.llm?.httpRequests ?? 0),
    String((s.llm?.promptTokens ?? 0) + (s.llm?.completionTokens ?? 0)),
    `$${(s.llm?.costUsd ?? 0).toFixed(4)}`,
    s.elapsedSeconds === undefined ? "-" : formatDuration(s.elapsedSeconds),
  ]);
  const totals = sumTotals(stages);
  rows.push(["total", "", String(final.records), "", String(totals.httpRequests), String(totals.promptTokens + totals.completionTokens), `$${totals.costUsd.toFixed(4)}`, ""]);
  return `\n${formatTable(header, rows)}\nfinal dataset: ${final.records} records → ${final.files.join(", ")}`;
}

export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? "").length)));
  const line = (cells: readonly string[]) => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}
