/**
 * The generation prompt: a template file with `{num_tasks}`, `{examples}` and `{next_number}`,
 * filled with numbered example tasks in the layout the parser reads back.
 *
 * A file without any placeholder — such as a user's own copy of Alpaca's `prompt.txt` or BELLE's
 * `prompt_cn.txt` — is used as the reference scripts use theirs: the file's text, a newline, the
 * examples, and the next item's label, byte for byte in the reference's layout (Alpaca's
 * `N. Instruction: `, BELLE's `N. 指令: ` with ASCII colons).
 */
import { readUtf8Text } from "../../io/records.js";
import { fillTemplate, promptPath, requirePlaceholders } from "../../prompts.js";
import type { Language } from "../../schemas.js";
import type { TaskText } from "./rules.js";

export interface PromptTemplate {
  path: string;
  text: string;
  lang: Language;
  /** `fill`: the file has {examples}; `append`: the examples follow the file's text, as in the reference scripts. */
  mode: "fill" | "append";
}

export function defaultPromptPath(lang: Language): string {
  return promptPath(`self_instruct.${lang}.txt`);
}

const PLACEHOLDERS = ["{num_tasks}", "{examples}", "{next_number}"];

/**
 * A file with none of our placeholders is a reference prompt (examples appended); one that uses
 * some of them but not {examples} is a mistake, reported with the file's name.
 */
export async function loadPromptTemplate(path: string, lang: Language): Promise<PromptTemplate> {
  const text = await readUtf8Text(path);
  if (!PLACEHOLDERS.some((placeholder) => text.includes(placeholder))) return { path, text, lang, mode: "append" };
  requirePlaceholders(path, text, ["examples"]);
  return { path, text, lang, mode: "fill" };
}

/** Our templates' labels, and the reference scripts' own (encode_prompt in each). */
const LABELS = {
  fill: {
    en: { instruction: "Instruction: ", input: "Input:", output: "Output:", noInput: "<noinput>" },
    zh: { instruction: "指令：", input: "输入：", output: "输出：", noInput: "<无输入>" },
  },
  append: {
    en: { instruction: "Instruction: ", input: "Input:", output: "Output:", noInput: "<noinput>" },
    zh: { instruction: "指令: ", input: "输入:", output: "输出:", noInput: "<无输入>" },
  },
} as const;

/**
 * Examples as `###` / `N. Instruction: …` / `N. Input:` + text / `N. Output:` + text blocks. The
 * instruction is normalised as encode_prompt does: whitespace runs → one space, no trailing colon.
 */
export function formatExamples(examples: readonly TaskText[], lang: Language, mode: PromptTemplate["mode"] = "fill"): string {
  const labels = LABELS[mode][lang];
  return examples
    .map((task, index) => {
      const n = index + 1;
      const instruction = task.instruction.replace(/\s+/g, " ").trim().replace(/:+$/, "");
      const input = task.input === "" ? labels.noInput : task.input;
      return `###\n${n}. ${labels.instruction}${instruction}\n${n}. ${labels.input}\n${input}\n${n}. ${labels.output}\n${task.output}`;
    })
    .join("\n");
}

/** Fill the template in one pass, so text inside the examples is never taken for a placeholder. */
export function renderPrompt(template: PromptTemplate, examples: readonly TaskText[], tasksPerRequest: number): string {
  const next = String(examples.length + 1);
  if (template.mode === "append") {
    const label = template.lang === "zh" ? "指令:" : "Instruction:";
    return `${template.text}\n${formatExamples(examples, template.lang, "append")}\n###\n${next}. ${label}`;
  }
  const values: Record<string, string> = {
    num_tasks: String(tasksPerRequest),
    examples: formatExamples(examples, template.lang),
    next_number: next,
  };
  return fillTemplate(template.text, values).trimEnd();
}
