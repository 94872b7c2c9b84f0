/**
 * Read a run directory — one stage, or a pipeline directory with one sub-directory per stage —
 * into plain arrays. Reading is line-split + JSON.parse only (52K records in well under a second);
 * manifests and meta lines are parsed leniently, since they come from many stage versions.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { readEarlierManifest } from "../io/runDir.js";
import { z } from "zod";
import { UserError } from "../errors.js";
import { AlpacaRecord } from "../schemas.js";
import { countReviews, readReviews, REVIEW_FILE, type ReviewCounts } from "../io/review.js";

export const Manifest = z
  .object({
    stage: z.string().optional(),
    status: z.string().optional(),
    counts: z
      .object({
        accepted: z.number().optional(),
        rejected: z.number().optional(),
        rejectedByReason: z.record(z.string(), z.number()).optional(),
      })
      .partial()
      .optional(),
    llm: z.record(z.string(), z.unknown()).optional(),
    endpoint: z.object({ baseUrl: z.string().optional(), model: z.string().optional(), simulator: z.boolean().optional(), note: z.string().optional() }).partial().optional(),
    config: z.record(z.string(), z.unknown()).optional(),
    timings: z.record(z.string(), z.unknown()).optional(),
  })
  .catchall(z.unknown());
export type Manifest = z.infer<typeof Manifest>;

/** The meta fields the report reads; anything else on the line is ignored. */
export const ReportMeta = z
  .object({
    id: z.string().optional(),
    most_similar_instructions: z.record(z.string(), z.number()).optional().catch(undefined),
    avg_similarity_score: z.number().optional().catch(undefined),
    depth: z.number().int().nonnegative().optional().catch(undefined),
  })
  .catchall(z.unknown());
export type ReportMeta = z.infer<typeof ReportMeta>;

export const Rejection = z.object({ stage: z.string().catch("?"), reason: z.string().catch("unknown") }).catchall(z.unknown());

export interface StageRun {
  /** Directory name ("01-generate") or the stage name of a single run directory. */
  name: string;
  dir: string;
  manifest: Manifest | undefined;
  records: AlpacaRecord[];
  meta: ReportMeta[];
  rejectedByReason: Record<string, number>;
}

export interface LoadedRun {
  dir: string;
  /** Stages in pipeline order; one entry for a single run directory. */
  stages: StageRun[];
  isPipeline: boolean;
  /** Marks from `instructforge view` (DIR/review.jsonl); undefined when nobody reviewed. */
  reviews?: ReviewCounts;
}

export function loadRun(dir: string): LoadedRun {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw noData(dir);
  const reviews = reviewCounts(dir);
  if (existsSync(join(dir, "data.jsonl"))) return { dir, stages: [loadStage(dir, undefined)], isPipeline: false, reviews };
  const stageDirs = stageDirectoryNames(dir);
  if (stageDirs.length === 0) throw noData(dir);
  return { dir, stages: stageDirs.map((name) => loadStage(join(dir, name), name)), isPipeline: true, reviews };
}

/** A pipeline directory's stage sub-directories (those holding one of `markers`), in pipeline order. */
export function stageDirectoryNames(dir: string, markers: readonly string[] = ["data.jsonl"]): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && markers.some((marker) => existsSync(join(dir, entry.name, marker))))
    .map((entry) => entry.name)
    .sort();
}

function reviewCounts(dir: string): ReviewCounts | undefined {
  const path = join(dir, REVIEW_FILE);
  return existsSync(path) ? countReviews(readReviews(path)) : undefined;
}

/** The run the dataset came from: the last stage of a pipeline. */
export function finalStage(run: LoadedRun): StageRun {
  return run.stages[run.stages.length - 1]!;
}

function noData(dir: string): UserError {
  return new UserError(`${dir}: no data.jsonl found — pass a run directory`);
}

function loadStage(dir: string, dirName: string | undefined): StageRun {
  const manifest = readManifest(dir);
  const records = readLines(join(dir, "data.jsonl")).map((value) => AlpacaRecord.catch({ instruction: "", input: "", output: "" }).parse(value));
  const meta = readLines(join(dir, "meta.jsonl")).map((value) => ReportMeta.catch({}).parse(value));
  const rejectedByReason = countRejections(join(dir, "rejected.jsonl"), manifest);
  return { name: dirName ?? manifest?.stage ?? "run", dir, manifest, records, meta, rejectedByReason };
}

function readManifest(dir: string): Manifest | undefined {
  const earlier = readEarlierManifest(dir);
  if (!earlier || !("value" in earlier)) return undefined; // a damaged manifest must not stop the report; counts come from the files
  const parsed = Manifest.safeParse(earlier.value);
  return parsed.success ? parsed.data : undefined;
}

/** rejected.jsonl is the ground truth; the manifest's counts are used only when the file is absent. */
function countRejections(path: string, manifest: Manifest | undefined): Record<string, number> {
  if (!existsSync(path)) return { ...(manifest?.counts?.rejectedByReason ?? {}) };
  const counts: Record<string, number> = {};
  for (const value of readLines(path)) {
    const { reason } = Rejection.catch({ stage: "?", reason: "unknown" }).parse(value);
    counts[reason] = (counts[reason] ?? 0) + 1;
  }
  return counts;
}

/** Complete JSON lines of a run file; a torn last line (a run still writing) is skipped. */
function readLines(path: string): unknown[] {
  if (!existsSync(path)) return [];
  const values: unknown[] = [];
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    try {
      values.push(JSON.parse(line));
    } catch {
      /* torn or damaged line: the report shows what can be read */
    }
  }
  return values;
}
