/**
 * `generate --recipe self-instruct`: the original Self-Instruct pipeline (yizhongw/self-instruct),
 * one unit per instruction-generation request:
 *
 *   6 seed + 2 machine instructions, shuffled → a numbered list of new instructions → rules →
 *   for each: "is it classification?" → instances, output-first for classification (the label,
 *   then an input for it, so labels are not skewed towards what the input suggests) or
 *   input-first otherwise → the reference's instance filters → ROUGE-L novelty (in unit order).
 *
 * Each record is one instance; its meta says whether the instruction was judged classification
 * and which order its instances were generated in (`instanceOrder`). The novelty check runs at
 * commit, in unit order; before the classification and instance requests, a deterministic early
 * screen (laggedNovelty.ts) drops the instructions that check would drop against what was kept
 * a window earlier, so few follow-up requests are paid for instructions that are then dropped.
 */
import type { UnitResult } from "../../io/runDir.js";
import type { LlmClient } from "../../llm/types.js";
import { runOrdered } from "../../runtime/ordered.js";
import type { StageRun } from "../../runtime/stageRun.js";
import { fillTemplate, loadPrompt, promptPath, requirePlaceholders } from "../../prompts.js";
import { recordId, type AlpacaRecord } from "../../schemas.js";
import type { ExamplePicker } from "./examples.js";
import { filterInstances, instanceRecords, isClassificationVerdict, parseInputFirst, parseOutputFirst, type FilteredInstances, type InstanceOrder } from "./instances.js";
import { parseInstructionList } from "./instructionList.js";
import { instanceStop, instructionListStop, SELF_INSTRUCT_PROMPTS, SELF_INSTRUCT_REFERENCE } from "./recipes.js";
import { checkRules, type Rejection, type RuleSettings } from "./rules.js";
import type { ExampleTask } from "./seeds.js";
import type { GenerateSettings } from "./settings.js";
import type { NoveltyIndex } from "./similarity.js";
import type { LaggedNovelty } from "./laggedNovelty.js";

export interface SelfInstructTemplates {
  instructions: { text: string; mode: "fill" | "append" };
  classify: string;
  outputFirst: string;
  inputFirst: string;
}

export async function loadSelfInstructTemplates(instructionPrompt: string): Promise<SelfInstructTemplates> {
  const text = await loadPrompt(instructionPrompt);
  const mode = text.includes("{examples}") || text.includes("{next_number}") ? "fill" : "append";
  if (mode === "fill") requirePlaceholders(instructionPrompt, text, ["examples", "next_number"]);
  return {
    instructions: { text, mode },
    classify: await loadPrompt(promptPath(SELF_INSTRUCT_PROMPTS.classify), ["instruction"]),
    outputFirst: await loadPrompt(promptPath(SELF_INSTRUCT_PROMPTS.outputFirst), ["instruction"]),
    inputFirst: await loadPrompt(promptPath(SELF_INSTRUCT_PROMPTS.inputFirst), ["instruction"]),
  };
}

/** The reference's encode_prompt: "1. …" per instruction (whitespace collapsed, no trailing colon), then the bare next number. */
export function renderInstructionPrompt(template: SelfInstructTemplates["instructions"], examples: readonly ExampleTask[]): string {
  const list = examples.map((task, index) => `${index + 1}. ${task.instruction.replace(/\s+/g, " ").trim().replace(/:+$/, "")}`).join("\n");
  const next = String(examples.length + 1);
  if (template.mode === "append") return `${template.text.replace(/\n$/, "")}\n${list}\n${next}.`;
  return fillTemplate(template.text, { examples: list, next_number: next }).trimEnd();
}

interface Candidate {
  instruction: string;
  rejection?: Rejection;
  isClassification?: boolean;
  classificationReply?: string;
  instanceOrder?: InstanceOrder;
  finishReason?: string;
  instances?: FilteredInstances;
  rawInstances?: string;
}

export interface SelfInstructOutcome {
  exampleIds: string[];
  finishReason: string;
  /** The whole reply, when it was cut by the length limit (the reference then drops every instruction in it). */
  truncated?: string;
  chatterLines: number;
  candidates: Candidate[];
}

