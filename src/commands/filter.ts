/**
 * `instructforge filter`: heuristic quality rules, an optional LLM quality judge and complexity
 * score, and top-K selection. Without --judge/--complexity no endpoint or key is needed.
 */
import { existsSync } from "node:fs";
import { Option, type Command } from "commander";
import { parse as parseYaml } from "yaml";
import { UserError } from "../errors.js";
import { readUtf8Text } from "../io/records.js";
import { describeIssue } from "../io/records.js";
import { DEFAULT_JUDGE_BATCH, DEFAULT_MIN_SCORE, FILTER_LIMITS, FilterLanguage, FilterThresholds, RULE_NAMES, RuleName } from "../stages/filter/config.js";
import { runFilter, type FilterSettings } from "../stages/filter/stage.js";
import { DeitaSelection, TEXT_ROUGE_THRESHOLD } from "../stages/filter/deita.js";
import { DEITA_COSINE_THRESHOLD } from "../stages/filter/diverseSelect.js";
import { action } from "./action.js";
import { addRestartOption, withCliStageContext } from "./stageContext.js";
import { z } from "zod";
import { addLlmOptions, LlmFlags, resolveLlmSettings } from "./llmOptions.js";

/** The filter command's flags as commander hands them over; `run` builds the same shape from a config. */
export const FilterFlags = LlmFlags.extend({
  in: z.string(),
  out: z.string(),
  restart: z.boolean().optional(),
  rules: z.array(z.string()).optional(),
  disable: z.array(z.string()).optional(),
  thresholds: z.string().optional(),
  lang: z.string(),
  judge: z.boolean().optional(),
  minScore: z.string().optional(),
  complexity: z.boolean().optional(),
  judgeBatch: z.string(),
  judgeAttempts: z.string(),
  top: z.string().optional(),
  judgePrompt: z.string().optional(),
  complexityPrompt: z.string().optional(),
  select: z.string().optional(),
  budget: z.string().optional(),
  embeddingModel: z.string().optional(),
  diversityThreshold: z.string().optional(),
  seed: z.string().optional(),
  review: z.string().optional(),
});
export type FilterFlags = z.infer<typeof FilterFlags>;

const collect = (value: string, previous: string[] = []): string[] => [...previous, ...value.split(",").map((v) => v.trim()).filter(Boolean)];

export function register(program: Command): void {
  const command = program
    .command("filter")
    .description(
      "quality filter: heuristic rules, an optional LLM judge (AlpaGasus-style 0–5) and complexity score (Deita-style 1–6), top-K or Deita selection.\n" +
        `rules: ${RULE_NAMES.join(", ")}.\n` +
        "DIR/data.jsonl keeps passing records in input order; rejected.jsonl has the rule and its evidence; manifest.json counts per rule.",
    )
    .requiredOption("--in <file>", "Alpaca JSON/JSONL (a sibling meta.jsonl supplies finish reasons)")
    .requiredOption("--out <dir>", "run directory (re-run the same command to resume)")
    .option("--rules <names>", "run only these rules (comma-separated or repeated)", collect)
    .option("--disable <names>", "skip these rules (comma-separated or repeated)", collect)
    .option("--thresholds <json|file>", "rule thresholds: a JSON object or a JSON/YAML file (partial; the rest keep their defaults)")
    .addOption(new Option("--lang <lang>", "language of the data: auto detects each text; en|zh also require it").choices(FilterLanguage.options).default("auto"))
    .option("--judge", "rate every record's accuracy 0–5 with the LLM, one record per request (AlpaGasus)")
    .option("--min-score <x>", `drop judged records scoring below this (default ${DEFAULT_MIN_SCORE})`)
    .option("--complexity", "score each instruction's complexity 1–6 with the LLM (stored in meta.jsonl)")
    .option("--judge-batch <n>", "records per judge/complexity request (AlpaGasus and Deita: 1; more uses the *_batch.txt prompts)", String(DEFAULT_JUDGE_BATCH))
    .option("--judge-prompt <file>", "quality judge prompt (default prompts/judge_quality.txt, or judge_quality_batch.txt with --judge-batch > 1)")
    .option("--complexity-prompt <file>", "complexity prompt (default prompts/judge_complexity.txt, or judge_complexity_batch.txt with --judge-batch > 1)")
    .option("--judge-attempts <n>", "attempts per record for a valid judge reply before judge_invalid", "3")
    .option("--top <k>", "keep the K best: quality × complexity (whichever is scored), ties by input order")
    .addOption(new Option("--select <method>", "deita: rank by complexity × quality (turns on --judge and --complexity, no --min-score cut unless given) and add records in rank order, skipping one too close to a record already added; data.jsonl in rank order").choices(["deita"]))
    .option("--budget <k>", "--select deita: how many records to keep")
    .option("--embedding-model <name>", "--select deita: measure closeness by cosine similarity of this model's embeddings (the endpoint's /embeddings); without it, by text similarity (MinHash, ROUGE-L)")
    .option("--diversity-threshold <x>", `--select deita: too close above this similarity (embeddings: cosine, default ${DEITA_COSINE_THRESHOLD} as Deita; text: ROUGE-L F1 of instructions, default ${TEXT_ROUGE_THRESHOLD})`)
    .option("--seed <n>", "accepted for pipeline compatibility; the filter draws nothing at random")
    .option("--review <file>", "review.jsonl written by `instructforge view`: drop the records marked bad (reason reviewed_bad)");
  addLlmOptions(command);
  addRestartOption(command);
  command.action(action(async (flags: FilterFlags) => {
    const settings = await parseFilterFlags(flags);
    const scoring = settings.judge !== undefined || settings.complexity;
    const llm = scoring ? await resolveLlmSettings(flags, { earlierRun: flags.out }) : undefined;
    const summary = await withCliStageContext({ restart: flags.restart }, (context) => runFilter(settings, llm, context));
    const reasons = Object.entries(summary.rejectedByReason).map(([reason, n]) => `${reason} ${n}`).join(", ");
    process.stderr.write(`instructforge filter: kept ${summary.kept} of ${summary.inputRecords} → ${summary.outDir}/data.jsonl${reasons ? ` (rejected: ${reasons})` : ""}\n`);
  }));
}

