/** `instructforge evolve`: Evol-Instruct rounds over a file of instructions (see src/stages/evolve/stage.ts). */
import { Option, type Command } from "commander";
import { z } from "zod";
import { UserError } from "../errors.js";
import { DEFAULT_ANSWER_MAX_TOKENS } from "../stages/answer/answer.js";
import { defaultWeights, parseOperationWeights, ALL_OPERATIONS } from "../stages/evolve/operations.js";
import { runEvolve } from "../stages/evolve/stage.js";
import { EVOLVE_DEFAULTS } from "../stages/evolve/defaults.js";
import { action } from "./action.js";
import { addRestartOption, withCliStageContext } from "./stageContext.js";
import { addLlmOptions, resolveLlmSettings, type LlmFlags } from "./llmOptions.js";

interface EvolveFlags extends LlmFlags {
  restart?: boolean;
  in: string;
  out: string;
  rounds: string;
  ops?: string;
  family: string;
  seed: string;
  keepOriginal?: boolean;
  answer: boolean;
  maxParentSimilarity?: string;
  answerMaxTokens: string;
  answerSystem?: string;
  answerTemperature: string;
  answerTopP: string;
  promptsDir?: string;
}

const integer = (flag: string, min: number) =>
  z
    .string()
    .trim()
    .regex(/^-?\d+$/, `${flag} must be a whole number`)
    .transform(Number)
    .refine((n) => n >= min, `${flag} must be at least ${min}`);

const fraction = (flag: string) =>
  z
    .string()
    .transform(Number)
    .refine((n) => Number.isFinite(n) && n >= 0 && n <= 1, `${flag} must be a number between 0 and 1`);

const Flags = z.object({
  rounds: integer("--rounds", 1),
  seed: integer("--seed", 0),
  answerMaxTokens: integer("--answer-max-tokens", 1),
  family: z.enum(["auto", "general", "code"], { message: "--family must be auto, general or code" }),
  maxParentSimilarity: fraction("--max-parent-similarity").optional(),
  answerTemperature: z
    .string()
    .transform(Number)
    .refine((n) => Number.isFinite(n) && n >= 0 && n <= 2, "--answer-temperature must be a number between 0 and 2"),
  answerTopP: fraction("--answer-top-p").refine((n) => n > 0, "--answer-top-p must be above 0"),
});

function parseFlags(flags: EvolveFlags) {
  const parsed = Flags.safeParse(flags);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`${issue?.message ?? "invalid flags"} (got '${String(flags[issue?.path[0] as keyof EvolveFlags])}')`, 2);
  }
  return parsed.data;
}

async function evolve(flags: EvolveFlags): Promise<void> {
  const parsed = parseFlags(flags);
  const llm = await resolveLlmSettings(flags, { earlierRun: flags.out });
  const summary = await withCliStageContext(flags, (context) => runEvolve({
    inPath: flags.in,
    outDir: flags.out,
    rounds: parsed.rounds,
    weights: flags.ops === undefined ? defaultWeights() : parseOperationWeights(flags.ops),
    opsSpec: flags.ops,
    family: parsed.family,
    seed: parsed.seed,
    keepOriginal: flags.keepOriginal ?? EVOLVE_DEFAULTS.keepOriginal,
    answer: flags.answer,
    maxParentSimilarity: parsed.maxParentSimilarity,
    answerMaxTokens: parsed.answerMaxTokens,
    answerSystemFile: flags.answerSystem,
    answerTemperature: parsed.answerTemperature,
    answerTopP: parsed.answerTopP,
    promptsDir: flags.promptsDir,
    llm,
  }, context));
  const reasons = Object.entries(summary.rejectedByReason)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(", ");
  process.stderr.write(
    `instructforge evolve: ${summary.accepted} records kept, ${summary.rejected} evolutions eliminated${reasons ? ` (${reasons})` : ""} — ${summary.outDir}\n`,
  );
}

export function register(program: Command): void {
  const command = program
    .command("evolve")
    .description("Evol-Instruct: rewrite instructions to harder levels over several rounds, answer them, and eliminate failed evolutions")
    .requiredOption("--in <file>", "instructions to evolve: Alpaca JSON/JSONL or seed-task JSONL")
    .requiredOption("--out <dir>", "run directory (created; re-run the same command to resume)")
    .option("--rounds <n>", "evolution rounds (the paper uses 4)", "4")
    .option("--ops <list>", `operations and weights, e.g. add_constraints=1,deepen=2,breadth (default: all of the family, uniform). Names: ${ALL_OPERATIONS.join(", ")}`)
    .addOption(new Option("--family <family>", "operation family: code tasks get WizardCoder's methods").choices(["auto", "general", "code"]).default("auto"))
    .option("--seed <n>", "seed of the operation draws (same seed → same operations)", "42")
    .option("--keep-original", "also write the input records (round 0), as WizardLM's data mixes them in (the default)")
    .option("--no-keep-original", "write only the evolutions")
    .option("--no-answer", "do not answer evolved instructions (outputs stay empty; rules 2 and 3 are then skipped)")
    .option("--max-parent-similarity <f>", "opt-in: drop an evolution whose ROUGE-L F1 to its parent is above this (WizardLM has no such rule; default off)")
    .option("--answer-max-tokens <n>", "max_tokens of each answer", String(DEFAULT_ANSWER_MAX_TOKENS))
    .option("--answer-system <file>", "a system message for the answers (default: none, the instruction is sent plainly as WizardLM does)")
    .option("--answer-temperature <t>", "temperature of the answers (WizardLM: 1)", String(EVOLVE_DEFAULTS.answerTemperature))
    .option("--answer-top-p <p>", "top_p of the answers (WizardLM: 0.95)", String(EVOLVE_DEFAULTS.answerTopP))
    .option("--prompts-dir <dir>", "directory whose evol_*.txt files replace the built-in prompts of the same name");
  addLlmOptions(command);
  addRestartOption(command);
  command.addHelpText(
    "after",
    "\nEach round every pool item gets one operation; a passing evolution becomes the item's next version, a failed one keeps the previous version.\n" +
      "Eliminated (rejected.jsonl, by reason): evolution_truncated, empty_evolution, template_leak, too_similar_to_parent (opt-in),\n" +
      "no_information_gain, judge_unparseable, apology_short_answer, answer_only_punctuation_stopwords.\n" +
      "meta.jsonl holds the lineage: rootId, parentId, round, operation, family, depth, finishReason.",
  );
  command.action(action(evolve));
}
