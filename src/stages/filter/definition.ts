/** The filter stage: its options, pipeline call and estimate. */
import { z } from "zod";
import * as filterCommand from "../../commands/filter.js";
import { FilterFlags, parseFilterFlags } from "../../commands/filter.js";
import { asFlags, commandDefaults, commonFlags, inputOf, toFlags, type StageCall } from "../../pipeline/stageCalls.js";
import { ASSUMED, formatInt, keepShare, percent, promptTokens, recordSizes, withCost, type EstimateContext, type StageEstimate } from "../../pipeline/estimateKit.js";
import { defineStage } from "../definition.js";
import { between, flag, listOf, oneOf, path, positiveInt, text, upTo } from "../optionParts.js";
import { DEFAULT_JUDGE_BATCH, FILTER_LIMITS, FilterThresholds, RULE_NAMES as FILTER_RULES } from "./config.js";
import { runFilter } from "./stage.js";

export const FilterOptions = z.strictObject({
  /** Run only these heuristic rules (default: all). */
  rules: listOf(FILTER_RULES).optional(),
  disable: listOf(FILTER_RULES).optional(),
  thresholds: FilterThresholds.partial().optional(),
  /** Rate every record 0–5 with the LLM and drop those below minScore (default 4.5). */
  judge: flag().optional(),
  minScore: between(FILTER_LIMITS.minScore.min, FILTER_LIMITS.minScore.max).optional(),
  /** Score instruction complexity 1–6 with the LLM. */
  complexity: flag().optional(),
  judgeBatch: upTo(FILTER_LIMITS.judgeBatch).optional(),
  judgeAttempts: upTo(FILTER_LIMITS.judgeAttempts).optional(),
  /** Keep the K best by quality × complexity. */
  top: positiveInt().optional(),
  /** Prompt files for the judge and the complexity scorer. */
  judgePrompt: path().optional(),
  complexityPrompt: path().optional(),
  /** Deita selection: `select: deita` with `budget`, optional `embeddingModel` and `diversityThreshold`. */
  select: oneOf(["deita"]).optional(),
  budget: positiveInt().optional(),
  embeddingModel: text().min(1, { error: "a model name" }).optional(),
  diversityThreshold: between(0, 1).optional(),
  /** review.jsonl written by `instructforge view`: the records marked bad are dropped (reviewed_bad). */
  review: path().optional(),
});
type FilterOptions = z.infer<typeof FilterOptions>;

async function run(options: FilterOptions, call: StageCall): Promise<void> {
  const flags = { ...commandDefaults(filterCommand.register, "filter"), ...toFlags(options), ...commonFlags(call), in: inputOf(call) };
  const settings = await parseFilterFlags(asFlags(FilterFlags, flags, "filter"));
  // The LLM is only needed (and only checked) when the judge or the complexity score is on.
  const scoring = settings.judge !== undefined || settings.complexity;
  await runFilter(settings, scoring ? call.llm : undefined, call.context);
}

/**
 * filter with --judge and/or --complexity: the rules run first (free), then each scored kind sends
 * one request per batch of the records that passed them. A judge reply is a short JSON rating per
 * record; a complexity reply a score per instruction.
 */
async function estimateScoredFilter(options: FilterOptions, recordsIn: number, context: EstimateContext): Promise<StageEstimate> {
  const batch = options.judgeBatch ?? DEFAULT_JUDGE_BATCH;
  const sizes = await recordSizes(context);
  const afterRules = recordsIn * ASSUMED.filterKept;
  const requestsPer = Math.ceil(afterRules / batch);
  const kinds = [
    options.judge === true && { name: "judge", template: await promptTokens("judge_quality.txt", context), perRecord: sizes.instruction + sizes.input + sizes.output, reply: 40 },
    options.complexity === true && { name: "complexity", template: await promptTokens("judge_complexity.txt", context), perRecord: sizes.instruction, reply: 8 },
  ].filter((kind): kind is { name: string; template: number; perRecord: number; reply: number } => kind !== false);
  const requests = requestsPer * kinds.length;
  const promptTokensTotal = kinds.reduce((sum, kind) => sum + requestsPer * kind.template + afterRules * kind.perRecord, 0);
  const completionTokensTotal = kinds.reduce((sum, kind) => sum + afterRules * kind.reply, 0);
  const recordsOut = Math.round(options.top !== undefined ? Math.min(options.top, afterRules) : afterRules * (options.judge === true ? ASSUMED.judgeKept : 1));
  const assumptions = [
    `filter: rules keep ~${percent(ASSUMED.filterKept)}; then ${kinds.map((k) => k.name).join(" + ")}: ${batch} record(s)/request → ~${formatInt(requests)} requests` +
      (options.judge === true ? `; ~${percent(ASSUMED.judgeKept)} score at or above the cut-off (simulator)` : ""),
  ];
  return withCost({ name: "filter", recordsIn, recordsOut, requests, promptTokens: promptTokensTotal, completionTokens: completionTokensTotal, assumptions }, context);
}


/** The judge, the complexity score and Deita's selection call the model; the rules alone do not. */
function scores(options: FilterOptions): boolean {
  return options.judge === true || options.complexity === true || options.select !== undefined;
}

export const filterStage = defineStage({
  name: "filter",
  summary: "named heuristic rules, an optional LLM judge (`--judge`, 0–5), complexity (`--complexity`, 1–6), `--top K` and Deita selection (`--select deita`)",
  options: FilterOptions,
  paths: ["judgePrompt", "complexityPrompt", "review"],
  readsRecords: true,
  callsModel: scores,
  run,
  estimate: (options, recordsIn, context) =>
    scores(options) ? estimateScoredFilter(options, recordsIn, context) : Promise.resolve(keepShare("filter", recordsIn, ASSUMED.filterKept, "heuristic rules, no LLM calls")),
});
