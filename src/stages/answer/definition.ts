/** The answer stage: its options, pipeline call and estimate. */
import { z } from "zod";
import * as answerCommand from "../../commands/answer.js";
import { commandDefaults, inputOf, typedDefaults, type StageCall } from "../../pipeline/stageCalls.js";
import { promptTokens, recordSizes, withCost, type EstimateContext, type StageEstimate } from "../../pipeline/estimateKit.js";
import { defineStage } from "../definition.js";
import { between, path, positiveInt } from "../optionParts.js";
import { runAnswer } from "./stage.js";

export const AnswerOptions = z.strictObject({
  systemPrompt: path().optional(),
  maxTokens: positiveInt().optional(),
  temperature: between(0, 2).optional(),
});
type AnswerOptions = z.infer<typeof AnswerOptions>;

async function run(options: AnswerOptions, call: StageCall): Promise<void> {
  const defaults = typedDefaults(commandDefaults(answerCommand.register, "answer"));
  await runAnswer({
    inPath: inputOf(call),
    outDir: call.outDir,
    lang: call.lang,
    systemPromptFile: options.systemPrompt,
    maxTokens: options.maxTokens ?? defaults.number("maxTokens"),
    temperature: options.temperature ?? defaults.number("temperature"),
    llm: call.llm,
  }, call.context);
}

async function estimateAnswer(recordsIn: number, context: EstimateContext): Promise<StageEstimate> {
  const sizes = await recordSizes(context);
  const system = await promptTokens(`answer.system.${context.config.lang}.txt`, context);
  const assumptions = [`answer: one request per record, assuming every output is empty (records that have one pass through for free)`];
  return withCost({ name: "answer", recordsIn, recordsOut: recordsIn, requests: recordsIn, promptTokens: recordsIn * (system + sizes.instruction + sizes.input), completionTokens: recordsIn * sizes.output, assumptions }, context);
}


export const answerStage = defineStage({
  name: "answer",
  summary: "writes the output of records whose output is empty; records with one pass through unchanged, for free",
  options: AnswerOptions,
  paths: ["systemPrompt"],
  readsRecords: true,
  callsModel: () => true,
  run,
  estimate: (_options, recordsIn, context) => estimateAnswer(recordsIn, context),
});
