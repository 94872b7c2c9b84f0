/**
 * The simulator's (TEST DOUBLE's) answer to the filter's quality-judge prompts, one record per
 * request (`{"score": …}`) or numbered examples (`{"ratings": [...]}`): a JSON rating per
 * example, computed from simple properties of the example so tests can predict it
 * (`simulatedQualityScore`): empty → 0, refusal → 1, very short → 2, otherwise 3.5, 4, 4.5 or 5
 * by a hash of the response. Knob `judge.invalidJsonRate` (0–1): that share of replies is broken,
 * half as text that is not JSON, half with a score out of range. Knob `judge.plainTextRate` (0–1,
 * one-record prompts): that share is plain text in the AlpaGasus layout, as from a server that
 * ignores `response_format`.
 */
import { hashString } from "../rng.js";
import type { Rng, SimHandler, SimKnobs, SimRequest } from "../types.js";

interface JudgedExample {
  id: number;
  instruction: string;
  input: string;
  response: string;
}

const EXAMPLE_HEADER = /^### Example (\d+)\n/gm;
const REFUSAL = /^(?:i'?m sorry|i am sorry|sorry|as an ai|i cannot|i can't|抱歉|对不起|作为(?:一个)?(?:ai|人工智能))/i;

export function simulatedQualityScore(response: string): number {
  const text = response.trim();
  if (text === "") return 0;
  if (REFUSAL.test(text)) return 1;
  if (text.length < 4) return 2;
  return 3.5 + 0.5 * (hashString(text) % 4);
}

/** The examples of a judge prompt, read back from the layout of `renderExample`. */
export function parseJudgedExamples(prompt: string): JudgedExample[] {
  const headers = [...prompt.matchAll(EXAMPLE_HEADER)];
  return headers.map((header, i) => {
    const bodyEnd = headers[i + 1]?.index ?? prompt.lastIndexOf("\n\nRate all ");
    const body = prompt.slice(header.index + header[0].length, bodyEnd > header.index ? bodyEnd : undefined);
    const section = (name: string, next: string[]): string => {
      const start = body.indexOf(`[${name}]\n`);
      if (start < 0) return "";
      const from = start + name.length + 3;
      const ends = next.map((n) => body.indexOf(`\n[${n}]\n`, from)).filter((at) => at >= 0);
      return body.slice(from, ends.length > 0 ? Math.min(...ends) : undefined).replace(/\n+$/, "");
    };
    return { id: Number(header[1]), instruction: section("Instruction", ["Input", "Response"]), input: section("Input", ["Response"]), response: section("Response", []) };
  });
}

function isBatchJudgePrompt(request: SimRequest): boolean {
  return request.prompt.includes('{"ratings":') && /^### Example 1\n\[Instruction\]/m.test(request.prompt);
}

const SINGLE_SECTIONS = ["[Instruction]\n", "\n[Input]\n", "\n[Response]\n", "\n[End of response]"];

/** The sections of prompts/judge_quality.txt in order (found by indexOf: linear in the prompt). */
function isSingleJudgePrompt(request: SimRequest): boolean {
  if (!request.prompt.includes('{"score":')) return false;
  let at = 0;
  for (const section of SINGLE_SECTIONS) {
    at = request.prompt.indexOf(section, at);
    if (at < 0) return false;
  }
  return true;
}

/** The one example of a single-record judge prompt (the layout of prompts/judge_quality.txt). */
export function parseSingleJudgedExample(prompt: string): JudgedExample {
  const at = (label: string) => prompt.indexOf(`[${label}]\n`);
  const between = (label: string, end: number) => prompt.slice(at(label) + label.length + 3, end).replace(/\n$/, "");
  return {
    id: 1,
    instruction: between("Instruction", at("Input")),
    input: between("Input", at("Response")),
    response: between("Response", prompt.indexOf("\n[End of response]", at("Response"))),
  };
}

function rationaleFor(example: JudgedExample, score: number): string {
  if (score === 0) return "The response is empty.";
  if (score === 1) return "The response refuses the task instead of doing it.";
  if (score === 2) return "The response is too short to be helpful.";
  return score >= 4.5 ? "Accurate and helpful answer to the instruction." : "Mostly correct but could be more complete.";
}

function brokenReply(rng: Rng, examples: readonly JudgedExample[]): string {
  if (rng.chance(0.5)) return `Here are my ratings: example ${examples[0]?.id ?? 1} looks good`;
  return JSON.stringify({ ratings: examples.map((e) => ({ id: e.id, score: 7, rationale: "out of range" })) });
}

export const qualityJudgeHandler: SimHandler = {
  kind: "qualityJudge",
  matches: (request) => isBatchJudgePrompt(request) || isSingleJudgePrompt(request),
  respond(request: SimRequest, rng: Rng, knobs: SimKnobs) {
    const single = !isBatchJudgePrompt(request);
    const examples = single ? [parseSingleJudgedExample(request.prompt)] : parseJudgedExamples(request.prompt);
    if (rng.chance(knobs["judge.invalidJsonRate"] ?? 0)) return { text: brokenReply(rng, examples) };
    const ratings = examples.map((example) => {
      const score = simulatedQualityScore(example.response);
      return { id: example.id, score, rationale: rationaleFor(example, score) };
    });
    if (!single) return { text: JSON.stringify({ ratings }) };
    const { score, rationale } = ratings[0]!;
    // Knob judge.plainTextRate: answer as a server that ignores response_format does, in the
    // paper's reply format (the score alone on the first line, then the explanation).
    if (rng.chance(knobs["judge.plainTextRate"] ?? 0)) return { text: `${score}\n${rationale}` };
    return { text: JSON.stringify({ score, rationale }) };
  },
};
