/**
 * `instructforge run --config pipeline.yaml`: every stage of a config, resumable as a whole.
 * Flags given on the command line win over the config; the config wins over the environment.
 */
import type { Command } from "commander";
import { UserError } from "../errors.js";
import type { LlmSettings } from "../llm/types.js";
import { CONFIG_ERROR_EXIT, loadPipelineConfig, type PipelineConfig } from "../pipeline/config.js";
import { estimatePipeline, formatEstimate } from "../pipeline/estimate.js";
import { runPipeline, workStages } from "../pipeline/runPipeline.js";
import { STAGES } from "../stages/index.js";
import { action } from "./action.js";
import { withCliStageContext } from "./stageContext.js";
import { addLlmOptions, resolveLlmSettings, type LlmFlags } from "./llmOptions.js";

interface RunFlags extends LlmFlags {
  config: string;
  out?: string;
  num?: string;
  dryRun?: boolean;
}

export function register(program: Command): void {
  const command = program
    .command("run")
    .description(
      "run a whole pipeline from a YAML/JSON config (see configs/): each stage writes OUT/NN-<stage>/, the next reads its data.jsonl;\n" +
        "re-running the same command resumes at the first unfinished stage. --dry-run prints the expected requests, tokens and cost and exits.",
    )
    .requiredOption("--config <file>", "pipeline config (YAML or JSON)")
    .option("--out <dir>", "output directory (overrides `out:` in the config)")
    .option("--num <n>", "records to generate (overrides the generate stage's `num`)")
    .option("--dry-run", "estimate requests, tokens and cost per stage without calling the LLM");
  addLlmOptions(command).action(action(async (flags: RunFlags) => runCommand(flags, command)));
}

async function runCommand(flags: RunFlags, command: Command): Promise<void> {
  const { file, config } = await loadPipelineConfig(flags.config);
  const withOverrides = applyOverrides(config, flags);
  const llm = await llmSettings(withOverrides, flags, command, { needKey: !flags.dryRun && callsAModel(withOverrides) });
  if (flags.dryRun) {
    process.stdout.write(`${formatEstimate(await estimatePipeline(withOverrides, llm))}\n`);
    return;
  }
  const outDir = withOverrides.out;
  if (!outDir) throw new UserError(`${file}: no output directory: set \`out:\` in the config or pass --out DIR`, CONFIG_ERROR_EXIT);
  const summary = await withCliStageContext({}, (context) => runPipeline({ config: withOverrides, configFile: file, outDir, llm, context }));
  if (summary.stoppedEarly === undefined) process.stderr.write(`instructforge: pipeline complete: ${summary.finalRecords} records in ${summary.outDir}/final\n`);
}

/** Only a pipeline with a stage that calls a model needs an endpoint and a key (each stage's definition says). */
function callsAModel(config: PipelineConfig): boolean {
  return workStages(config).some((stage) => (STAGES[stage.name].callsModel as (options: typeof stage.options) => boolean)(stage.options));
}

/** `--out` and `--num` replace the config's values. */
function applyOverrides(config: PipelineConfig, flags: RunFlags): PipelineConfig {
  const num = flags.num === undefined ? undefined : Number(flags.num);
  if (num !== undefined && !(Number.isInteger(num) && num > 0)) throw new UserError(`--num must be a positive integer, got '${flags.num}'`, 2);
  if (num !== undefined && !config.stages.some((s) => s.name === "generate")) {
    throw new UserError("--num sets the generate stage's count, but this config has no generate stage", 2);
  }
  const stages = config.stages.map((stage) => (stage.name === "generate" && num !== undefined ? { ...stage, options: { ...stage.options, num } } : stage));
  return { ...config, out: flags.out ?? config.out, stages };
}

/**
 * Command line > config > environment > built-in default, for each LLM setting. Commander fills in
 * defaults and environment values itself, so its `source` tells us which ones the user typed.
 */
async function llmSettings(config: PipelineConfig, flags: RunFlags, command: Command, { needKey }: { needKey: boolean }): Promise<LlmSettings> {
  const fromCli = <K extends keyof LlmFlags>(name: K): LlmFlags[K] | undefined => (command.getOptionValueSource(name) === "cli" ? flags[name] : undefined);
  const llm = config.llm ?? {};
  const str = (value: number | undefined) => (value === undefined ? undefined : String(value));
  const merged: LlmFlags = {
    baseUrl: fromCli("baseUrl") ?? llm.baseUrl ?? flags.baseUrl,
    // Without a key, a dry run still needs settings to price and count tokens.
    apiKey: flags.apiKey ?? (needKey ? undefined : "dry-run"),
    model: fromCli("model") ?? llm.model ?? flags.model,
    concurrency: fromCli("concurrency") ?? str(llm.concurrency) ?? flags.concurrency,
    rpm: fromCli("rpm") ?? str(llm.rpm) ?? flags.rpm,
    tpm: fromCli("tpm") ?? str(llm.tpm) ?? flags.tpm,
    timeout: fromCli("timeout") ?? str(llm.timeoutSeconds) ?? flags.timeout,
    maxRetries: fromCli("maxRetries") ?? str(llm.maxRetries) ?? flags.maxRetries,
    pricePrompt: flags.pricePrompt,
    priceCompletion: flags.priceCompletion,
    mode: fromCli("mode") ?? llm.mode ?? flags.mode,
    batchWave: fromCli("batchWave") ?? str(llm.batchWave) ?? flags.batchWave,
    batchPoll: flags.batchPoll,
    cancelBatches: flags.cancelBatches,
    serviceTier: fromCli("serviceTier") ?? llm.serviceTier ?? flags.serviceTier,
  };
  // A dry run without an endpoint prices OpenAI's models, as it did before discovery; a pipeline
  // whose stages call no model needs none.
  if (!needKey) merged.baseUrl ??= "https://api.openai.com/v1";
  // `--base-url` on the command line replaces the config's endpoint list.
  const endpoints = fromCli("baseUrl") === undefined ? llm.endpoints : undefined;
  // A dry run (or a model-free pipeline) sends nothing, not even the model listing.
  const resolved = await resolveLlmSettings(merged, { discover: needKey, earlierRun: config.out, endpoints, env: process.env, requireKeys: needKey });
  return { ...resolved, prices: llm.prices };
}
