/**
 * The filter stage loop. Units are consecutive slices of the input (one LLM request's worth of
 * records when the judge or the complexity scorer is on, 256 records otherwise), run concurrently
 * and committed in input order. Per unit: heuristic rules → quality judge → complexity score, each
 * step seeing only the records the previous one kept.
 *
 * `--top K` needs every score before choosing, so it adds one final unit: the scoring units commit
 * only their rejections, and the final unit commits the K chosen records (input order) and the
 * `not_in_top_k` rejections in one go. data.jsonl is therefore written once, complete. A run
 * resumed before the final unit re-scores the committed units from the LLM cache (no requests)
 * to rebuild the candidates.
 */
import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { UserError } from "../../errors.js";
import { readRecordFile, type RecordItem } from "../../io/records.js";
import { changedSettings, readEarlierManifest, type AcceptedRecord, type UnitResult } from "../../io/runDir.js";
import type { FinishReason, LlmClient, LlmSettings } from "../../llm/types.js";
import { runOrdered } from "../../pipeline/ordered.js";
import { withStageRun, type StageRun } from "../../pipeline/stageRun.js";
import { recordId, type AlpacaRecord } from "../../schemas.js";
import { RULE_NAMES, type FilterLanguage, type FilterThresholds, type RuleName } from "./config.js";
import { complexityKind } from "./complexity.js";
import { defaultPromptPath, loadScoringPrompt } from "./prompts.js";
import { qualityKind } from "./quality.js";
import { firstFailedRule } from "./rules/index.js";
import { scoreRecords, type ScoringKind } from "./scoring.js";
import { rankScore, selectTopK } from "./select.js";
import { readFinishReasons } from "./siblingMeta.js";
import { readReviewedBad, reviewFailure, reviewFingerprint, type ReviewedBad } from "./review.js";
import type { ComplexityScore } from "./complexity.js";
import type { QualityRating } from "./quality.js";

export interface FilterSettings {
  inPath: string;
  outDir: string;
  /** Enabled heuristic rules (checked in the order of RULE_NAMES). */
  rules: readonly RuleName[];
  thresholds: FilterThresholds;
  lang: FilterLanguage;
  /** Quality judge: drop records scoring below minScore. */
  judge?: { minScore: number };
  complexity: boolean;
  /** Records per judge/complexity request. */
  batch: number;
  /** Attempts per record for a valid judge/complexity entry. */
  attempts: number;
  top?: number;
  qualityPromptPath?: string;
  complexityPromptPath?: string;
  /** review.jsonl from `instructforge view`: records marked bad are dropped as reviewed_bad. */
  review?: string;
}

export interface FilterSummary {
  inputRecords: number;
  kept: number;
  rejectedByReason: Record<string, number>;
  outDir: string;
}

const HEURISTIC_RECORDS_PER_UNIT = 256;

interface Candidate {
  index: number;
  item: RecordItem;
  meta: Record<string, unknown>;
  quality?: number;
  complexity?: number;
}

type Rejection = UnitResult["rejected"][number] & { index: number };

interface UnitOutcome {
  kept: Candidate[];
  rejected: Rejection[];
}

interface Scorers {
  quality?: ScoringKind<QualityRating>;
  complexity?: ScoringKind<ComplexityScore>;
}

export async function runFilter(settings: FilterSettings, llm?: LlmSettings): Promise<FilterSummary> {
  validateSettings(settings, llm);
  const input = await readRecordFile(settings.inPath);
  const finishReasons = readFinishReasons(settings.inPath);
  const reviewed = readReviewedBad(settings.review);
  const scorers = await loadScorers(settings);
  const usesLlm = scorers.quality !== undefined || scorers.complexity !== undefined;
  const recordsPerUnit = usesLlm ? settings.batch : HEURISTIC_RECORDS_PER_UNIT;
  const config = stageConfig(settings, input.items, recordsPerUnit, usesLlm ? llm : undefined);
  refuseDifferentEarlierRun(settings.outDir, config);

  return withStageRun({ outDir: settings.outDir, stage: "filter", config, llm: usesLlm ? llm : undefined }, async (run) => {
    const scoringUnits = Math.ceil(input.items.length / recordsPerUnit);
    const filterUnit = (unit: number): Promise<UnitOutcome> => {
      const first = unit * recordsPerUnit;
      const items = input.items.slice(first, first + recordsPerUnit);
      return checkUnit(items, first, settings, finishReasons, scorers, usesLlm ? run.llm : undefined, reviewed);
    };
    const plan: UnitPlan = { units: scoringUnits, work: filterUnit, window: usesLlm ? 2 * llm!.concurrency : 2, total: input.items.length, perUnit: recordsPerUnit };
    if (settings.top === undefined) await commitEachUnit(run, plan);
    else await commitTopK(run, plan, settings.top);
    const rejectedByReason = run.runDir.rejectedCounts();
    run.runDir.updateManifest({ filter: manifestSummary(settings, input.items.length, run.runDir.accepted, rejectedByReason) });
    return { inputRecords: input.items.length, kept: run.runDir.accepted, rejectedByReason, outDir: run.runDir.dir };
  });
}

