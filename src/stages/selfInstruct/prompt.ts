/**
 * The generation prompt: a template file with `{num_tasks}`, `{examples}` and `{next_number}`,
 * filled with numbered example tasks in the layout the parser reads back.
 */
import { fillTemplate, loadPrompt, promptPath } from "../../prompts.js";
import type { Language } from "../../schemas.js";
import type { TaskText } from "./rules.js";

export interface PromptTemplate {
  path: string;
  text: string;
  lang: Language;
}

export function defaultPromptPath(lang: Language): string {
  return promptPath(`self_instruct.${lang}.txt`);
}

export async function loadPromptTemplate(path: string, lang: Language): Promise<PromptTemplate> {
  return { path, text: await loadPrompt(path, ["examples"]), lang };
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
  return fillTemplate(template.text, values).trimEnd();
}
