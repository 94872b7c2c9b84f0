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
 * to rebuild the candidates. `--select deita --budget K` works the same way, its final unit
 * holding the selection in rank order (`deita.ts`).
 */
import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { UserError } from "../../errors.js";
import { readRecordFile, type RecordItem } from "../../io/records.js";
import type { AcceptedRecord, UnitResult } from "../../io/runDir.js";
import { createEmbedder, type Embedder } from "../../llm/embeddings.js";
import type { FinishReason, LlmClient, LlmSettings } from "../../llm/types.js";
import { runOrdered } from "../../runtime/ordered.js";
import { withStageRun, type StageContext, type StageRun } from "../../runtime/stageRun.js";
import { recordId, type AlpacaRecord } from "../../schemas.js";
import { RULE_NAMES, type FilterLanguage, type FilterThresholds, type RuleName } from "./config.js";
import { COMPLEXITY_PLACEHOLDERS, complexityKind } from "./complexity.js";
import { chooseDeita, measureOf, type DeitaSelection } from "./deita.js";
import { defaultPromptPath, loadScoringPrompt } from "./prompts.js";
import { QUALITY_PLACEHOLDERS, qualityKind } from "./quality.js";
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
  /** `--select deita --budget K` (exclusive with `top`). */
  select?: DeitaSelection;
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

export async function runFilter(settings: FilterSettings, llm?: LlmSettings, context?: StageContext): Promise<FilterSummary> {
  validateSettings(settings, llm);
  const input = await readRecordFile(settings.inPath);
  const finishReasons = readFinishReasons(settings.inPath);
  const reviewed = readReviewedBad(settings.review);
  const scorers = await loadScorers(settings);
  const usesLlm = scorers.quality !== undefined || scorers.complexity !== undefined;
  const recordsPerUnit = usesLlm ? settings.batch : HEURISTIC_RECORDS_PER_UNIT;
  const config = stageConfig(settings, input.items, recordsPerUnit, usesLlm ? llm : undefined);
  const { input: _input, inputSha256: _digest, model: _model, ...work } = config;
  const fingerprint = { options: work, files: { input: settings.inPath, judgePrompt: settings.qualityPromptPath, complexityPrompt: settings.complexityPromptPath } };
  const stageRun = { outDir: settings.outDir, stage: "filter", config, fingerprint, llm: usesLlm ? llm : undefined, upstream: settings.inPath, context };
  return withStageRun(stageRun, async (run) => {
    const scoringUnits = Math.ceil(input.items.length / recordsPerUnit);
    const filterUnit = (unit: number): Promise<UnitOutcome> => {
      const first = unit * recordsPerUnit;
      const items = input.items.slice(first, first + recordsPerUnit);
      return run.refusable(
        () => checkUnit(items, first, settings, finishReasons, scorers, usesLlm ? run.llm : undefined, reviewed),
        (evidence) => ({ kept: [], rejected: items.map((item, offset) => rejection(first + offset, item, "request_refused", { ...evidence })) }),
      );
    };
    const plan: UnitPlan = { units: scoringUnits, work: filterUnit, window: usesLlm ? 2 * llm!.concurrency : 2, total: input.items.length, perUnit: recordsPerUnit };
    if (settings.select) await commitSelection(run, plan, selectDeita(settings.select, settings.select.embeddingModel ? createEmbedder(llm!, settings.select.embeddingModel) : undefined));
    else if (settings.top !== undefined) await commitSelection(run, plan, selectTopKOutcome(settings.top));
    else await commitEachUnit(run, plan);
    const rejectedByReason = run.runDir.rejectedCounts();
    run.runDir.updateManifest({ filter: manifestSummary(settings, input.items.length, run.runDir.accepted, rejectedByReason) });
    return { inputRecords: input.items.length, kept: run.runDir.accepted, rejectedByReason, outDir: run.runDir.dir };
  });
}