function validateSettings(settings: FilterSettings, llm: LlmSettings | undefined): void {
  const scoring = settings.judge !== undefined || settings.complexity;
  if (scoring && !llm) throw new UserError("--judge and --complexity need an endpoint (--base-url, OPENAI_API_KEY, --model)", 2);
  if (settings.top !== undefined && !scoring) throw new UserError("--top K ranks records by their scores: add --judge and/or --complexity", 2);
}

async function loadScorers(settings: FilterSettings): Promise<Scorers> {
  const quality = settings.judge
    ? qualityKind(await loadScoringPrompt(settings.qualityPromptPath ?? defaultPromptPath("judge_quality"), ["examples", "count"]))
    : undefined;
  const complexity = settings.complexity
    ? complexityKind(await loadScoringPrompt(settings.complexityPromptPath ?? defaultPromptPath("judge_complexity"), ["instructions", "count", "max"]))
    : undefined;
  return { quality, complexity };
}

/** Everything that decides the output; a resumed run must use the same, or its units would not line up. */
function stageConfig(settings: FilterSettings, items: readonly RecordItem[], recordsPerUnit: number, llm: LlmSettings | undefined): Record<string, unknown> {
  const inputHash = createHash("sha256");
  for (const item of items) inputHash.update(JSON.stringify(item.record));
  return {
    input: resolve(settings.inPath),
    inputSha256: inputHash.digest("hex").slice(0, 16),
    rules: [...settings.rules],
    thresholds: settings.thresholds,
    lang: settings.lang,
    judge: settings.judge !== undefined,
    minScore: settings.judge?.minScore ?? null,
    complexity: settings.complexity,
    top: settings.top ?? null,
    recordsPerUnit,
    attempts: settings.attempts,
    model: llm?.model ?? null,
    ...reviewFingerprint(settings.review),
  };
}

function refuseDifferentEarlierRun(outDir: string, config: Record<string, unknown>): void {
  const earlier = readEarlierManifest(outDir);
  if (!earlier) return;
  if (!("value" in earlier)) throw new UserError(`${earlier.path}: unreadable manifest; use a new --out directory`);
  const previous = earlier.value as { stage?: unknown; config?: unknown };
  if (previous.stage !== "filter") throw new UserError(`--out ${outDir}: holds a '${String(previous.stage)}' run; give the filter its own directory`, 2);
  const changed = changedSettings(previous.config as Record<string, unknown> | undefined, config, Object.keys(config));
  if (changed.length > 0) {
    throw new UserError(`--out ${outDir}: holds a filter run with different settings (${changed.join(", ")}); re-run with the same flags to resume, or use a new --out`, 2);
  }
}

async function checkUnit(
  items: readonly RecordItem[],
  first: number,
  settings: FilterSettings,
  finishReasons: ReadonlyMap<string, FinishReason>,
  scorers: Scorers,
  llm: LlmClient | undefined,
  reviewed?: ReviewedBad,
): Promise<UnitOutcome> {
  const rejected: Rejection[] = [];
  let kept: Candidate[] = [];
  items.forEach((item, offset) => {
    const index = first + offset;
    const id = recordId(item.record);
    const finishReason = finishReasons.get(id);
    const failure = reviewFailure(reviewed, id) ?? firstFailedRule(item.record, settings.rules, { lang: settings.lang, finishReason, thresholds: settings.thresholds });
    if (failure) rejected.push(rejection(index, item, failure.rule, failure.evidence));
    else kept.push({ index, item, meta: { line: item.line, ...(finishReason ? { finishReason } : {}) } });
  });
  if (llm && scorers.quality && settings.judge) kept = await judgeQuality(llm, scorers.quality, kept, settings, rejected);
  if (llm && scorers.complexity) kept = await scoreComplexity(llm, scorers.complexity, kept, settings, rejected);
  rejected.sort((a, b) => a.index - b.index);
  return { kept, rejected };
}

