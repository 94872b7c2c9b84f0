/**
 * The generation prompt: a template file with `{num_tasks}`, `{examples}` and `{next_number}`,
 * filled with numbered example tasks in the layout the parser reads back.
 */
import { join } from "node:path";
import { inputError } from "../../errors.js";
import { readUtf8Text } from "../../io/records.js";
import { promptsDir } from "../../paths.js";
import type { Language } from "../../schemas.js";
import type { TaskText } from "./rules.js";

export interface PromptTemplate {
  path: string;
  text: string;
  lang: Language;
}

const PLACEHOLDER = /\{(num_tasks|examples|next_number)\}/g;

export function defaultPromptPath(lang: Language): string {
  return join(promptsDir, `self_instruct.${lang}.txt`);
}

export async function loadPromptTemplate(path: string, lang: Language): Promise<PromptTemplate> {
  const text = await readUtf8Text(path);
  if (!text.includes("{examples}")) {
    throw inputError(path, undefined, "the prompt template has no {examples} placeholder; add it where the example tasks go");
  }
  return { path, text, lang };
}

const LABELS = {
  en: { instruction: "Instruction: ", input: "Input:", output: "Output:", noInput: "<noinput>" },
  zh: { instruction: "指令：", input: "输入：", output: "输出：", noInput: "<无输入>" },
} as const;

/** Examples as `###` / `N. Instruction: …` / `N. Input:` + text / `N. Output:` + text blocks. */
export function formatExamples(examples: readonly TaskText[], lang: Language): string {
  const labels = LABELS[lang];
  return examples
    .map((task, index) => {
      const n = index + 1;
      const input = task.input.trim() === "" ? labels.noInput : task.input;
      return `###\n${n}. ${labels.instruction}${task.instruction}\n${n}. ${labels.input}\n${input}\n${n}. ${labels.output}\n${task.output}`;
    })
    .join("\n");
}

/** Fill the template in one pass, so text inside the examples is never taken for a placeholder. */
export function renderPrompt(template: PromptTemplate, examples: readonly TaskText[], tasksPerRequest: number): string {
  const values: Record<string, string> = {
    num_tasks: String(tasksPerRequest),
    examples: formatExamples(examples, template.lang),
    next_number: String(examples.length + 1),
  };
  return template.text.replace(PLACEHOLDER, (_match, name: string) => values[name]!).trimEnd();
}
