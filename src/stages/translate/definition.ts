/** The translate stage (→ Simplified Chinese): its options, pipeline call and estimate. */
import { z } from "zod";
import * as translateCommand from "../../commands/translate.js";
import { commandDefaults, inputOf, typedDefaults, type StageCall } from "../../pipeline/stageCalls.js";
import { ASSUMED, formatInt, percent, promptTokens, recordSizes, withCost, type EstimateContext, type StageEstimate } from "../../pipeline/estimateKit.js";
import { defineStage } from "../definition.js";
import { flag, listOf, oneOf, path, upTo } from "../optionParts.js";
import { parseFieldList } from "./fields.js";
import { runTranslate, TRANSLATE_LIMITS } from "./stage.js";
import { JSON_VALUE_MODES } from "./structured.js";

export const TranslateOptions = z.strictObject({
  fields: listOf(["instruction", "input", "output"]).optional(),
  regenerateOutput: flag().optional(),
  keepLanguageSpecific: flag().optional(),
  recordsPerRequest: upTo(TRANSLATE_LIMITS.recordsPerRequest).optional(),
  attempts: upTo(TRANSLATE_LIMITS.attempts).optional(),
  prompt: path().optional(),
  /** A field that is all JSON: translate its prose string values (default), all of them, or none. */
  jsonValues: oneOf(JSON_VALUE_MODES).optional(),
});
type TranslateOptions = z.infer<typeof TranslateOptions>;

async function run(options: TranslateOptions, call: StageCall): Promise<void> {
  const defaults = typedDefaults(commandDefaults(translateCommand.register, "translate"));
  const fields = parseFieldList(options.fields?.join(",") ?? defaults.string("fields"));
  await runTranslate(
    {
      inPath: inputOf(call),
      outDir: call.outDir,
      to: "zh", // the config refuses translate unless lang is zh
      fields,
      regenerateOutput: options.regenerateOutput ?? false,
      keepLanguageSpecific: options.keepLanguageSpecific ?? false,
      recordsPerRequest: options.recordsPerRequest ?? defaults.number("recordsPerRequest"),
      maxAttempts: options.attempts ?? defaults.number("attempts"),
      promptPath: options.prompt,
      jsonValues: options.jsonValues,
    },
    call.llm,
    call.context,
  );
}

async function estimateTranslate(options: TranslateOptions, recordsIn: number, context: EstimateContext): Promise<StageEstimate> {
  const perRequest = options.recordsPerRequest ?? 1;
  const sizes = await recordSizes(context);
  const template = await promptTokens("translate.zh.txt", context);
  const recordTokens = sizes.instruction + sizes.input + sizes.output;
  const requests = Math.ceil((recordsIn / perRequest) * (1 + ASSUMED.translateRetries));
  const recordsOut = Math.round(recordsIn * ASSUMED.translateKept);
  const assumptions = [
    `translate: ${perRequest} record(s)/request, ${percent(ASSUMED.translateRetries)} retried, ${percent(ASSUMED.translateKept)} kept → ~${formatInt(requests)} requests; Chinese takes about as many tokens as the English source`,
  ];
  return withCost({ name: "translate", recordsIn, recordsOut, requests, promptTokens: requests * (template + perRequest * recordTokens), completionTokens: requests * perRequest * recordTokens, assumptions }, context);
}


export const translateStage = defineStage({
  name: "translate",
  summary: "translates a dataset into Simplified Chinese, keeping code, URLs, placeholders, structured text and tables byte-identical",
  options: TranslateOptions,
  paths: ["prompt"],
  readsRecords: true,
  callsModel: () => true,
  run,
  estimate: (options, recordsIn, context) => estimateTranslate(options, recordsIn, context),
});
