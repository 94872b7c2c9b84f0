/**
 * The simulator's (TEST DOUBLE's) answer to the filter's complexity prompts, one query per request
 * (`{"complexity": …}`) or numbered instructions (`{"scores": [...]}`): a JSON score 1–6 per
 * instruction, predictable by tests (`simulatedComplexity`): 1 for instructions of up to 4 words,
 * else 2–6 by a hash of the instruction (of the whole query in the one-per-request layout).
 * Knob `complexity.invalidJsonRate` (0–1) breaks that share of replies (text that is not JSON).
 */
import { hashString } from "../rng.js";
import type { Rng, SimHandler, SimKnobs, SimRequest } from "../types.js";

const INSTRUCTION_HEADER = /^### Instruction (\d+)\n/gm;

export function simulatedComplexity(instruction: string): number {
  const text = instruction.trim();
  if (text.split(/\s+/).length <= 4 && text.length <= 12) return 1;
  return 2 + (hashString(text) % 5);
}

/** The instructions of a complexity prompt, read back from the layout of `renderInstruction`. */
export function parseScoredInstructions(prompt: string): Array<{ id: number; instruction: string }> {
  const headers = [...prompt.matchAll(INSTRUCTION_HEADER)];
  return headers.map((header, i) => {
    const end = headers[i + 1]?.index ?? prompt.lastIndexOf("\n\nScore all ");
    const body = prompt.slice(header.index + header[0].length, end > header.index ? end : undefined);
    const inputAt = body.indexOf("\n[Input]\n");
    return { id: Number(header[1]), instruction: (inputAt >= 0 ? body.slice(0, inputAt) : body).replace(/\n+$/, "") };
  });
}

function isBatchComplexityPrompt(request: SimRequest): boolean {
  return request.prompt.includes('{"scores":') && /^### Instruction 1\n/m.test(request.prompt);
}

const SINGLE_QUERY = /^\[Query\]\n([\s\S]*?)\n\[End of query\]$/m;

function isSingleComplexityPrompt(request: SimRequest): boolean {
  return request.prompt.includes('{"complexity":') && SINGLE_QUERY.test(request.prompt);
}

export const complexityHandler: SimHandler = {
  kind: "complexity",
  matches: (request) => isBatchComplexityPrompt(request) || isSingleComplexityPrompt(request),
  respond(request: SimRequest, rng: Rng, knobs: SimKnobs) {
    if (rng.chance(knobs["complexity.invalidJsonRate"] ?? 0)) return { text: "The first instruction is moderately complex." };
    const query = isBatchComplexityPrompt(request) ? undefined : SINGLE_QUERY.exec(request.prompt)?.[1];
    if (query !== undefined) return { text: JSON.stringify({ complexity: simulatedComplexity(query) }) };
    const instructions = parseScoredInstructions(request.prompt);
    const scores = instructions.map(({ id, instruction }) => ({ id, complexity: simulatedComplexity(instruction) }));
    return { text: JSON.stringify({ scores }) };
  },
};
