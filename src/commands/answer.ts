/** `instructforge answer`: fill in the output of records whose output is empty (see src/stages/answer/stage.ts). */
import { Option, type Command } from "commander";
import { z } from "zod";
import { UserError } from "../errors.js";
import { DEFAULT_ANSWER_MAX_TOKENS, DEFAULT_ANSWER_TEMPERATURE } from "../stages/answer/answer.js";
import { runAnswer } from "../stages/answer/stage.js";
import { action } from "./action.js";
import { addRestartOption, withCliStageContext } from "./stageContext.js";
import { addLlmOptions, resolveLlmSettings, type LlmFlags } from "./llmOptions.js";

interface AnswerFlags extends LlmFlags {
  in: string;
  out: string;
  lang: "auto" | "en" | "zh";
  systemPrompt?: string;
  maxTokens: string;
  temperature: string;
  restart?: boolean;
}

const Flags = z.object({
  maxTokens: z.string().regex(/^\d+$/, "--max-tokens must be a whole number").transform(Number).refine((n) => n >= 1, "--max-tokens must be at least 1"),
  temperature: z.string().transform(Number).refine((n) => Number.isFinite(n) && n >= 0 && n <= 2, "--temperature must be between 0 and 2"),
});

async function answer(flags: AnswerFlags): Promise<void> {
  const parsed = Flags.safeParse(flags);
  if (!parsed.success) throw new UserError(parsed.error.issues[0]?.message ?? "invalid flags", 2);
  const llm = await resolveLlmSettings(flags, { earlierRun: flags.out });
  const summary = await withCliStageContext(flags, (context) => runAnswer({
    inPath: flags.in,
    outDir: flags.out,
    lang: flags.lang,
    systemPromptFile: flags.systemPrompt,
    maxTokens: parsed.data.maxTokens,
    temperature: parsed.data.temperature,
    llm,
  }, context));
  process.stderr.write(
    `instructforge answer: ${summary.answered} answered, ${summary.passedThrough} already had an output, ${summary.rejected} dropped — ${summary.outDir}\n`,
  );
}

export function register(program: Command): void {
  const command = program
    .command("answer")
    .description("write the output of records whose output is empty; records that already have one pass through unchanged")
    .requiredOption("--in <file>", "records: Alpaca JSON/JSONL or seed-task JSONL")
    .requiredOption("--out <dir>", "run directory (created; re-run the same command to resume)")
    .addOption(new Option("--lang <lang>", "answer language: auto = the instruction's own").choices(["auto", "en", "zh"]).default("auto"))
    .option("--system-prompt <file>", "system prompt file (default: prompts/answer.system.<lang>.txt)")
    .option("--max-tokens <n>", "max_tokens of each answer", String(DEFAULT_ANSWER_MAX_TOKENS))
    .option("--temperature <t>", "sampling temperature", String(DEFAULT_ANSWER_TEMPERATURE));
  addLlmOptions(command);
  addRestartOption(command);
  command.addHelpText(
    "after",
    "\nA record whose output is non-empty is written unchanged and costs nothing. An answer that comes back empty is dropped\n" +
      "(rejected.jsonl, reason empty_answer). meta.jsonl records answered, lang and finishReason (\"length\" = cut off by --max-tokens).",
  );
  command.action(action(answer));
}
