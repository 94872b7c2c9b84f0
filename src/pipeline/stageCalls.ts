/**
 * How the pipeline calls each stage. A stage's options in the config are exactly its command's
 * flags, so every call starts from the flag defaults the stage's own command declares (read from
 * its commander definition: one place for defaults), lays the config's options over them, and
 * hands the result to the stage's own flag parser and programmatic entry point.
 */
import { Command } from "commander";
import type { z } from "zod";
import { UserError } from "../errors.js";
import { readSiblingMeta } from "../io/siblingMeta.js";
import { readRecordFile } from "../io/records.js";
import type { LlmSettings } from "../llm/types.js";
import { recordId } from "../schemas.js";
import { dedupRecords } from "../stages/dedup/index.js";
import { withStageRun, type StageContext } from "../runtime/stageRun.js";
import type { Language } from "../schemas.js";
import * as answerCommand from "../commands/answer.js";
import * as evolveCommand from "../commands/evolve.js";
import * as filterCommand from "../commands/filter.js";
import { FilterFlags, parseFilterFlags } from "../commands/filter.js";
import * as generateCommand from "../commands/generate.js";
import * as translateCommand from "../commands/translate.js";
import { runAnswer } from "../stages/answer/stage.js";
import { defaultWeights, parseOperationWeights } from "../stages/evolve/operations.js";
import { runEvolve } from "../stages/evolve/stage.js";
import { EVOLVE_DEFAULTS } from "../stages/evolve/defaults.js";
import { runFilter } from "../stages/filter/stage.js";
import { runGenerate } from "../stages/selfInstruct/stage.js";
import { GenerateFlags, parseGenerateFlags } from "../stages/selfInstruct/settings.js";
import { parseFieldList } from "../stages/translate/fields.js";
import { runTranslate } from "../stages/translate/stage.js";
import type { StageConfig, StageName, StageOptions } from "./config.js";

/** Everything a stage call needs besides its own options. */
export interface StageCall {
  stage: Exclude<StageConfig, { name: "export" }>;
  /** The previous stage's data.jsonl (or the config's `input`); absent for `generate`. */
  inputPath?: string;
  outDir: string;
  lang: Language;
  seed: number;
  llm: LlmSettings;
  context?: StageContext;
}

type FlagValue = string | string[] | boolean;
type Flags = Record<string, FlagValue>;

export async function callStage(call: StageCall): Promise<void> {
  const { stage } = call;
  switch (stage.name) {
    case "generate":
      return callGenerate(stage.options, call);
    case "evolve":
      return callEvolve(stage.options, call);
    case "answer":
      return callAnswer(stage.options, call);
    case "translate":
      return callTranslate(stage.options, call);
    case "dedup":
      return callDedup(stage.options, call);
    case "filter":
      return callFilter(stage.options, call);
  }
}

async function callGenerate(options: StageOptions<"generate">, call: StageCall): Promise<void> {
  const flags = { ...commandDefaults(generateCommand.register, "generate"), ...toFlags(options), ...commonFlags(call) };
  await runGenerate(parseGenerateFlags(asFlags(GenerateFlags, flags, "generate")), call.llm, call.context);
}

async function callEvolve(options: StageOptions<"evolve">, call: StageCall): Promise<void> {
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

async function callAnswer(options: StageOptions<"answer">, call: StageCall): Promise<void> {
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

async function callTranslate(options: StageOptions<"translate">, call: StageCall): Promise<void> {
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
    },
    call.llm,
    call.context,
  );
}

async function callFilter(options: StageOptions<"filter">, call: StageCall): Promise<void> {
  const flags = { ...commandDefaults(filterCommand.register, "filter"), ...toFlags(options), ...commonFlags(call), in: inputOf(call) };
  const settings = await parseFilterFlags(asFlags(FilterFlags, flags, "filter"));
  // The LLM is only needed (and only checked) when the judge or the complexity score is on.
  const scoring = settings.judge !== undefined || settings.complexity;
  await runFilter(settings, scoring ? call.llm : undefined, call.context);
}