function validateSettings(settings: FilterSettings, llm: LlmSettings | undefined): void {
  const scoring = settings.judge !== undefined || settings.complexity;
  if (scoring && !llm) throw new UserError("--judge and --complexity need an endpoint (--base-url, OPENAI_API_KEY, --model)", 2);
  if (settings.top !== undefined && !scoring) throw new UserError("--top K ranks records by their scores: add --judge and/or --complexity", 2);
  if (settings.select && !scoring) throw new UserError("--select deita ranks records by complexity × quality: add --judge and/or --complexity", 2);
  if (settings.select && settings.top !== undefined) throw new UserError("--top and --select deita both choose the records to keep: give one of them", 2);
  if (settings.select?.embeddingModel !== undefined && !llm) throw new UserError("--embedding-model needs an endpoint (--base-url, OPENAI_API_KEY)", 2);
}

async function loadScorers(settings: FilterSettings): Promise<Scorers> {
  const quality = settings.judge
    ? qualityKind(await loadScoringPrompt(settings.qualityPromptPath ?? defaultPromptPath("judge_quality", settings.batch), QUALITY_PLACEHOLDERS, settings.batch))
    : undefined;
  const complexity = settings.complexity
    ? complexityKind(await loadScoringPrompt(settings.complexityPromptPath ?? defaultPromptPath("judge_complexity", settings.batch), COMPLEXITY_PLACEHOLDERS, settings.batch))
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
    // Keys added later appear only when set, so run directories made before them still resume.
    ...(settings.select ? { select: settings.select } : {}),
    ...(settings.qualityPromptPath ? { judgePrompt: resolve(settings.qualityPromptPath) } : {}),
    ...(settings.complexityPromptPath ? { complexityPrompt: resolve(settings.complexityPromptPath) } : {}),
    ...reviewFingerprint(settings.review),
  };
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
      rejected.push(rejection(candidate.index, candidate.item, "judge_invalid", { problem: result.problem, attempts: result.attempts, reply: result.reply }));
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
      rejected.push(rejection(candidate.index, candidate.item, "complexity_invalid", { problem: result.problem, attempts: result.attempts, reply: result.reply }));
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

/** The final unit's content, chosen from every scored candidate. */
type Choose = (candidates: Candidate[]) => Promise<UnitOutcome>;

function selectTopKOutcome(k: number): Choose {
  return async (candidates) => {
    const { kept, dropped } = selectTopK(candidates, k);
    for (const c of kept) c.meta.rankScore = rankScore(c);
    const notSelected = dropped.map((c) => rejection(c.index, c.item, "not_in_top_k", { rankScore: rankScore(c), k, quality: c.quality, complexity: c.complexity }));
    return { kept, rejected: notSelected };
  };
}

function selectDeita(selection: DeitaSelection, embedder: Embedder | undefined): Choose {
  return async (candidates) => {
    const outcome = await chooseDeita(candidates, selection, embedder);
    const kept = outcome.kept.map(({ candidate, rank, deitaScore }) => Object.assign(candidate, { meta: { ...candidate.meta, deitaScore, rank } }));
    const rejected = outcome.rejected.map(({ candidate, reason, evidence }) => rejection(candidate.index, candidate.item, reason, { ...evidence, quality: candidate.quality, complexity: candidate.complexity }));
    return { kept, rejected: rejected.sort((a, b) => a.index - b.index) };
  };
}

async function commitSelection(run: StageRun, { units, work, window, total, perUnit }: UnitPlan, choose: Choose): Promise<void> {
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
  const { kept, rejected } = await choose(candidates);
  run.runDir.commit(units, toUnitResult(kept, rejected));
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
    select: settings.select && { ...settings.select, ...measureOf(settings.select), selected: kept, tooSimilar: rejectedByReason.too_similar ?? 0, overBudget: rejectedByReason.over_budget ?? 0 },
  };
}
