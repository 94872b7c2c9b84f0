/** Everything the report shows, computed from a loaded run: plain data, no markup. */
import { countWords, detectLanguage } from "../text/language.js";
import { histogram, type Histogram } from "./histogram.js";
import { finalStage, type LoadedRun, type Manifest, type StageRun } from "./load.js";
import { topSimilarPairs, type SimilarPairs } from "./similarPairs.js";
import { verbNounCharts, type VerbNounChart } from "./verbNoun/index.js";

export interface StageCounts {
  name: string;
  accepted: number;
  rejected: number;
  rejectedByReason: Array<{ reason: string; count: number }>;
}

export interface LengthHistograms {
  language: "en" | "zh";
  /** "words" for English, "characters" for Chinese. */
  unit: "words" | "characters";
  records: number;
  instruction: Histogram;
  /** Only records that have an input. */
  input: Histogram;
  output: Histogram;
}

export interface ReportData {
  dir: string;
  isPipeline: boolean;
  finalStage: string;
  manifest: Manifest | undefined;
  simulated: boolean;
  stages: StageCounts[];
  records: number;
  withInput: number;
  languages: Array<{ language: "en" | "zh"; count: number }>;
  lengths: LengthHistograms[];
  /** Evolution depth → records; empty when no stage wrote `depth`. */
  depths: Array<{ depth: number; count: number }>;
  similar: SimilarPairs;
  verbNoun: VerbNounChart[];
  /** Marks from `instructforge view`, when the directory has a review.jsonl. */
  reviews?: { good: number; bad: number };
}

export function analyseRun(run: LoadedRun): ReportData {
  const last = finalStage(run);
  const records = last.records;
  const languageOf = records.map((r) => detectLanguage(r.instruction));
  return {
    dir: run.dir,
    isPipeline: run.isPipeline,
    finalStage: last.name,
    manifest: last.manifest,
    simulated: run.stages.some((stage) => stage.manifest?.endpoint?.simulator === true),
    stages: run.stages.map(stageCounts),
    records: records.length,
    withInput: records.filter((r) => r.input.trim() !== "").length,
    languages: (["en", "zh"] as const).map((language) => ({ language, count: languageOf.filter((l) => l === language).length })).filter((l) => l.count > 0),
    lengths: lengthHistograms(last, languageOf),
    depths: depthDistribution(run),
    similar: similarPairsOf(run),
    verbNoun: verbNounCharts(records.map((r) => r.instruction)),
    reviews: run.reviews,
  };
}

function stageCounts(stage: StageRun): StageCounts {
  const rejectedByReason = Object.entries(stage.rejectedByReason)
    .map(([reason, count]) => ({ reason, count }))
    .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
  return { name: stage.name, accepted: stage.records.length, rejected: rejectedByReason.reduce((sum, r) => sum + r.count, 0), rejectedByReason };
}

function lengthHistograms(stage: StageRun, languageOf: ReadonlyArray<"en" | "zh">): LengthHistograms[] {
  const result: LengthHistograms[] = [];
  for (const language of ["en", "zh"] as const) {
    const records = stage.records.filter((_, i) => languageOf[i] === language);
    if (records.length === 0) continue;
    const length = (text: string): number => countWords(text, language);
    result.push({
      language,
      unit: language === "en" ? "words" : "characters",
      records: records.length,
      instruction: histogram(records.map((r) => length(r.instruction))),
      input: histogram(records.filter((r) => r.input.trim() !== "").map((r) => length(r.input))),
      output: histogram(records.map((r) => length(r.output))),
    });
  }
  return result;
}

/** Depth comes from the evolve stage's meta; later stages do not repeat it, so use the last stage that has it. */
function depthDistribution(run: LoadedRun): ReportData["depths"] {
  const stage = [...run.stages].reverse().find((s) => s.meta.some((m) => m.depth !== undefined));
  if (!stage) return [];
  const counts = new Map<number, number>();
  for (const meta of stage.meta) if (meta.depth !== undefined) counts.set(meta.depth, (counts.get(meta.depth) ?? 0) + 1);
  return [...counts].sort((a, b) => a[0] - b[0]).map(([depth, count]) => ({ depth, count }));
}

/** Generate's meta holds the similarity scores; without it, compare the final instructions. */
function similarPairsOf(run: LoadedRun): SimilarPairs {
  const stage = [...run.stages].reverse().find((s) => s.meta.some((m) => m.most_similar_instructions !== undefined));
  const source = stage ?? finalStage(run);
  return topSimilarPairs(source.records.map((r) => r.instruction), source.meta);
}
