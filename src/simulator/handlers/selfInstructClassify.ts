/**
 * The simulator's answer to the Self-Instruct "is it classification?" prompt (a TEST DOUBLE, not
 * a model; `prompts/self_instruct_classify.en.txt`): Yes for an instruction that asks to choose
 * between named labels ("whether … is A or B"), No otherwise, in the variants chat models write.
 */
import type { SimHandler, SimRequest } from "../types.js";

const QUESTION = /Task:\s*([^\n]+)\n\s*Is it classification\?\s*$/;

/** The simulator's own notion of a classification task: a choice between labels it names. */
export function looksLikeClassification(instruction: string): boolean {
  return /\b(?:whether|classify|label|categor)/i.test(instruction) && /\bor\b/i.test(instruction);
}

export const selfInstructClassifyHandler: SimHandler = {
  kind: "selfInstructClassify",
  matches: (request: SimRequest) => QUESTION.test(request.prompt),
  respond(request, rng) {
    const instruction = QUESTION.exec(request.prompt)![1]!;
    const yes = looksLikeClassification(instruction);
    return { text: rng.pick(yes ? ["Yes", "Yes.", "**Yes**", "yes"] : ["No", "No.", "**No**", "no"]) };
  },
};
