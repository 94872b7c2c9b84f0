import type { Command } from "commander";
import { UserError } from "../errors.js";
import { parseFieldList } from "../stages/translate/fields.js";
import { JsonValueMode } from "../stages/translate/structured.js";
import { runTranslate, TRANSLATE_LIMITS, type TranslateSettings } from "../stages/translate/stage.js";
import { action } from "./action.js";
import { addRestartOption, withCliStageContext } from "./stageContext.js";
import { addLlmOptions, resolveLlmSettings, type LlmFlags } from "./llmOptions.js";

interface TranslateFlags extends LlmFlags {
  restart?: boolean;
  in?: string;
  to?: string;
  out?: string;
  fields: string;
  regenerateOutput?: boolean;
  keepLanguageSpecific?: boolean;
  recordsPerRequest: string;
  attempts: string;
  prompt?: string;
  jsonValues: string;
}

const MAX_RECORDS_PER_REQUEST = TRANSLATE_LIMITS.recordsPerRequest;

export function register(program: Command): void {
  const command = program
    .command("translate")
    .description(
      "Translate a dataset into Simplified Chinese, keeping code, URLs, placeholders, numbers with units and\n" +
        "table borders byte-identical. Replies are checked (JSON, markers, Chinese, a translation rather than an\n" +
        "answer, not cut) and retried; Traditional characters are converted. Tasks that do not survive translation\n" +
        "(rhymes, spelling or grammar fixes, anagrams, 'translate into French' …) are rejected with a reason.\n" +
        "Re-running the same command resumes; finished requests replay from the cache.",
    )
    .option("--in <file>", "records to translate (Alpaca JSON/JSONL or seed JSONL)")
    .option("--to <lang>", "target language (only zh)")
    .option("--out <dir>", "run directory (created, or resumed when it holds an earlier run)")
    .option("--fields <list>", "comma-separated fields to translate", "instruction,input,output")
    .option("--regenerate-output", "translate instruction and input, then answer the translated instruction in Chinese")
    .option("--keep-language-specific", "translate language-specific tasks too (the reason is recorded in meta)")
    .option("--records-per-request <n>", `records translated together in one request (1–${MAX_RECORDS_PER_REQUEST})`, "1")
    .option("--attempts <n>", "requests one record may take before it is rejected", "3")
    .option("--prompt <file>", "translation prompt with {records_json}; default prompts/translate.zh.txt")
    .option("--json-values <mode>", "a field that is all JSON: translate its prose string values, all of them, or none (prose|all|none)", "prose");
  addRestartOption(addLlmOptions(command)).action(
    action(async (flags: TranslateFlags) => {
      const settings = parseTranslateFlags(flags);
      const llm = await resolveLlmSettings(flags, { earlierRun: flags.out });
      const summary = await withCliStageContext(flags, (context) => runTranslate(settings, llm, context));
      const reasons = Object.entries(summary.rejectedByReason).map(([reason, n]) => `${reason} ${n}`).join(", ");
      process.stderr.write(
        `instructforge: translate kept ${summary.accepted} of ${summary.records} records (${summary.rejected} rejected${reasons ? `: ${reasons}` : ""}) in ${summary.outDir}\n`,
      );
    }),
  );
}

function parseTranslateFlags(flags: TranslateFlags): TranslateSettings {
  if (!flags.in) throw new UserError("--in is required: the records to translate", 2);
  if (!flags.out) throw new UserError("--out is required: the run directory to write", 2);
  if (flags.to === undefined) throw new UserError("--to is required: the target language (zh)", 2);
  if (flags.to !== "zh") throw new UserError(`--to ${flags.to}: unsupported target language; only 'zh' (Simplified Chinese) is supported`, 2);
  const fields = parseFieldList(flags.fields);
  if (flags.regenerateOutput && !fields.some((field) => field !== "output")) {
    throw new UserError("--regenerate-output answers the translated instruction: --fields must include instruction (or input)", 2);
  }
  return {
    inPath: flags.in,
    outDir: flags.out,
    to: "zh",
    fields,
    regenerateOutput: flags.regenerateOutput === true,
    keepLanguageSpecific: flags.keepLanguageSpecific === true,
    recordsPerRequest: positiveInt("--records-per-request", flags.recordsPerRequest, MAX_RECORDS_PER_REQUEST),
    maxAttempts: positiveInt("--attempts", flags.attempts, TRANSLATE_LIMITS.attempts),
    promptPath: flags.prompt,
    jsonValues: jsonValueMode(flags.jsonValues),
  };
}

function jsonValueMode(value: string): JsonValueMode {
  const mode = JsonValueMode.safeParse(value);
  if (!mode.success) throw new UserError(`--json-values must be one of ${JsonValueMode.options.join(", ")}, got '${value}'`, 2);
  return mode.data;
}

function positiveInt(flag: string, value: string, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UserError(`${flag} must be a whole number from 1 to ${max}, got '${value}'`, 2);
  return n;
}