async function judgeQuality(llm: LlmClient, kind: ScoringKind<QualityRating>, candidates: Candidate[], settings: FilterSettings, rejected: Rejection[]): Promise<Candidate[]> {
  if (candidates.length === 0) return candidates;
  const minScore = settings.judge!.minScore;
  const results = await scoreRecords(llm, kind, candidates.map((c) => c.item.record), settings.attempts);
  return candidates.filter((candidate, i) => {
    const result = results[i]!;
    if (!result.ok) {
      rejected.push(rejection(candidate.index, candidate.item, "judge_invalid", { problem: result.problem, attempts: result.attempts }));
      return false;
    }
    const { score, rationale } = result.value;
    if (score < minScore) {
      rejected.push(rejection(candidate.index, candidate.item, "judge_low_score", { score, minScore, rationale }));
      return false;
    }
    candidate.quality = score;
    Object.assign(candidate.meta, { qualityScore: score, qualityRationale: rationale });
    return true;
  });
}

async function scoreComplexity(llm: LlmClient, kind: ScoringKind<ComplexityScore>, candidates: Candidate[], settings: FilterSettings, rejected: Rejection[]): Promise<Candidate[]> {
  if (candidates.length === 0) return candidates;
  const results = await scoreRecords(llm, kind, candidates.map((c) => c.item.record), settings.attempts);
  return candidates.filter((candidate, i) => {
    const result = results[i]!;
    if (!result.ok) {
      rejected.push(rejection(candidate.index, candidate.item, "complexity_invalid", { problem: result.problem, attempts: result.attempts }));
      return false;
    }
    candidate.complexity = result.value.complexity;
    candidate.meta.complexity = result.value.complexity;
    return true;
  });
}

function rejection(index: number, item: RecordItem, reason: string, evidence: Record<string, unknown>): Rejection {
  return { index, reason, record: item.record, detail: { line: item.line, ...evidence } };
}

function toUnitResult(kept: readonly Candidate[], rejected: readonly Rejection[]): UnitResult {
  const accepted: AcceptedRecord[] = kept.map((c) => ({ record: c.item.record as AlpacaRecord, meta: c.meta }));
  return { accepted, rejected: rejected.map(({ index: _index, ...rest }) => rest) };
}

interface UnitPlan {
  units: number;
  work: (unit: number) => Promise<UnitOutcome>;
  /** Units in flight: twice the LLM concurrency, or 2 when the work is synchronous heuristics. */
  window: number;
  total: number;
  perUnit: number;
}

async function commitEachUnit(run: StageRun, { units, work, window, total, perUnit }: UnitPlan): Promise<void> {
  await runOrdered({
    start: run.runDir.state.nextUnit,
    end: units,
    window,
    signal: run.signal,
    work,
    commit: (unit, outcome) => {
      run.runDir.commit(unit, toUnitResult(outcome.kept, outcome.rejected));
      run.progress(Math.min(total, (unit + 1) * perUnit), total);
    },
  });
}

async function commitTopK(run: StageRun, { units, work, window, total, perUnit }: UnitPlan, k: number): Promise<void> {
  const committedBefore = run.runDir.state.nextUnit;
  if (committedBefore > units) return; // the selection unit is committed: the run is complete
  const candidates: Candidate[] = [];
  const summary = await runOrdered({
    start: 0,
    end: units,
    window,
    signal: run.signal,
    work,
    commit: (unit, outcome) => {
      candidates.push(...outcome.kept);
      if (unit >= committedBefore) run.runDir.commit(unit, toUnitResult([], outcome.rejected));
      run.progress(Math.min(total, (unit + 1) * perUnit), total);
    },
  });
  if (summary.stoppedBy === "abort") return;
  const { kept, dropped } = selectTopK(candidates, k);
  for (const c of kept) c.meta.rankScore = rankScore(c);
  const notSelected = dropped.map((c) => rejection(c.index, c.item, "not_in_top_k", { rankScore: rankScore(c), k, quality: c.quality, complexity: c.complexity }));
  run.runDir.commit(units, toUnitResult(kept, notSelected));
}

function manifestSummary(settings: FilterSettings, inputRecords: number, kept: number, rejectedByReason: Record<string, number>): Record<string, unknown> {
  const byRule = Object.fromEntries(RULE_NAMES.filter((rule) => settings.rules.includes(rule)).map((rule) => [rule, rejectedByReason[rule] ?? 0]));
  return {
    inputRecords,
    kept,
    rulesEnabled: [...settings.rules],
    rejectedByRule: byRule,
    judge: settings.judge ? { minScore: settings.judge.minScore, lowScore: rejectedByReason.judge_low_score ?? 0, invalid: rejectedByReason.judge_invalid ?? 0 } : undefined,
    complexity: settings.complexity ? { invalid: rejectedByReason.complexity_invalid ?? 0 } : undefined,
    top: settings.top === undefined ? undefined : { k: settings.top, notSelected: rejectedByReason.not_in_top_k ?? 0 },
  };
}
