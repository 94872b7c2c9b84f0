/** The generate stage (Self-Instruct / Alpaca / BELLE): its options, pipeline call and estimate. */
import { z } from "zod";
import * as generateCommand from "../../commands/generate.js";
import { asFlags, commandDefaults, commonFlags, toFlags, type StageCall } from "../../pipeline/stageCalls.js";
import { ASSUMED, SAMPLED_PROMPTS, formatInt, mean, percent, sampleSeeds, withCost, type EstimateContext, type StageEstimate } from "../../pipeline/estimateKit.js";
import { defineStage } from "../definition.js";
import { between, listOf, nonNegativeInt, oneOf, path, positiveInt } from "../optionParts.js";
import { formatExamples, defaultPromptPath, loadPromptTemplate, renderPrompt } from "./prompt.js";
import { RULE_NAMES as GENERATE_RULES } from "./rules.js";
import { loadSeeds } from "./seeds.js";
import { DEFAULT_TASKS_PER_REQUEST, GenerateFlags, defaultSeedsPath, parseGenerateFlags } from "./settings.js";
import { runGenerate } from "./stage.js";

/**
 * Stage options mirror the stage command's flags (camelCase: `--tasks-per-request` →
 * `tasksPerRequest`). Every option but `num` is optional: the stage applies its own defaults.
 */
/**
 * Stage options mirror the stage commands' flags (camelCase: `--tasks-per-request` →
 * `tasksPerRequest`). Every option is optional: the stage applies its own defaults. `lang`,
 * `seed` and the LLM settings come from the top of the config, so every stage sees the same ones.
 */
export const GenerateOptions = z.strictObject({
  /** How many records to keep (`run --num` overrides it). */
  num: positiveInt(),
  seeds: path().optional(),
  examples: positiveInt().optional(),
  machineExamples: nonNegativeInt().optional(),
  tasksPerRequest: positiveInt().optional(),
  temperature: between(0, 2).optional(),
  topP: between(0, 1).optional(),
  maxTokens: positiveInt().optional(),
  prompt: path().optional(),
  rougeL: between(0, 1).optional(),
  blacklist: path().optional(),
  noFilter: listOf(GENERATE_RULES).optional(),
  /** alpaca (default; BELLE for zh) or self-instruct (the original four-step pipeline). */
  recipe: oneOf(["alpaca", "self-instruct"]).optional(),
  /** list-end (default): stop the reply at the list's last number; none. */
  stop: oneOf(["list-end", "none"]).optional(),
});
type GenerateOptions = z.infer<typeof GenerateOptions>;

async function run(options: GenerateOptions, call: StageCall): Promise<void> {
  const flags = { ...commandDefaults(generateCommand.register, "generate"), ...toFlags(options), ...commonFlags(call) };
  await runGenerate(parseGenerateFlags(asFlags(GenerateFlags, flags, "generate")), call.llm, call.context);
}

async function estimateGenerate(options: GenerateOptions, context: EstimateContext): Promise<StageEstimate> {
  const { lang, seed } = context.config;
  const examples = options.examples ?? 3;
  const tasksPerRequest = options.tasksPerRequest ?? DEFAULT_TASKS_PER_REQUEST[lang];
  const newPerRequest = tasksPerRequest - examples - (options.machineExamples ?? 0);
  const seeds = await loadSeeds(options.seeds ?? defaultSeedsPath(lang), examples);
  const template = await loadPromptTemplate(options.prompt ?? defaultPromptPath(lang), lang);

  const prompts = Array.from({ length: SAMPLED_PROMPTS }, (_, unit) => renderPrompt(template, sampleSeeds(seeds, examples, seed, unit), tasksPerRequest));
  const promptPerRequest = mean(prompts.map((p) => context.count.count(p)));
  // A reply is a list in the examples' own layout: price each new task at an average seed task.
  const taskTokens = mean(seeds.map((s) => context.count.count(formatExamples([s], lang))));
  const completionPerRequest = Math.min(newPerRequest * taskTokens, options.maxTokens ?? 3072);

  const replies = Math.ceil(generateRequests(options.num, newPerRequest));
  // The launch window stays full until the target is reached; the requests in it then are
  // paid for (and waited for, so the manifest counts them) though their tasks are not needed.
  const inFlightAtEnd = context.window;
  const requests = replies + inFlightAtEnd;
  const lastAcceptance = ASSUMED.generateFirstAccepted * acceptanceDecay(options.num);
  const assumptions = [
    `generate: ${newPerRequest} new tasks/request; ${percent(ASSUMED.generateFirstAccepted)} accepted at first, falling to ${percent(lastAcceptance)} ` +
      `as the ROUGE-L novelty check fills up (half at ${formatInt(ASSUMED.generateHalfPool)} kept, assumed) → ~${formatInt(replies)} requests for ${formatInt(options.num)} records, + ~${inFlightAtEnd} still in flight at the end`,
    `generate: ~${Math.round(promptPerRequest)} prompt tokens/request (measured on ${SAMPLED_PROMPTS} rendered prompts), ~${Math.round(completionPerRequest)} completion tokens/request (${newPerRequest} tasks × ~${Math.round(taskTokens)} tokens, the size of a seed task)`,
  ];
  return withCost({ name: "generate", recordsIn: 0, recordsOut: options.num, requests, promptTokens: requests * promptPerRequest, completionTokens: requests * completionPerRequest, assumptions }, context);
}

function acceptanceDecay(kept: number): number {
  return ASSUMED.generateHalfPool / (ASSUMED.generateHalfPool + kept);
}

/** ∫₀ᴺ dn / (tasks × acceptance(n)): requests to keep N records under the decaying acceptance. */
function generateRequests(num: number, newPerRequest: number): number {
  const perRequestAtStart = newPerRequest * ASSUMED.generateFirstAccepted;
  return (num + (num * num) / (2 * ASSUMED.generateHalfPool)) / perRequestAtStart;
}


export const generateStage = defineStage({
  name: "generate",
  summary: "Self-Instruct: sampled seed tasks → new numbered tasks → parse → rules → ROUGE-L novelty vs seeds and everything kept (`--lang zh`: Chinese seeds, prompt and rules; `--recipe self-instruct`: the original four steps)",
  options: GenerateOptions,
  paths: ["seeds", "prompt", "blacklist"],
  readsRecords: false,
  callsModel: () => true,
  run,
  estimate: (options, _recordsIn, context) => estimateGenerate(options, context),
});
