/**
 * The generation recipes and the reference values they follow. Every number here is pinned by
 * test/selfInstruct/defaults.test.ts, which cites the same files.
 *
 * - `alpaca` (default): Stanford Alpaca's one-shot variant — each request shows seed tasks with
 *   their instances and asks for a numbered list of whole tasks (tatsu-lab/stanford_alpaca,
 *   generate_instruction.py). With `--lang zh` it follows BELLE (LianjiaTech/BELLE,
 *   data/1.5M/generate_instruction.py and prompt_cn.txt).
 * - `self-instruct`: the original four-step pipeline (yizhongw/self-instruct): instructions from
 *   6 seed + 2 machine instructions, shuffled → is it classification? → instances, output-first
 *   for classification and input-first otherwise → instance filters.
 */
import { promptPath } from "../../prompts.js";
import type { Language } from "../../schemas.js";

export const RECIPES = ["alpaca", "self-instruct"] as const;
export type Recipe = (typeof RECIPES)[number];

/** generate_instruction.py: num_prompt_instructions=3, "List of 20 tasks", temperature 1.0, top_p 1.0, max_tokens 3072, stop ["\n20", "20."]. */
export const ALPACA_REFERENCE = { examples: 3, tasksPerRequest: 20, temperature: 1, topP: 1, maxTokens: 3072, stop: ["\n20", "20."] } as const;

/**
 * data/1.5M/generate_instruction.py: 3 examples, a prompt asking for 10 tasks, temperature 1.0,
 * top_p 1.0, max_tokens 1024. Its stop sequences (copied from Alpaca: "\n20", "20.") never meet
 * a list of 10, so the whole list comes back: we stop after the list, at "\n11" / "11.".
 */
export const BELLE_REFERENCE = { examples: 3, tasksPerRequest: 10, temperature: 1, topP: 1, maxTokens: 1024 } as const;

/**
 * The number at which a reply's list is stopped: Alpaca stops at the list's last number (a list
 * of 20 keeps items up to 19); BELLE's stop never fires, so its list ends at its last item.
 */
export function listStop(lang: Language, tasksPerRequest: number): string[] {
  const stopAt = lang === "zh" ? tasksPerRequest + 1 : tasksPerRequest;
  return [`\n${stopAt}`, `${stopAt}.`];
}

/**
 * bootstrap_instructions.py's blacklist: Alpaca's without video, audio, music, flowchart and
 * diagram (Alpaca added those five).
 */
export const SELF_INSTRUCT_BLACKLIST: readonly string[] = ["image", "images", "graph", "graphs", "picture", "pictures", "file", "files", "map", "maps", "draw", "plot", "go to"];

/** yizhongw/self-instruct, self_instruct/*.py and scripts/*.sh. */
export const SELF_INSTRUCT_REFERENCE = {
  /** bootstrap_instructions.py: 8 prompt instructions, 2 of them machine-generated (fewer early on: seeds fill in), shuffled. */
  promptInstructions: 8,
  machineInstructions: 2,
  /** bootstrap_instructions.py: max_tokens 1024, temperature 0.7, top_p 0.5, stop ["\n\n", "\n16", "16.", "16 ."]. */
  instructions: { temperature: 0.7, topP: 0.5, maxTokens: 1024, stop: ["\n\n", "\n16", "16.", "16 ."] },
  /** identify_clf_or_not.py: max_tokens 3, temperature 0, top_p 0, stop ["\n", "Task"]; "Yes"/"yes"/"YES" means classification. */
  classify: { temperature: 0, maxTokens: 3, stop: ["\n", "Task"] },
  /**
   * generate_instances.py: max_tokens 300 (a batch with a classification task) or 350, temperature
   * 0, top_p 0, stop ["Example 6", "Task:"]; scripts/generate_instances.sh: 5 instances at most.
   */
  instances: { temperature: 0, maxTokens: { classification: 300, other: 350 }, maxInstances: 5 },
} as const;

/** The Self-Instruct recipe's prompts (our wording), one file each under prompts/. */
export function defaultInstructionPromptPath(): string {
  return promptPath("self_instruct_instructions.en.txt");
}

export const SELF_INSTRUCT_PROMPTS = {
  classify: "self_instruct_classify.en.txt",
  outputFirst: "self_instruct_instances_output_first.en.txt",
  inputFirst: "self_instruct_instances_input_first.en.txt",
} as const;

/** The instruction list stops at its last number, as bootstrap_instructions.py does (without its "\n\n": chat models put a blank line after an intro). */
export function instructionListStop(tasksPerRequest: number): string[] {
  return [`\n${tasksPerRequest}`, `${tasksPerRequest}.`, `${tasksPerRequest} .`];
}

/** generate_instances.py stops at the example after the last one wanted, or at the next task. */
export function instanceStop(maxInstances: number): string[] {
  return [`Example ${maxInstances + 1}`, "Task:"];
}