/** The reference decodes the two follow-up steps greedily (temperature 0; its top_p 0 is left out: some servers reject it). */
async function classify(llm: LlmClient, templates: SelfInstructTemplates, instruction: string): Promise<{ isClassification: boolean; reply: string }> {
  const { classify: decoding } = SELF_INSTRUCT_REFERENCE;
  const reply = await llm.chat({
    messages: [{ role: "user", content: fillTemplate(templates.classify, { instruction }).trimEnd() }],
    temperature: decoding.temperature,
    max_tokens: decoding.maxTokens,
    stop: [...decoding.stop],
  });
  return { isClassification: isClassificationVerdict(reply.text), reply: reply.text.trim() };
}

async function generateInstances(llm: LlmClient, templates: SelfInstructTemplates, instruction: string, order: InstanceOrder): Promise<Pick<Candidate, "finishReason" | "instances" | "rawInstances">> {
  const { instances: decoding } = SELF_INSTRUCT_REFERENCE;
  const outputFirst = order === "output-first";
  const reply = await llm.chat({
    messages: [{ role: "user", content: fillTemplate(outputFirst ? templates.outputFirst : templates.inputFirst, { instruction }).trimEnd() }],
    temperature: decoding.temperature,
    max_tokens: outputFirst ? decoding.maxTokens.classification : decoding.maxTokens.other,
    stop: instanceStop(decoding.maxInstances),
  });
  const parsed = outputFirst ? parseOutputFirst(reply.text, reply.finishReason) : parseInputFirst(reply.text, reply.finishReason);
  return { finishReason: reply.finishReason, instances: filterInstances(parsed, decoding.maxInstances), rawInstances: reply.text };
}

export interface SelfInstructInputs {
  settings: GenerateSettings;
  templates: SelfInstructTemplates;
  /** Rules for the instruction alone (empty-output off: instances come later). */
  rules: RuleSettings;
  picker: ExamplePicker;
  screen: LaggedNovelty;
}

/** One unit's work: the instruction request, then classification and instances for each instruction that passes the rules. */
export async function selfInstructUnit(llm: LlmClient, inputs: SelfInstructInputs, unit: number): Promise<SelfInstructOutcome> {
  const { settings, templates, rules, picker, screen } = inputs;
  const examples = await picker.examplesFor(unit);
  const reply = await llm.chat({
    messages: [{ role: "user", content: renderInstructionPrompt(templates.instructions, examples) }],
    temperature: settings.temperature,
    top_p: settings.topP,
    max_tokens: settings.maxTokens,
    ...(settings.stop === "list-end" ? { stop: instructionListStop(settings.tasksPerRequest) } : {}),
  });
  const outcome: SelfInstructOutcome = { exampleIds: examples.map((e) => e.id), finishReason: reply.finishReason, chatterLines: 0, candidates: [] };
  const list = reply.finishReason === "length" ? { instructions: [], chatterLines: 0 } : parseInstructionList(reply.text);
  if (reply.finishReason === "length") outcome.truncated = reply.text;
  outcome.chatterLines = list.chatterLines;
  const ruled = list.instructions.map((instruction) => ({ instruction, rejection: checkRules({ instruction, input: "", output: "" }, rules) }));
  const passing = ruled.filter((c) => c.rejection === undefined);
  const screened = await screen.screen(unit, passing.map((c) => c.instruction));
  passing.forEach((candidate, index) => (candidate.rejection = screened[index]));
  outcome.candidates = await Promise.all(
    ruled.map(async ({ instruction, rejection }): Promise<Candidate> => {
      if (rejection) return { instruction, rejection };
      const verdict = await classify(llm, templates, instruction);
      const instanceOrder: InstanceOrder = verdict.isClassification ? "output-first" : "input-first";
      return { instruction, isClassification: verdict.isClassification, classificationReply: verdict.reply, instanceOrder, ...(await generateInstances(llm, templates, instruction, instanceOrder)) };
    }),
  );
  return outcome;
}

export interface CommitState {
  novelty: NoveltyIndex;
  screen: LaggedNovelty;
  picker: ExamplePicker;
  target: number;
  accepted: number;
  counters: { instructionsParsed: number; instructionsKept: number; unusedAfterTarget: number; truncatedReplies: number; chatterLines: number };
}

