/**
 * Simulator (a TEST DOUBLE, not a model) handler for the Evol-Instruct equality judge
 * (`prompts/evol_judge.txt`: `#Instruction A#:` / `#Instruction B#:`, and its re-ask).
 * "Equal" exactly when B adds nothing to A but FILLER words — the mark the evolve handler's
 * no-gain paraphrases carry — otherwise "Not Equal". With knob `judge.unparseableRate` a reply
 * is an unreadable hedge instead; the decision depends on the whole conversation, so the
 * stage's re-ask gets an independent draw.
 */
import { hashString } from "../rng.js";
import type { SimHandler, SimRequest } from "../types.js";
import { addedContent, knobRate } from "./evolve.js";

const FIRST = "#Instruction A#:";
const SECOND = "#Instruction B#:";
const QUESTION = /\n\s*Is Instruction B equal to Instruction A\?/;
const UNPARSEABLE_SALT = 0x5ca1e;
export const JUDGE_UNPARSEABLE_DEFAULT = 0.01;

const EQUAL = ["Equal", "Equal.", "**Equal**"];
const NOT_EQUAL = ["Not Equal", "Not Equal.", "**Not Equal**", "Not equal"];
const UNREADABLE = ["Hmm, hard to say.", "Both instructions have their merits.", "It depends on how you read them."];

function judgePromptOf(request: SimRequest): string | undefined {
  return request.messages.find((m) => m.role === "user" && m.content.includes(FIRST) && m.content.includes(SECOND))?.content;
}

/** Instructions A and B as the stage filled them in; undefined if the template was changed beyond recognition. */
export function judgedPair(prompt: string): { first: string; second: string } | undefined {
  const a = prompt.indexOf(FIRST);
  const b = prompt.indexOf(SECOND, a);
  const question = prompt.slice(b).search(QUESTION);
  if (a < 0 || b < 0) return undefined;
  return {
    first: prompt.slice(a + FIRST.length, b).trim(),
    second: prompt.slice(b + SECOND.length, question < 0 ? undefined : b + question).trim(),
  };
}

export function isUnparseablePlanted(request: SimRequest, rate: number): boolean {
  const conversation = request.messages.map((m) => `${m.role}:${m.content}`).join("\n");
  return hashString(conversation, UNPARSEABLE_SALT) / 2 ** 53 < rate;
}

export const equalJudgeHandler: SimHandler = {
  kind: "equalJudge",
  matches: (request) => judgePromptOf(request) !== undefined,
  respond(request, rng, knobs) {
    if (isUnparseablePlanted(request, knobRate(knobs, "judge.unparseableRate", JUDGE_UNPARSEABLE_DEFAULT))) return { text: rng.pick(UNREADABLE) };
    const pair = judgedPair(judgePromptOf(request)!);
    const equal = pair !== undefined && addedContent(pair.first, pair.second).length === 0;
    return { text: rng.pick(equal ? EQUAL : NOT_EQUAL) };
  },
};
