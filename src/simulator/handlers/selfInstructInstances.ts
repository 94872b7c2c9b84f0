/**
 * The simulator's answer to the Self-Instruct instance prompts (a TEST DOUBLE, not a model):
 * `prompts/self_instruct_instances_output_first.en.txt` gets "Class label: X" then an input for
 * each label the instruction names; `..._input_first.en.txt` gets "Example N" blocks, input then
 * output. It sometimes opens with a remark, as chat models do, and sometimes writes a duplicate
 * example, which the stage's instance filters remove.
 */
import type { Rng, SimHandler, SimRequest } from "../types.js";

const OUTPUT_FIRST = "First name each possible class label";
const INPUT_FIRST = "Write examples for each task below";
const LAST_TASK = /Task:\s*([^\n]+)\s*$/;

/** "… is spam or not spam." → ["spam", "not spam"]; "… is A, B or C." → ["A", "B", "C"]. */
export function labelsOf(instruction: string): string[] {
  const choice = /\bis\s+(.+?)\.?$/i.exec(instruction)?.[1] ?? "yes or no";
  return choice.split(/,\s*|\s+or\s+/).map((label) => label.trim()).filter(Boolean);
}

function outputFirst(instruction: string, rng: Rng): string {
  const object = /the given ([a-z -]+?) is\b/i.exec(instruction)?.[1] ?? "text";
  return labelsOf(instruction)
    .map((label, i) => `Class label: ${label}\nInput: A ${object} written to be clearly ${label} (sample ${i + 1}, variant ${rng.int(1000)}).`)
    .join("\n");
}

function inputFirst(instruction: string, rng: Rng): string {
  const count = 1 + rng.int(3);
  const topic = instruction.replace(/\.$/, "").toLowerCase();
  const blocks = Array.from({ length: count }, (_, i) =>
    rng.chance(0.5)
      ? `Example ${i + 1}\nInput: Notes for case ${i + 1}: ${rng.int(90) + 10} people, a budget of ${rng.int(900) + 100} euros.\nOutput: Here is my answer to "${topic}" for case ${i + 1}, fitted to the notes given.`
      : `Example ${i + 1}\nOutput: A complete answer to "${topic}", version ${i + 1}.`,
  );
  if (count > 1 && rng.chance(0.2)) blocks.push(blocks[0]!.replace(/^Example 1/, `Example ${count + 1}`));
  return blocks.join("\n");
}

export const selfInstructInstancesHandler: SimHandler = {
  kind: "selfInstructInstances",
  matches: (request: SimRequest) => (request.prompt.includes(OUTPUT_FIRST) || request.prompt.includes(INPUT_FIRST)) && LAST_TASK.test(request.prompt),
  respond(request, rng) {
    const instruction = LAST_TASK.exec(request.prompt)![1]!.trim();
    const body = request.prompt.includes(OUTPUT_FIRST) ? outputFirst(instruction, rng) : inputFirst(instruction, rng);
    return { text: `${rng.chance(0.2) ? "Here are some examples:\n\n" : ""}${body}` };
  },
};
