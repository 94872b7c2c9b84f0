/**
 * The simulator's answer to the Self-Instruct instruction prompt (a TEST DOUBLE, not a model):
 * a prompt listing numbered instructions and ending with the bare next number ("9."), as
 * `prompts/self_instruct_instructions.en.txt` renders it. It continues the list past the stop
 * number (the stage's stop sequence cuts it, as a real server would), composing classification
 * and open-ended instructions from small banks, and plants what chat models do: an intro line,
 * the first item written straight after the prompt's "9.", a sign-off, and copies of examples.
 */
import type { Rng, SimHandler, SimRequest } from "../types.js";

const MARKER = "Continue the numbered list of tasks";
const NEXT_NUMBER = /\n(\d{1,3})\.\s*$/;
const EXAMPLE_LINE = /^\d{1,3}\.\s+(.+)$/gm;

/** [object, labels]: "Decide whether the given {object} is {labels}." */
const CLASSIFICATION: ReadonlyArray<readonly [string, readonly string[]]> = [
  ["email", ["spam", "not spam"]],
  ["tweet", ["sarcastic", "sincere"]],
  ["headline", ["clickbait", "informative"]],
  ["movie review", ["positive", "negative", "mixed"]],
  ["sentence", ["grammatical", "ungrammatical"]],
  ["news paragraph", ["politics", "sports", "science"]],
  ["customer message", ["complaint", "question", "praise"]],
  ["argument", ["valid", "invalid"]],
  ["number", ["prime", "composite"]],
  ["word pair", ["synonyms", "antonyms", "unrelated"]],
  ["recipe", ["vegetarian", "non-vegetarian"]],
  ["job posting", ["remote", "on-site", "hybrid"]],
];
const CLASSIFY_VERBS = ["Decide whether", "Determine whether", "Tell me whether", "Judge whether", "Label whether", "Classify whether"];

const ACTIONS = ["Write", "Draft", "Suggest", "Explain", "Describe", "Outline", "Compose", "Plan", "List", "Summarize"];
const THINGS = [
  "a short poem", "three practical tips", "a polite reply", "a step-by-step plan", "a product slogan", "two interview questions",
  "a packing list", "a friendly reminder", "a bedtime story", "a workout routine", "a budget", "a toast", "a riddle", "a lesson plan",
];
/** Topics are composed (quality × subject): hundreds of them, so long runs do not run dry. */
const QUALITIES = ["noisy", "forgotten", "seasonal", "tiny", "overdue", "solar", "coastal", "vintage", "shared", "midnight", "rural", "floating", "borrowed", "festive", "haunted"];
const SUBJECTS = [
  "gardens", "bicycles", "libraries", "ferries", "bakeries", "violins", "markets", "lighthouses", "scooters", "orchards", "museums",
  "kitchens", "glaciers", "bridges", "theatres", "beehives", "campsites", "trains", "newsletters", "vineyards", "workshops", "islands",
];
const AUDIENCES = ["a retired teacher", "busy parents", "first-year students", "a nervous beginner", "shop owners", "teenagers", "hospital volunteers"];

function classificationInstruction(rng: Rng): string {
  const [object, labels] = rng.pick(CLASSIFICATION);
  const options = labels.length === 2 ? `${labels[0]} or ${labels[1]}` : `${labels.slice(0, -1).join(", ")} or ${labels[labels.length - 1]}`;
  return `${rng.pick(CLASSIFY_VERBS)} the given ${object} about ${rng.pick(QUALITIES)} ${rng.pick(SUBJECTS)} is ${options}.`;
}

function openInstruction(rng: Rng): string {
  return `${rng.pick(ACTIONS)} ${rng.pick(THINGS)} about ${rng.pick(QUALITIES)} ${rng.pick(SUBJECTS)} for ${rng.pick(AUDIENCES)}.`;
}

export const selfInstructInstructionsHandler: SimHandler = {
  kind: "selfInstructInstructions",
  matches: (request: SimRequest) => request.prompt.includes(MARKER) && NEXT_NUMBER.test(request.prompt),
  respond(request, rng) {
    const first = Number(NEXT_NUMBER.exec(request.prompt)![1]);
    const examples = [...request.prompt.matchAll(EXAMPLE_LINE)].map((m) => m[1]!.trim());
    const items: string[] = [];
    // A little past 16: the stage's stop sequence ends the list where the reference does.
    for (let n = first; n <= 17; n++) {
      const copy = examples.length > 0 && rng.chance(0.1);
      items.push(copy ? rng.pick(examples) : rng.chance(0.35) ? classificationInstruction(rng) : openInstruction(rng));
    }
    const continued = rng.chance(0.5);
    const body = items.map((text, i) => (continued && i === 0 ? ` ${text}` : `${first + i}. ${text}`)).join("\n");
    const intro = !continued && rng.chance(0.3) ? "Sure! Here are some more tasks:\n\n" : "";
    const signOff = rng.chance(0.3) ? "\n\nI hope these tasks are helpful!" : "";
    return { text: `${intro}${body}${signOff}` };
  },
};
