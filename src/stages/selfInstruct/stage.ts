/**
 * The Self-Instruct generate stage. One unit = one request:
 *   pick examples → render prompt → ask the model → parse → rules → ROUGE-L novelty → save.
 * Requests run concurrently; replies are judged in unit order, so the same flags give the same
 * dataset however the network behaves, and a resumed run continues exactly where it stopped.
 */
import type { LlmSettings } from "../../llm/types.js";
import { runOrdered } from "../../runtime/ordered.js";
import { withStageRun, type StageContext, type StageRun } from "../../runtime/stageRun.js";
import { recordId, type AlpacaRecord } from "../../schemas.js";
import type { UnitResult } from "../../io/runDir.js";
import { ExamplePicker } from "./examples.js";
import { loadBlacklist } from "./blacklist.js";
import { parseTaskList, type ParsedReply } from "./parse.js";
import { loadPromptTemplate, renderPrompt, type PromptTemplate } from "./prompt.js";
import { checkRules, defaultBlacklist, type Rejection, type RuleSettings } from "./rules.js";
import { loadSeeds, type ExampleTask } from "./seeds.js";
import { generateFingerprint, wantsSimilarityMeta, type GenerateSettings } from "./settings.js";
import { NoveltyIndex } from "./similarity.js";
import { barrenRunError, MAX_BARREN_REQUESTS } from "./barren.js";
import { runSelfInstructRecipe } from "./selfInstructStage.js";
import { listStop } from "./recipes.js";


export interface GenerateSummary {
  outDir: string;
  accepted: number;
  rejected: number;
  requests: number;
}

interface CheckedTask {
  record: AlpacaRecord;
  rejection?: Rejection;
}

interface RequestOutcome {
  exampleIds: string[];
  finishReason: string;
  parsed: ParsedReply;
  checked: CheckedTask[];
}

export async function runGenerate(settings: GenerateSettings, llm: LlmSettings, context?: StageContext): Promise<GenerateSummary> {
  if (settings.recipe === "self-instruct") return runSelfInstructRecipe(settings, llm, context);
  // Everything that can be wrong with the input is found before the run directory is touched.
  const template = await loadPromptTemplate(settings.prompt, settings.lang);
  const seeds = await loadSeeds(settings.seeds, settings.examples + settings.machineExamples);
  const rules: RuleSettings = {
    lang: settings.lang,
    disabled: new Set(settings.noFilter),
    blacklist: settings.blacklist ? await loadBlacklist(settings.blacklist) : defaultBlacklist(settings.lang),
  };
  const config = { ...settings, similarityMeta: wantsSimilarityMeta(settings) ? "full" : "none", model: llm.model };
  return withStageRun({ outDir: settings.out, stage: "generate", config, fingerprint: generateFingerprint(settings), llm, label: "generate", context }, (run) =>
    generateLoop(run, { settings, template, seeds, rules, window: llm.concurrency * 2 }),
  );
}

interface LoopInputs {
  settings: GenerateSettings;
  template: PromptTemplate;
  seeds: ExampleTask[];
  rules: RuleSettings;
  window: number;
}

