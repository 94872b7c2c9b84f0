/**
 * Self-Instruct's last two steps on one instruction, as pure functions: reading the "is it
 * classification?" verdict, reading the instances the model wrote (output-first "Class label:"
 * blocks, or input-first "Example N" blocks), and the reference's instance filters
 * (yizhongw/self-instruct, self_instruct/prepare_for_finetuning.py).
 */
import type { FinishReason } from "../../llm/types.js";
import type { Rejection, TaskText } from "./rules.js";
import { isClosingChatter } from "./chatter.js";

export type InstanceOrder = "output-first" | "input-first";

/**
 * The reference counts only "Yes" / "yes" / "YES" (identify_clf_or_not.py reads 3 tokens). A
 * chat model writes "Yes.", "**Yes**" or "Yes, it is": the first word decides.
 */
export function isClassificationVerdict(reply: string): boolean {
  return /^[\s*_"'`“]*yes\b/i.test(reply);
}

export interface Instance {
  input: string;
  output: string;
}

const CLASS_LABEL = /^\s*(?:[*_]{1,3})?\s*class\s+label\s*(?:[*_]{1,3})?\s*[:：]\s*(?:[*_]{1,3})?\s*/im;
const EXAMPLE = /^\s*(?:#{1,6}\s*)?(?:[*_]{1,3})?\s*example\s*\d*\s*[.:)]?\s*(?:[*_]{1,3})?\s*$/im;
const OUTPUT_LABEL = /^\s*(?:[*_]{1,3})?\s*output\s*\d*\s*(?:[*_]{1,3})?\s*[:：]\s*(?:[*_]{1,3})?/im;
const INPUT_LABEL = /^\s*(?:[*_]{1,3})?\s*input\s*\d*\s*(?:[*_]{1,3})?\s*[:：]\s*(?:[*_]{1,3})?/im;

/** Output-first: each `Class label: X` line, then the input written for that label. */
export function parseOutputFirst(reply: string, finishReason: FinishReason): Instance[] {
  const blocks = splitOn(reply, CLASS_LABEL).slice(1);
  const instances = blocks.map((block) => {
    const lines = withoutChatter(block);
    const [label = "", ...rest] = lines;
    return { output: label.replace(/[*_]+$/, "").trim(), input: rest.join("\n").replace(INPUT_LABEL, "").trim() };
  });
  return finishReason === "length" ? instances.slice(0, -1) : instances;
}

/** Input-first: `Example N` blocks of `Input: …` then `Output: …`; a task with no input has only the output. */
export function parseInputFirst(reply: string, finishReason: FinishReason): Instance[] {
  const blocks = EXAMPLE.test(reply) ? splitOn(reply, EXAMPLE).slice(1) : OUTPUT_LABEL.test(reply) ? [reply] : [];
  const instances = blocks.flatMap((block) => {
    const text = withoutChatter(block).join("\n");
    const split = splitAtFirst(text, OUTPUT_LABEL);
    if (split === undefined) return text.trim() === "" ? [] : [{ input: "", output: text.trim() }];
    // A second Input: inside the output starts a pair the reference drops too.
    const output = (splitAtFirst(split.after, INPUT_LABEL)?.before ?? split.after).trim();
    return [{ input: split.before.replace(INPUT_LABEL, "").trim(), output }];
  });
  return finishReason === "length" ? instances.slice(0, -1) : instances;
}

export interface FilteredInstances {
  kept: Instance[];
  dropped: Array<{ instance: Instance; rejection: Rejection }>;
}

/**
 * prepare_for_finetuning.py: drop an instance whose input equals its output, whose output is
 * empty, or whose input or output ends with a colon (an unfinished generation); drop every
 * instance of a task that gives two different outputs for the same input; drop exact
 * duplicates; keep at most `max` (the reference samples 5 at random; we keep the first 5).
 */
export function filterInstances(instances: readonly Instance[], max: number): FilteredInstances {
  const dropped: FilteredInstances["dropped"] = [];
  const drop = (instance: Instance, reason: string, detail: Record<string, unknown> = {}): void => {
    dropped.push({ instance, rejection: { reason, detail } });
  };
  const valid: Instance[] = [];
  for (const instance of instances) {
    if (instance.input === instance.output) drop(instance, "instance_input_equals_output");
    else if (instance.output === "") drop(instance, "instance_empty_output");
    else if (instance.input.endsWith(":") || instance.output.endsWith(":")) drop(instance, "instance_ends_with_colon");
    else valid.push(instance);
  }
  const outputByInput = new Map<string, string>();
  for (const instance of valid) {
    if (instance.input === "") continue;
    const earlier = outputByInput.get(instance.input);
    if (earlier !== undefined && earlier !== instance.output) {
      for (const conflicting of valid) drop(conflicting, "instance_conflicting_outputs", { input: instance.input });
      return { kept: [], dropped };
    }
    outputByInput.set(instance.input, instance.output);
  }
  const seen = new Set<string>();
  const kept: Instance[] = [];
  for (const instance of valid) {
    const key = JSON.stringify([instance.input, instance.output]);
    if (seen.has(key)) drop(instance, "instance_duplicate");
    else if (kept.length >= max) drop(instance, "instance_over_limit", { max });
    else {
      seen.add(key);
      kept.push(instance);
    }
  }
  return { kept, dropped };
}

/** Records of one instruction: its instances as Alpaca records. */
export function instanceRecords(instruction: string, instances: readonly Instance[]): TaskText[] {
  return instances.map((instance) => ({ instruction, input: instance.input, output: instance.output }));
}

function splitOn(text: string, marker: RegExp): string[] {
  const global = new RegExp(marker.source, `${marker.flags.replace("g", "")}g`);
  const parts: string[] = [];
  let last = 0;
  for (const match of text.matchAll(global)) {
    parts.push(text.slice(last, match.index));
    last = match.index + match[0].length;
  }
  parts.push(text.slice(last));
  return parts;
}

function splitAtFirst(text: string, marker: RegExp): { before: string; after: string } | undefined {
  const match = marker.exec(text);
  return match ? { before: text.slice(0, match.index), after: text.slice(match.index + match[0].length) } : undefined;
}

/** The block's lines without blank edges and without a closing remark ("Let me know if you need more examples."). */
function withoutChatter(block: string): string[] {
  const lines = block.split("\n");
  const remark = lines.findIndex((line, index) => index > 0 && lines[index - 1]!.trim() === "" && isClosingChatter(line));
  const own = remark === -1 ? lines : lines.slice(0, remark);
  while (own.length > 0 && own[own.length - 1]!.trim() === "") own.pop();
  while (own.length > 0 && own[0]!.trim() === "") own.shift();
  return own;
}
