/**
 * The run around `--recipe self-instruct` (the units themselves are in original.ts): load the
 * prompts, seeds and rules, open the run directory, restore what an earlier attempt kept, run
 * the units in order, and write the counters to the manifest.
 */
import type { LlmSettings } from "../../llm/types.js";
import { withStageRun, type StageContext } from "../../runtime/stageRun.js";
import { barrenRunError, MAX_BARREN_REQUESTS } from "./barren.js";
import { loadBlacklist } from "./blacklist.js";
import { ExamplePicker } from "./examples.js";
import { loadSelfInstructTemplates, restoreSelfInstruct, runSelfInstructUnits, type CommitState } from "./original.js";
import { SELF_INSTRUCT_BLACKLIST } from "./recipes.js";
import type { RuleSettings } from "./rules.js";
import { loadSeeds } from "./seeds.js";
import { generateFingerprint, wantsSimilarityMeta, type GenerateSettings } from "./settings.js";
import { NoveltyIndex } from "./similarity.js";
import { LaggedNovelty } from "./laggedNovelty.js";
import type { GenerateSummary } from "./stage.js";

export async function runSelfInstructRecipe(settings: GenerateSettings, llm: LlmSettings, context?: StageContext): Promise<GenerateSummary> {
  const templates = await loadSelfInstructTemplates(settings.prompt);
  const seeds = await loadSeeds(settings.seeds, settings.examples + settings.machineExamples);
  // The instruction is checked alone: its outputs come later, through the instance filters.
  const rules: RuleSettings = {
    lang: settings.lang,
    disabled: new Set([...settings.noFilter, "empty-output"]),
    blacklist: settings.blacklist ? await loadBlacklist(settings.blacklist) : SELF_INSTRUCT_BLACKLIST,
  };
  const config = { ...settings, similarityMeta: wantsSimilarityMeta(settings) ? "full" : "none", model: llm.model };
  const window = llm.concurrency * 2;
  return withStageRun({ outDir: settings.out, stage: "generate", config, fingerprint: generateFingerprint(settings), llm, label: "generate", context }, async (run) => {
    const { state } = run.runDir;
    const picker = new ExamplePicker(seeds, { seed: settings.seed, examples: settings.examples, machineExamples: settings.machineExamples, lag: window, firstUnit: state.nextUnit });
    const novelty = new NoveltyIndex(settings.rougeL, { filter: !settings.noFilter.includes("similarity"), diagnostics: wantsSimilarityMeta(settings) });
    for (const seed of seeds) novelty.add(seed.instruction, seed.id);
    const screen = new LaggedNovelty(settings.rougeL, !settings.noFilter.includes("similarity"), seeds, picker, { lag: window, firstUnit: state.nextUnit });
    restoreSelfInstruct(state.accepted, novelty, picker, screen);
    const commitState: CommitState = {
      novelty,
      screen,
      picker,
      target: settings.num,
      accepted: state.accepted.length,
      counters: { instructionsParsed: 0, instructionsKept: 0, unusedAfterTarget: 0, truncatedReplies: 0, chatterLines: 0 },
    };
    let requests = 0;
    let barren = 0;
    await runSelfInstructUnits(run, { settings, templates, rules, picker, screen }, commitState, window, (unit, result) => {
      run.runDir.commit(unit, result);
      picker.unitCommitted(unit);
      requests++;
      run.progress(commitState.accepted, commitState.target);
      barren = result.accepted.length > 0 ? 0 : barren + 1;
      const more = commitState.accepted < commitState.target;
      if (barren >= MAX_BARREN_REQUESTS && more) {
        picker.release();
        throw barrenRunError(run);
      }
      if (!more) picker.release();
      return more;
    });
    run.runDir.updateManifest({ generate: { recipe: "self-instruct", requests, ...commitState.counters, similarityPool: novelty.size, thisAttemptOnly: true } });
    return { outDir: run.runDir.dir, accepted: run.runDir.accepted, rejected: run.runDir.rejected, requests };
  });
}