async function generateLoop(run: StageRun, inputs: LoopInputs): Promise<GenerateSummary> {
  const { settings, template, seeds, rules, window } = inputs;
  const { state } = run.runDir;
  const target = settings.num;
  const picker = new ExamplePicker(seeds, {
    seed: settings.seed,
    examples: settings.examples,
    machineExamples: settings.machineExamples,
    lag: window,
    firstUnit: state.nextUnit,
  });
  const novelty = rebuildNoveltyIndex(settings, seeds, state.accepted, picker);
  const counters = { requests: 0, tasksParsed: 0, unusedAfterTarget: 0, truncatedReplies: 0, chatterLines: 0 };
  let accepted = state.accepted.length;
  let barren = 0;

  const request = async (unit: number): Promise<RequestOutcome> => {
    const examples = await picker.examplesFor(unit);
    const reply = await run.llm.chat({
      messages: [{ role: "user", content: renderPrompt(template, examples, settings.tasksPerRequest) }],
      temperature: settings.temperature,
      top_p: settings.topP,
      max_tokens: settings.maxTokens,
      ...(settings.stop === "list-end" ? { stop: listStop(settings.lang, settings.tasksPerRequest) } : {}),
    });
    const parsed = parseTaskList(reply.text, { nextNumber: examples.length + 1, finishReason: reply.finishReason });
    const checked = parsed.tasks.map((task) => {
      const record = { instruction: task.instruction, input: task.input, output: task.output };
      return { record, rejection: checkRules(record, rules) };
    });
    return { exampleIds: examples.map((e) => e.id), finishReason: reply.finishReason, parsed, checked };
  };

  const judge = (unit: number, outcome: RequestOutcome): boolean => {
    const result = unreadableItems(outcome.parsed);
    counters.requests++;
    counters.tasksParsed += outcome.checked.length;
    counters.chatterLines += outcome.parsed.chatterLines;
    if (outcome.finishReason === "length") counters.truncatedReplies++;
    for (const { record, rejection } of outcome.checked) {
      if (accepted >= target) {
        counters.unusedAfterTarget++;
        continue;
      }
      // Hashed at most once per record, and only when it survives the rules; the run directory reuses it.
      let id: string | undefined;
      const idOf = (): string => (id ??= recordId(record));
      const kept = rejection ? { rejection } : novelty.admit(record.instruction, idOf);
      if ("rejection" in kept) {
        result.rejected.push({ reason: kept.rejection.reason, record, detail: kept.rejection.detail });
        continue;
      }
      const meta = { lang: settings.lang, finishReason: outcome.finishReason, examples: outcome.exampleIds, ...kept.meta };
      const keptId = idOf();
      result.accepted.push({ record, meta, id: keptId });
      picker.addMachineTask(unit, { id: `machine:${keptId}`, ...record });
      accepted++;
    }
    run.runDir.commit(unit, result);
    picker.unitCommitted(unit);
    run.progress(accepted, target);
    barren = result.accepted.length > 0 ? 0 : barren + 1;
    if (barren >= MAX_BARREN_REQUESTS && accepted < target) {
      picker.release();
      throw barrenRunError(run);
    }
    if (accepted >= target) picker.release();
    return accepted < target;
  };

  if (accepted < target) {
    await runOrdered({ start: state.nextUnit, window, signal: run.signal, work: request, commit: judge });
  }
  run.runDir.updateManifest({ generate: { ...counters, similarityPool: novelty.size, thisAttemptOnly: true } });
  return { outDir: run.runDir.dir, accepted: run.runDir.accepted, rejected: run.runDir.rejected, requests: counters.requests };
}

/** Seeds first, then every record already accepted by an earlier attempt, in order. */
function rebuildNoveltyIndex(
  settings: GenerateSettings,
  seeds: readonly ExampleTask[],
  accepted: StageRun["runDir"]["state"]["accepted"],
  picker: ExamplePicker,
): NoveltyIndex {
  const index = new NoveltyIndex(settings.rougeL, { filter: !settings.noFilter.includes("similarity"), diagnostics: wantsSimilarityMeta(settings) });
  for (const seed of seeds) index.add(seed.instruction, seed.id);
  for (const { record, meta } of accepted) {
    index.add(record.instruction, meta.id);
    picker.addMachineTask(Number(meta.unit), { id: `machine:${meta.id}`, ...record });
  }
  return index;
}

/** Items the parser could not read, and the item cut by the length limit: rejected, with evidence. */
function unreadableItems(parsed: ParsedReply): UnitResult {
  const rejected: UnitResult["rejected"] = parsed.unparseable.map((item) => ({
    reason: "unparseable",
    record: {},
    detail: { problem: item.problem, raw: item.raw },
  }));
  if (parsed.truncated !== undefined) rejected.push({ reason: "truncated", record: {}, detail: { raw: parsed.truncated } });
  return { accepted: [], rejected };
}
