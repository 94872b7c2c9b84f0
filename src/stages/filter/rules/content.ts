/** Outputs that hold no answer at all: nothing, or a stand-in such as "N/A" or "<nooutput>". */
import { fail, PASS, type Rule } from "./types.js";
import { escapeRegExp } from "../../../text/regex.js";

export const emptyOutput: Rule = (record) => (record.output.trim() === "" ? fail({ output: record.output }) : PASS);

/** Surrounding quotes, brackets and full stops are not part of the placeholder ("N/A." is "N/A"). */
const WRAPPING = /^[\s"'“”‘’「」『』()（）[\]【】.。!！]+|[\s"'“”‘’「」『』()（）[\]【】.。!！]+$/g;

function normalisePlaceholder(text: string): string {
  const lowered = text.trim().toLowerCase();
  const unwrapped = lowered.replace(WRAPPING, "");
  // "..." and "。。。" are placeholders made only of what WRAPPING strips; keep them whole.
  return unwrapped === "" ? lowered.replace(/\s+/g, "") : unwrapped;
}

/**
 * "None", "undefined", "null" are real answers when the task asks about them ("Which of these is
 * not a JSON type: 'undefined'?"), so a Latin-letter placeholder named in the instruction or in
 * an input that is not itself a placeholder passes. Han placeholders (无, 不适用) are single
 * characters found in countless words, so they are not looked up that way.
 */
function namedByTask(placeholder: string, record: { instruction: string; input: string }, isPlaceholder: (text: string) => boolean): boolean {
  if (!/^[a-z]/.test(placeholder)) return false;
  const word = new RegExp(`(?<![a-z0-9])${escapeRegExp(placeholder)}(?![a-z0-9])`, "i");
  return word.test(record.instruction) || (!isPlaceholder(record.input) && word.test(record.input));
}

const normalisedLists = new WeakMap<readonly string[], Set<string>>();

function placeholderSet(list: readonly string[]): Set<string> {
  let set = normalisedLists.get(list);
  if (!set) normalisedLists.set(list, (set = new Set(list.map(normalisePlaceholder))));
  return set;
}

export const placeholderOutput: Rule = (record, { thresholds }) => {
  if (record.output.trim() === "" || record.output.length > 40) return PASS;
  const placeholders = placeholderSet(thresholds.placeholders);
  const isPlaceholder = (text: string): boolean => placeholders.has(normalisePlaceholder(text));
  const normalised = normalisePlaceholder(record.output);
  if (!placeholders.has(normalised) || namedByTask(normalised, record, isPlaceholder)) return PASS;
  return fail({ output: record.output.trim(), matched: normalised });
};