export async function parseFilterFlags(flags: FilterFlags): Promise<FilterSettings> {
  const deita = flags.select === "deita";
  const judge = flags.judge === true || deita;
  if (flags.minScore !== undefined && !judge) throw new UserError("--min-score applies to the judge: add --judge", 2);
  // Deita ranks by the scores and cuts nothing: the judge's 4.5 cut-off applies only when asked for.
  const minScore = flags.minScore === undefined ? (deita ? 0 : DEFAULT_MIN_SCORE) : numberFlag("--min-score", flags.minScore, FILTER_LIMITS.minScore.min, FILTER_LIMITS.minScore.max);
  return {
    inPath: flags.in,
    outDir: flags.out,
    rules: enabledRules(flags.rules, flags.disable),
    thresholds: await parseThresholds(flags.thresholds),
    lang: FilterLanguage.parse(flags.lang),
    judge: judge ? { minScore } : undefined,
    complexity: flags.complexity === true || deita,
    batch: integerFlag("--judge-batch", flags.judgeBatch, 1, FILTER_LIMITS.judgeBatch),
    attempts: integerFlag("--judge-attempts", flags.judgeAttempts, 1, FILTER_LIMITS.judgeAttempts),
    top: flags.top === undefined ? undefined : integerFlag("--top", flags.top, 1, Number.MAX_SAFE_INTEGER),
    select: parseSelection(flags),
    qualityPromptPath: flags.judgePrompt,
    complexityPromptPath: flags.complexityPrompt,
    review: flags.review,
  };
}

function parseSelection(flags: FilterFlags): DeitaSelection | undefined {
  if (flags.select === undefined) {
    const stray = [["--budget", flags.budget], ["--embedding-model", flags.embeddingModel], ["--diversity-threshold", flags.diversityThreshold]].find(([, value]) => value !== undefined);
    if (stray) throw new UserError(`${stray[0]} belongs to --select deita`, 2);
    return undefined;
  }
  if (flags.select !== "deita") throw new UserError(`--select: unknown method '${flags.select}'; methods are deita`, 2);
  if (flags.budget === undefined) throw new UserError("--select deita needs --budget K: how many records to keep", 2);
  return DeitaSelection.parse({
    method: "deita",
    budget: integerFlag("--budget", flags.budget, 1, Number.MAX_SAFE_INTEGER),
    ...(flags.embeddingModel === undefined ? {} : { embeddingModel: flags.embeddingModel }),
    ...(flags.diversityThreshold === undefined ? {} : { threshold: numberFlag("--diversity-threshold", flags.diversityThreshold, 0, 1) }),
  });
}

function enabledRules(only: string[] | undefined, disabled: string[] = []): RuleName[] {
  const check = (flag: string, names: readonly string[]): void => {
    const unknown = names.filter((name) => !RuleName.safeParse(name).success);
    if (unknown.length > 0) throw new UserError(`${flag}: unknown rule '${unknown[0]}'; rules are ${RULE_NAMES.join(", ")}`, 2);
  };
  check("--rules", only ?? []);
  check("--disable", disabled);
  return RULE_NAMES.filter((rule) => (only === undefined || only.includes(rule)) && !disabled.includes(rule));
}

async function parseThresholds(value: string | undefined): Promise<FilterThresholds> {
  if (value === undefined) return FilterThresholds.parse({});
  const inline = value.trimStart().startsWith("{");
  if (!inline && !existsSync(value)) throw new UserError(`--thresholds ${value}: no such file (give a JSON object or a JSON/YAML file)`, 2);
  const source = inline ? "--thresholds" : value;
  let raw: unknown;
  try {
    raw = inline ? JSON.parse(value) : parseYaml(await readUtf8Text(value));
  } catch (error) {
    throw new UserError(`${source}: not valid ${inline ? "JSON" : "JSON/YAML"} (${error instanceof Error ? error.message.split("\n")[0] : String(error)})`, 2);
  }
  const parsed = FilterThresholds.safeParse(raw ?? {});
  if (!parsed.success) throw new UserError(`${source}: ${describeIssue(parsed.error.issues[0])}; keys are ${Object.keys(FilterThresholds.shape).join(", ")}`, 2);
  return parsed.data;
}

function numberFlag(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < min || n > max) throw new UserError(`${flag} must be a number from ${min} to ${max}, got '${value}'`, 2);
  return n;
}

function integerFlag(flag: string, value: string, min: number, max: number): number {
  const n = numberFlag(flag, value, min, max);
  if (!Number.isInteger(n)) throw new UserError(`${flag} must be a whole number, got '${value}'`, 2);
  return n;
}