/**
 * dedup is a pure function over a whole file; the pipeline gives it a run directory of its own
 * (one unit: all or nothing) so it resumes, reports and hands meta on like the other stages.
 */
async function callDedup(options: StageOptions<"dedup">, call: StageCall): Promise<void> {
  const inPath = inputOf(call);
  const { items } = await readRecordFile(inPath, { allowEmpty: true });
  const seeds = options.seeds === undefined ? undefined : (await readRecordFile(options.seeds)).items;
  const upstreamMeta = firstMetaById(inPath);
  const { seeds: seedsFile, ...work } = options;
  const fingerprint = { options: work, files: { input: inPath, seeds: seedsFile } };
  await withStageRun({ outDir: call.outDir, stage: "dedup", config: { ...options }, fingerprint, upstream: inPath, context: call.context }, async (run) => {
    if (run.runDir.state.nextUnit > 0) return;
    const result = dedupRecords(items, { ...options, seeds });
    run.runDir.commit(0, {
      accepted: result.kept.map((item) => ({ record: item.record, meta: upstreamMeta.get(recordId(item.record)) })),
      rejected: result.dropped.map(({ item, method, duplicateOf, score }) => ({
        reason: method,
        record: item.record,
        detail: { score, duplicateOf: { source: duplicateOf.source, index: duplicateOf.index, text: duplicateOf.text } },
      })),
    });
    run.progress(items.length, items.length);
  });
}

/** Meta fields a previous stage recorded (finishReason, lineage …), by record id, to hand on. */
function firstMetaById(dataPath: string): Map<string, Record<string, unknown>> {
  const byId = new Map<string, Record<string, unknown>>();
  for (const { id, stage: _stage, unit: _unit, ...rest } of readSiblingMeta(dataPath, "dedup hands its metadata on")) {
    if (!byId.has(id)) byId.set(id, rest);
  }
  return byId;
}

function inputOf(call: StageCall): string {
  if (!call.inputPath) throw new UserError(`stage ${call.stage.name} reads records: put a stage before it, or set \`input:\` in the config`, 2);
  return call.inputPath;
}

/** A command's declared defaults (strings, as commander keeps them) read as typed values. */
function typedDefaults(flags: Flags) {
  const get = (key: string): FlagValue => {
    const value = flags[key];
    if (value === undefined) throw new Error(`the command declares no default for ${key}`);
    return value;
  };
  return {
    number: (key: string) => Number(get(key)),
    string: (key: string) => String(get(key)),
    boolean: (key: string) => get(key) === true,
  };
}

/**
 * The merged flags in the shape the stage's parser takes. The config schema already checked every
 * option, so a mismatch here is a bug in this file, reported as such.
 */
function asFlags<Schema extends z.ZodType>(schema: Schema, flags: Flags, stage: StageName): z.infer<Schema> {
  const parsed = schema.safeParse(flags);
  if (!parsed.success) throw new Error(`internal: the ${stage} options do not map onto its flags: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  return parsed.data;
}

/** The flags every stage shares: where to write, which language, which seed. */
function commonFlags(call: StageCall): Flags {
  return { out: call.outDir, lang: call.lang, seed: String(call.seed) };
}

/** Config values (typed) → the strings and lists commander would have produced from flags. */
export function toFlags(options: Record<string, unknown>): Flags {
  const flags: Flags = {};
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) flags[key] = value.map(String);
    else if (typeof value === "boolean") flags[key] = value;
    else if (typeof value === "object" && value !== null) flags[key] = JSON.stringify(value);
    else flags[key] = String(value);
  }
  return flags;
}

/** A stage command's flag defaults, read from its own commander definition. */
export function commandDefaults(register: (program: Command) => void, name: StageName): Flags {
  const program = new Command();
  register(program);
  const command = program.commands.find((c) => c.name() === name);
  if (!command) throw new Error(`the ${name} command did not register itself`);
  return command.opts() as Flags;
}
