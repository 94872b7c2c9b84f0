/**
 * The evolve stage's defaults, pinned to the reference (nlpxucan/WizardLM, Evol_Instruct/). The
 * requests are read as they went over HTTP (a recording proxy in front of the simulator), with
 * nothing set but the number of rounds, through the path `run --config` takes.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callStage } from "../../src/pipeline/stageCalls.js";
import { isEvolvePrompt } from "../../src/simulator/handlers/evolve.js";
import type { RunningSimulator } from "../../src/simulator/server.js";
import { REFERENCE_GENERAL_OPERATIONS } from "../../src/stages/evolve/defaults.js";
import { startRecordingProxy, type RecordingProxy, type SentBody } from "../selfInstruct/recordingProxy.js";
import { alpacaRecords, knobs, readJsonl, startSim, tempDir, writeJsonl } from "./helpers.js";

let sim: RunningSimulator;
let proxy: RecordingProxy;
const dir = tempDir("if-evolve-defaults-");
const out = join(dir, "out");
const records = alpacaRecords(30).filter((r) => !/python|javascript|linked list/i.test(r.instruction));

beforeAll(async () => {
  // Copies of the parent, planted: without a parent-similarity rule the judge must catch them.
  sim = await startSim({ knobs: knobs({ "evolve.copyRate": 0.3 }) });
  proxy = await startRecordingProxy(sim.url);
  await callStage({
    stage: { name: "evolve", options: { rounds: 2 } },
    inputPath: writeJsonl(dir, "in.jsonl", records),
    outDir: out,
    lang: "en",
    seed: 3,
    llm: { baseUrl: proxy.url, apiKey: "sk-test", model: "sim", concurrency: 4, timeoutMs: 10_000, maxRetries: 1 },
  });
});
afterAll(async () => {
  await proxy.close();
  await sim.close();
});

const isJudge = (body: SentBody) => body.messages.some((m) => m.content.includes("#Instruction A#:"));
const isEvolve = (body: SentBody) => isEvolvePrompt(body.messages[0]!.content);

describe("evolve defaults = WizardLM's", () => {
  it("rewrites and answers at temperature 1, top_p 0.95, max_tokens 2048", () => {
    // Evol_Instruct/openai_access.py: temperature=1, max_tokens=2048, top_p=0.95 for every call.
    const evolve = proxy.bodies.filter(isEvolve);
    const answers = proxy.bodies.filter((b) => !isEvolve(b) && !isJudge(b));
    expect(evolve.length).toBeGreaterThan(20);
    expect(answers.length).toBeGreaterThan(10);
    for (const body of evolve) expect(body).toMatchObject({ temperature: 1, top_p: 0.95, max_tokens: 2048 });
    for (const body of answers) expect(body).toMatchObject({ temperature: 1, top_p: 0.95 });
  });

  it("sends the instruction plainly: no system message, no 'be concise' prompt", () => {
    // Evol_Instruct/main.py: answer = call_chatgpt(evol_instruction), the bare instruction as the user message.
    const answers = proxy.bodies.filter((b) => !isEvolve(b) && !isJudge(b));
    for (const body of answers) {
      expect(body.messages.map((m) => m.role)).toEqual(["user"]);
    }
  });

  it("has no parent-similarity elimination: planted copies go to the Equal judge instead", () => {
    // The paper's four elimination rules have no ROUGE-L-to-parent rule; the reference code has none at all.
    const reasons = new Set(readJsonl<{ reason: string }>(join(out, "rejected.jsonl")).map((r) => r.reason));
    expect(reasons.has("too_similar_to_parent")).toBe(false);
    expect(reasons.has("no_information_gain")).toBe(true);
  });

  it("keeps the originals, as WizardLM's data mixes them with the evolved rounds", () => {
    // The WizardLM paper: the evolved rounds are merged with the initial (Alpaca) data before sampling 70K.
    const meta = readJsonl<{ kind: string }>(join(out, "meta.jsonl"));
    expect(meta.filter((m) => m.kind === "original")).toHaveLength(records.length);
    expect(meta.some((m) => m.kind === "evolved")).toBe(true);
  });

  it("draws the reference's five operations uniformly, complicate_input only on request", () => {
    // Evol_Instruct/main.py: random.choice over constraints, deepen, concretizing, reasoning (depth.py) and breadth (breadth.py).
    expect(REFERENCE_GENERAL_OPERATIONS).toEqual(["add_constraints", "deepen", "concretize", "increase_reasoning", "breadth"]);
    const operations = new Set(readJsonl<{ operation: string | null }>(join(out, "meta.jsonl")).map((m) => m.operation).filter((o) => o !== null));
    for (const operation of operations) expect(REFERENCE_GENERAL_OPERATIONS).toContain(operation);
    expect(operations.size).toBeGreaterThanOrEqual(4);
  });
});
