import { Option, type Command } from "commander";
import { action } from "./action.js";
import { addRestartOption, withCliStageContext } from "./stageContext.js";
import { addLlmOptions, resolveLlmSettings, type LlmFlags } from "./llmOptions.js";
import { runGenerate } from "../stages/selfInstruct/stage.js";
import { GENERATE_DEFAULTS, SELF_INSTRUCT_FLAG_DEFAULTS, parseGenerateFlags, type GenerateFlags } from "../stages/selfInstruct/settings.js";
import { RULE_NAMES } from "../stages/selfInstruct/rules.js";

/** `--no-filter` is a negatable name to commander: its value starts as `true`, not a list. */
const collect = (value: string, previous: unknown): string[] => [...(Array.isArray(previous) ? (previous as string[]) : []), value];

type Flags = Omit<GenerateFlags, "noFilter"> & LlmFlags & { filter?: string[] | boolean; restart?: boolean };

export function register(program: Command): void {
  const command = program
    .command("generate")
    .description(
      "Self-Instruct: grow seed tasks into new instruction records.\n" +
        "Each request shows --examples sampled seed tasks and asks for a numbered list of --tasks-per-request tasks;\n" +
        "new tasks pass the quality rules and a ROUGE-L novelty check against seeds and everything kept so far.\n" +
        "Re-running the same command resumes; finished requests replay from the cache.",
    )
    .option("--seeds <file>", "seed tasks (Self-Instruct seed JSONL or Alpaca JSON/JSONL); default: the bundled seeds for --lang")
    .option("--num <n>", "records to generate")
    .option("--out <dir>", "run directory (created, or resumed when it holds an earlier run)")
    .addOption(new Option("--lang <lang>", "language of the generated tasks: prompt, rules and default seeds").choices(["en", "zh"]).default("en"))
    .option("--examples <n>", `seed tasks shown in each request (default: ${GENERATE_DEFAULTS.examples}; self-instruct: ${SELF_INSTRUCT_FLAG_DEFAULTS.examples})`)
    .option("--machine-examples <k>", `also show k already-accepted generated tasks, shuffled in with the seeds (default: ${GENERATE_DEFAULTS.machineExamples}; self-instruct: ${SELF_INSTRUCT_FLAG_DEFAULTS.machineExamples})`)
    .option("--tasks-per-request <n>", `length of the numbered list asked for, examples included (default: 20 for en, 10 for zh; self-instruct: ${SELF_INSTRUCT_FLAG_DEFAULTS.tasksPerRequest})`)
    .option("--temperature <t>", `sampling temperature (default: ${GENERATE_DEFAULTS.temperature}; self-instruct: ${SELF_INSTRUCT_FLAG_DEFAULTS.temperature})`)
    .option("--top-p <p>", `nucleus sampling (default: ${GENERATE_DEFAULTS.topP}; self-instruct: ${SELF_INSTRUCT_FLAG_DEFAULTS.topP})`)
    .option("--max-tokens <n>", `reply token limit; the item cut by it is dropped (default: ${GENERATE_DEFAULTS.maxTokens}; self-instruct: ${SELF_INSTRUCT_FLAG_DEFAULTS.maxTokens})`)
    .option("--seed <n>", "seed for example sampling (same seed → same requests)", GENERATE_DEFAULTS.seed)
    .option("--prompt <file>", "prompt template with {num_tasks}, {examples}, {next_number}, or a file with no placeholder (e.g. your copy of Alpaca's prompt.txt): the examples then follow its text as in the reference; default prompts/self_instruct.<lang>.txt (self-instruct: prompts/self_instruct_instructions.en.txt)")
    .option("--rouge-l <threshold>", "drop a task whose ROUGE-L F1 to any kept instruction is above this", GENERATE_DEFAULTS.rougeL)
    .option("--similarity-meta <mode>", "per-record most_similar_instructions/avg_similarity_score: full (O(pool) per record), none, or auto (full up to 10000 records)", GENERATE_DEFAULTS.similarityMeta)
    .addOption(new Option("--recipe <name>", "alpaca: one-shot lists of whole tasks (Stanford Alpaca; BELLE for zh); self-instruct: the original pipeline (instructions → classification? → instances output-first or input-first)").choices(["alpaca", "self-instruct"]).default(GENERATE_DEFAULTS.recipe))
    .addOption(new Option("--stop <mode>", "list-end: stop the reply at the list's last number, as the reference does; none: no stop sequence").choices(["list-end", "none"]).default(GENERATE_DEFAULTS.stop))
    .option("--blacklist <file>", "replace the default blacklist: one word (en: whole word) or substring (zh) per line")
    .addOption(new Option("--no-filter <rule>", `switch a rule off (repeatable): ${RULE_NAMES.join(", ")}`).argParser(collect));
  addRestartOption(addLlmOptions(command)).action(
    action(async (flags: Flags) => {
      const settings = parseGenerateFlags({ ...flags, noFilter: Array.isArray(flags.filter) ? flags.filter : [] });
      const llm = await resolveLlmSettings(flags, { earlierRun: flags.out });
      const summary = await withCliStageContext({ restart: flags.restart }, (context) => runGenerate(settings, llm, context));
      process.stderr.write(`instructforge: generate kept ${summary.accepted} records (${summary.rejected} rejected) in ${summary.outDir}\n`);
    }),
  );
}
