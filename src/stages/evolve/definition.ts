/** The evolve stage (Evol-Instruct): its options, pipeline call and estimate. */
import { z } from "zod";
import * as evolveCommand from "../../commands/evolve.js";
import { commandDefaults, inputOf, typedDefaults, type StageCall } from "../../pipeline/stageCalls.js";
import { ASSUMED, formatInt, mean, percent, promptTokens, recordSizes, withCost, type EstimateContext, type StageEstimate } from "../../pipeline/estimateKit.js";
import { defineStage } from "../definition.js";
import { between, flag, oneOf, path, positiveInt, text } from "../optionParts.js";
import { EVOLVE_DEFAULTS } from "./defaults.js";
import { defaultWeights, parseOperationWeights } from "./operations.js";
import { runEvolve } from "./stage.js";

export const EvolveOptions = z.strictObject({
  rounds: positiveInt().optional(),
  /** Operations and weights, as the --ops flag: "add_constraints=1,deepen=2,breadth". */
  ops: text().optional(),
  family: oneOf(["auto", "general", "code"]).optional(),
  keepOriginal: flag().optional(),
  answer: flag().optional(),
  /** Opt-in (WizardLM has no such rule): drop an evolution whose ROUGE-L F1 to its parent is above this. */
  maxParentSimilarity: between(0, 1).optional(),
  answerMaxTokens: positiveInt().optional(),
  /** A file holding the answers' system message (default: none). */
  answerSystem: path().optional(),
  answerTemperature: between(0, 2).optional(),
  answerTopP: between(0, 1).optional(),
  promptsDir: path().optional(),
});
type EvolveOptions = z.infer<typeof EvolveOptions>;

async function run(options: EvolveOptions, call: StageCall): Promise<void> {
  const defaults = typedDefaults(commandDefaults(evolveCommand.register, "evolve"));
  await runEvolve({
    inPath: inputOf(call),
    outDir: call.outDir,
    rounds: options.rounds ?? defaults.number("rounds"),
    weights: options.ops === undefined ? defaultWeights() : parseOperationWeights(options.ops),
    opsSpec: options.ops,
    family: options.family ?? "auto",
    seed: call.seed,
    keepOriginal: options.keepOriginal ?? EVOLVE_DEFAULTS.keepOriginal,
    answer: options.answer ?? defaults.boolean("answer"),
    maxParentSimilarity: options.maxParentSimilarity,
    answerMaxTokens: options.answerMaxTokens ?? defaults.number("answerMaxTokens"),
    answerSystemFile: options.answerSystem,
    answerTemperature: options.answerTemperature ?? defaults.number("answerTemperature"),
    answerTopP: options.answerTopP ?? defaults.number("answerTopP"),
    promptsDir: options.promptsDir,
    llm: call.llm,
  }, call.context);
}

async function estimateEvolve(options: EvolveOptions, recordsIn: number, context: EstimateContext): Promise<StageEstimate> {
  const rounds = options.rounds ?? 4;
  const answer = options.answer ?? true;
  const sizes = await recordSizes(context);
  const evolveTemplate = mean(await Promise.all(EVOLVE_PROMPTS.map((name) => promptTokens(name, context))));
  const judgeTemplate = await promptTokens("evol_judge.txt", context);
  const answerSystem = await promptTokens(`answer.system.${context.config.lang}.txt`, context);

  const attempts = recordsIn * rounds;
  const judged = attempts * ASSUMED.evolveJudged;
  const answered = answer ? attempts * ASSUMED.evolvePassed : 0;
  // An evolved instruction is longer than its parent: the prompt asks for 10–20 more words.
  const evolved = sizes.instruction + 20;
  const promptTokensTotal = attempts * (evolveTemplate + sizes.instruction + sizes.input) + judged * (judgeTemplate + sizes.instruction + evolved) + answered * (answerSystem + evolved + sizes.input);
  const completionTokensTotal = attempts * evolved + judged * 3 + answered * sizes.output;
  const recordsOut = Math.round(attempts * ASSUMED.evolvePassed + ((options.keepOriginal ?? EVOLVE_DEFAULTS.keepOriginal) ? recordsIn : 0));
  const assumptions = [
    `evolve: ${formatInt(recordsIn)} records × ${rounds} round(s); per attempt 1 rewrite + ${percent(ASSUMED.evolveJudged)} judged${answer ? ` + ${percent(ASSUMED.evolvePassed)} answered` : ""}; ${percent(ASSUMED.evolvePassed)} of evolutions pass → ~${formatInt(recordsOut)} records`,
  ];
  return withCost({ name: "evolve", recordsIn, recordsOut, requests: Math.round(attempts + judged + answered), promptTokens: promptTokensTotal, completionTokens: completionTokensTotal, assumptions }, context);
}

const EVOLVE_PROMPTS = ["evol_add_constraints.txt", "evol_deepen.txt", "evol_concretize.txt", "evol_increase_reasoning.txt", "evol_complicate_input.txt", "evol_breadth.txt"];


export const evolveStage = defineStage({
  name: "evolve",
  summary: "Evol-Instruct: rounds over a pool of instructions with in-depth, in-breadth and code operations, answering each evolution and eliminating failed ones",
  options: EvolveOptions,
  paths: ["promptsDir", "answerSystem"],
  readsRecords: true,
  callsModel: () => true,
  run,
  estimate: (options, recordsIn, context) => estimateEvolve(options, recordsIn, context),
});
