/**
 * Instructions and outputs outside their length bounds: words for English, characters for
 * Chinese (each text measured in its own language unless --lang forces one). Separate bounds
 * for instruction and output. The instruction's minimum applies to the whole task (instruction
 * and input): "Translate." or "填空" with an input is a complete task. An empty output is
 * `empty_output`'s business, not this rule's.
 */
import { lengthOf } from "../textShape.js";
import { fail, PASS, type Rule } from "./types.js";

export const lengthBounds: Rule = (record, { thresholds, lang }) => {
  const instruction = lengthOf(record.instruction, lang);
  const bounds = thresholds.lengthBounds[instruction.lang].instruction;
  const task = record.input.trim() === "" ? instruction.length : instruction.length + lengthOf(record.input, instruction.lang).length;
  if (task < bounds.min || instruction.length > bounds.max) return fail({ field: "instruction", length: instruction.length, unit: instruction.unit, ...bounds });
  if (record.output.trim() === "") return PASS;
  const output = lengthOf(record.output, lang);
  const outputBounds = thresholds.lengthBounds[output.lang].output;
  if (output.length < outputBounds.min || output.length > outputBounds.max) return fail({ field: "output", length: output.length, unit: output.unit, ...outputBounds });
  return PASS;
};