/** The unit's records in order: rules, then novelty of the instruction, then its filtered instances. */
export function commitSelfInstruct(unit: number, outcome: SelfInstructOutcome, state: CommitState, lang: GenerateSettings["lang"]): UnitResult {
  const result: UnitResult = { accepted: [], rejected: [] };
  state.counters.chatterLines += outcome.chatterLines;
  state.counters.instructionsParsed += outcome.candidates.length;
  if (outcome.truncated !== undefined) {
    state.counters.truncatedReplies++;
    result.rejected.push({ reason: "truncated", record: {}, detail: { raw: outcome.truncated } });
  }
  for (const candidate of outcome.candidates) {
    const instructionOnly = { instruction: candidate.instruction };
    if (state.accepted >= state.target) {
      state.counters.unusedAfterTarget++;
      continue;
    }
    if (candidate.rejection) {
      result.rejected.push({ reason: candidate.rejection.reason, record: instructionOnly, detail: candidate.rejection.detail });
      continue;
    }
    const instructionId = recordId({ instruction: candidate.instruction, input: "", output: "" });
    const admitted = state.novelty.admit(candidate.instruction, () => instructionId);
    if ("rejection" in admitted) {
      result.rejected.push({ reason: admitted.rejection.reason, record: instructionOnly, detail: admitted.rejection.detail });
      continue;
    }
    state.counters.instructionsKept++;
    state.screen.kept(unit, candidate.instruction, instructionId);
    state.picker.addMachineTask(unit, { id: `machine:${instructionId}`, instruction: candidate.instruction, input: "", output: "" });
    const how = {
      recipe: "self-instruct",
      isClassification: candidate.isClassification,
      classificationReply: candidate.classificationReply,
      instanceOrder: candidate.instanceOrder,
    };
    for (const { instance, rejection } of candidate.instances?.dropped ?? []) {
      result.rejected.push({ reason: rejection.reason, record: { instruction: candidate.instruction, ...instance }, detail: { ...rejection.detail, ...how } });
    }
    const records: AlpacaRecord[] = instanceRecords(candidate.instruction, candidate.instances?.kept ?? []);
    if (records.length === 0 && (candidate.instances?.dropped.length ?? 0) === 0) {
      result.rejected.push({ reason: "no_instances", record: instructionOnly, detail: { ...how, raw: candidate.rawInstances ?? "" } });
    }
    for (const record of records) {
      if (state.accepted >= state.target) {
        state.counters.unusedAfterTarget++;
        continue;
      }
      const meta = { lang, finishReason: candidate.finishReason, examples: outcome.exampleIds, instructionId, ...how, ...admitted.meta };
      result.accepted.push({ record, meta });
      state.accepted++;
    }
  }
  return result;
}

/** On resume: every distinct instruction already kept joins the novelty index and the machine pool once. */
export function restoreSelfInstruct(accepted: StageRun["runDir"]["state"]["accepted"], novelty: NoveltyIndex, picker: ExamplePicker, screen: LaggedNovelty): void {
  const seen = new Set<string>();
  for (const { record, meta } of accepted) {
    if (seen.has(record.instruction)) continue;
    seen.add(record.instruction);
    const id = recordId({ instruction: record.instruction, input: "", output: "" });
    novelty.add(record.instruction, id);
    screen.kept(Number(meta.unit), record.instruction, id);
    picker.addMachineTask(Number(meta.unit), { id: `machine:${id}`, instruction: record.instruction, input: "", output: "" });
  }
}

export async function runSelfInstructUnits(
  run: StageRun,
  inputs: SelfInstructInputs,
  state: CommitState,
  window: number,
  afterCommit: (unit: number, result: UnitResult) => boolean,
): Promise<void> {
  if (state.accepted >= state.target) return;
  await runOrdered({
    start: run.runDir.state.nextUnit,
    window,
    signal: run.signal,
    work: (unit) =>
      selfInstructUnit(run.llm, inputs, unit).catch((error: unknown) => {
        inputs.picker.release(); // the run fails: units waiting on later commits must not hang
        throw error;
      }),
    commit: (unit, outcome) => afterCommit(unit, commitSelfInstruct(unit, outcome, state, inputs.settings.lang)),
  });
}
