/**
 * The evolve stage end to end against the real simulator (in-process). Which evolutions the
 * simulator planted is recomputed independently from the prompt text (`plantedEvolveFault`), so
 * each rule must eliminate exactly the planted failures and nothing else.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { recordId } from "../../src/schemas.js";
import { EVOLVE_FAULTS, plantedEvolveFault, type EvolveFault } from "../../src/simulator/handlers/evolve.js";
import type { SimKnobs } from "../../src/simulator/types.js";
import { EvolveLineage } from "../../src/stages/evolve/lineage.js";
import { defaultWeights, type Operation } from "../../src/stages/evolve/operations.js";
import { evolveMessages, givenPromptOf, loadEvolveTemplates, type EvolveTemplates } from "../../src/stages/evolve/prompts.js";
import { runEvolve, type EvolveOptions } from "../../src/stages/evolve/stage.js";
import { alpacaRecords, knobs, llmSettings, readJsonl, startSim, tempDir, writeJsonl } from "./helpers.js";

const EXPECTED_REASON: Record<EvolveFault, string | undefined> = {
  leak: "template_leak",
  copy: "too_similar_to_parent",
  noGain: "no_information_gain",
  echoLabels: undefined, // stripped, then a good evolution
  refusalBait: "apology_short_answer",
  stopwordBait: "answer_only_punctuation_stopwords",
};

interface Attempt {
  unit: number;
  round: number;
  poolIndex: number;
  operation: Operation;
  parentId: string;
  instruction: string;
  reason?: string;
  id?: string;
  depth?: number;
  rootId: string;
}

interface RunOutput {
  dir: string;
  attempts: Attempt[];
  /** id → the text the next round evolves (originals and accepted evolutions). */
  givenById: Map<string, string>;
  /** "poolIndex:id" → depth (two pool items may evolve into the same text, hence the same id). */
  depthById: Map<string, number>;
  manifest: Record<string, any>;
}

async function evolveWith(simKnobs: SimKnobs, records: ReturnType<typeof alpacaRecords>, extra: Partial<EvolveOptions> = {}): Promise<RunOutput> {
  const sim = await startSim({ knobs: simKnobs });
  const dir = tempDir();
  try {
    const inPath = writeJsonl(dir, "in.jsonl", records);
    await runEvolve({
      inPath,
      outDir: join(dir, "out"),
      rounds: 2,
      weights: defaultWeights(),
      family: "auto",
      seed: 42,
      keepOriginal: false,
      answer: true,
      maxParentSimilarity: 0.9,
      answerMaxTokens: 1024,
      llm: llmSettings(sim.url),
      ...extra,
    });
  } finally {
    await sim.close();
  }
  return readRun(join(dir, "out"), records);
}

function readRun(out: string, records: ReturnType<typeof alpacaRecords>): RunOutput {
  const data = readJsonl<{ instruction: string; input: string; output: string }>(join(out, "data.jsonl"));
  const meta = readJsonl<Record<string, unknown>>(join(out, "meta.jsonl"));
  const rejected = readJsonl<{ reason: string; unit: number; record: { instruction: string }; detail: Record<string, any> }>(join(out, "rejected.jsonl"));
  const givenById = new Map<string, string>();
  const depthById = new Map<string, number>();
  records.forEach((record, index) => {
    givenById.set(recordId(record), givenPromptOf(record));
    depthById.set(`${index}:${recordId(record)}`, 0);
  });
  const attempts: Attempt[] = [];
  data.forEach((record, i) => {
    const m = meta[i]!;
    expect(m.id).toBe(recordId(record));
    const lineage = EvolveLineage.parse(m);
    givenById.set(m.id as string, givenPromptOf(record));
    depthById.set(`${lineage.poolIndex}:${m.id}`, lineage.depth);
    if (lineage.kind === "original") return;
    attempts.push({
      unit: m.unit as number,
      round: lineage.round,
      poolIndex: lineage.poolIndex,
      operation: lineage.operation!,
      parentId: lineage.parentId!,
      instruction: record.instruction,
      id: m.id as string,
      depth: lineage.depth,
      rootId: lineage.rootId,
    });
  });
  for (const r of rejected) {
    attempts.push({
      unit: r.unit,
      round: r.detail.round,
      poolIndex: r.detail.poolIndex,
      operation: r.detail.operation,
      parentId: r.detail.parentId,
      instruction: r.record.instruction,
      reason: r.reason,
      rootId: r.detail.rootId,
    });
  }
  attempts.sort((a, b) => a.unit - b.unit);
  const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
  return { dir: out, attempts, givenById, depthById, manifest };
}

/** The fault the simulator planted in one attempt, recomputed from the exact prompt the stage sent. */
function plantedIn(attempt: Attempt, run: RunOutput, templates: EvolveTemplates, simKnobs: SimKnobs): EvolveFault | undefined {
  const parentText = run.givenById.get(attempt.parentId);
  expect(parentText, `parent ${attempt.parentId} of unit ${attempt.unit}`).toBeDefined();
  const prompt = evolveMessages(templates, attempt.operation, parentText!)[0]!.content;
  return plantedEvolveFault(prompt, simKnobs);
}

let templates: EvolveTemplates;
beforeAll(async () => {
  templates = await loadEvolveTemplates();
});

describe("evolve stage against the simulator", () => {
  const mixedKnobs = knobs({
    "evolve.leakRate": 0.1,
    "evolve.copyRate": 0.1,
    "evolve.noGainRate": 0.1,
    "evolve.echoLabelsRate": 0.1,
    "evolve.refusalBaitRate": 0.1,
    "evolve.stopwordBaitRate": 0.1,
  });
  const records = alpacaRecords(60);
  let run: RunOutput;
  beforeAll(async () => {
    run = await evolveWith(mixedKnobs, records, { rounds: 4 });
  });

  it("eliminates exactly the planted failures, each under its own rule, and keeps everything else", () => {
    expect(run.attempts).toHaveLength(60 * 4); // one attempt per (round, pool item)
    const planted = new Map<EvolveFault | "none", number>();
    for (const attempt of run.attempts) {
      const fault = plantedIn(attempt, run, templates, mixedKnobs);
      planted.set(fault ?? "none", (planted.get(fault ?? "none") ?? 0) + 1);
      expect(attempt.reason, `unit ${attempt.unit} (${fault ?? "no fault"}): ${attempt.instruction.slice(0, 80)}`).toBe(fault ? EXPECTED_REASON[fault] : undefined);
    }
    // Every kind was actually exercised, so every rule had something to catch.
    for (const fault of EVOLVE_FAULTS) expect(planted.get(fault) ?? 0, fault).toBeGreaterThan(2);
    expect(planted.get("none") ?? 0).toBeGreaterThan(40);
  });

  it("strips echoed labels, and no kept instruction holds template words", () => {
    const kept = run.attempts.filter((a) => a.reason === undefined);
    for (const attempt of kept) expect(attempt.instruction).not.toMatch(/prompt#|given prompt|rewritten prompt|给定提示/i);
    const echoed = kept.filter((a) => plantedIn(a, run, templates, mixedKnobs) === "echoLabels");
    expect(echoed.length).toBeGreaterThan(2);
  });

  it("records complete lineage: depth counts successes on the path, parents lead back to the root", () => {
    // Ids are content hashes: two pool items can reach the same text, so lineage is keyed by (poolIndex, id).
    const byId = new Map(run.attempts.filter((a) => a.id).map((a) => [`${a.poolIndex}:${a.id}`, a]));
    for (const attempt of run.attempts.filter((a) => a.id)) {
      expect(attempt.depth).toBe(run.depthById.get(`${attempt.poolIndex}:${attempt.parentId}`)! + 1);
      let node: Attempt | undefined = attempt;
      let steps = 0;
      while (node && node.parentId !== node.rootId) {
        const parent = byId.get(`${node.poolIndex}:${node.parentId}`);
        expect(parent, `parent of unit ${node.unit}`).toBeDefined();
        expect(parent!.round).toBeLessThan(node.round);
        expect(parent!.poolIndex).toBe(node.poolIndex);
        node = parent;
        steps++;
      }
      expect(steps + 1).toBe(attempt.depth);
      expect(attempt.rootId).toBe(recordId(records[attempt.poolIndex]!));
    }
  });

  it("retries a failed evolution next round from the previous version", () => {
    let retried = 0;
    for (const failed of run.attempts.filter((a) => a.reason !== undefined && a.round < 4)) {
      const next = run.attempts.find((a) => a.poolIndex === failed.poolIndex && a.round === failed.round + 1)!;
      expect(next.parentId).toBe(failed.parentId);
      retried++;
    }
    expect(retried).toBeGreaterThan(10);
    // …and a passing evolution is what the item's next round evolves.
    for (const passed of run.attempts.filter((a) => a.id && a.round < 4)) {
      const next = run.attempts.find((a) => a.poolIndex === passed.poolIndex && a.round === passed.round + 1)!;
      expect(next.parentId).toBe(passed.id);
    }
  });

  it("reports pass rates per round and per operation, and eliminations per reason", () => {
    const stats = run.manifest.evolve;
    expect(stats.perRound.map((r: any) => r.attempts)).toEqual([60, 60, 60, 60]);
    for (const round of stats.perRound) {
      const rejected = Object.values(round.rejectedByReason as Record<string, number>).reduce((a, b) => a + b, 0);
      expect(round.passed + rejected).toBe(60);
      expect(round.passed).toBe(run.attempts.filter((a) => a.round === round.round && !a.reason).length);
    }
    const opAttempts = Object.values(stats.perOperation as Record<string, { attempts: number }>).reduce((a, b) => a + b.attempts, 0);
    expect(opAttempts).toBe(240);
    expect(stats.eliminatedByReason).toEqual(run.manifest.counts.rejectedByReason);
    expect(run.manifest.status).toBe("complete");
  });
});

describe("each planted failure kind alone", () => {
  for (const fault of EVOLVE_FAULTS) {
    it(`${fault} → ${EXPECTED_REASON[fault] ?? "kept"}`, async () => {
      const simKnobs = knobs({ [`evolve.${fault}Rate`]: 0.3 });
      const run = await evolveWith(simKnobs, alpacaRecords(30), { rounds: 1 });
      const planted = run.attempts.filter((a) => plantedIn(a, run, templates, simKnobs) === fault);
      expect(planted.length).toBeGreaterThan(3);
      const rejected = run.attempts.filter((a) => a.reason !== undefined);
      if (EXPECTED_REASON[fault] === undefined) {
        expect(rejected).toEqual([]);
      } else {
        expect(new Set(rejected.map((a) => a.reason))).toEqual(new Set([EXPECTED_REASON[fault]]));
        expect(rejected.map((a) => a.unit)).toEqual(planted.map((a) => a.unit));
      }
    });
  }
});

describe("the equality judge", () => {
  it("an unreadable verdict is asked again, then eliminated as judge_unparseable", async () => {
    const always = await evolveWith(knobs({ "judge.unparseableRate": 1 }), alpacaRecords(20), { rounds: 1 });
    expect(always.attempts.map((a) => a.reason)).toEqual(Array(20).fill("judge_unparseable"));
    const evidence = readJsonl<{ detail: { judge: string[] } }>(join(always.dir, "rejected.jsonl"));
    for (const r of evidence) expect(r.detail.judge).toHaveLength(2); // the first reply and the re-ask's

    // At 50% the re-ask (a different conversation) gets its own draw: about a quarter stay unreadable.
    const half = await evolveWith(knobs({ "judge.unparseableRate": 0.5 }), alpacaRecords(80), { rounds: 1 });
    const unreadable = half.attempts.filter((a) => a.reason === "judge_unparseable").length;
    expect(unreadable).toBeGreaterThan(8);
    expect(unreadable).toBeLessThan(35);
    expect(half.attempts.filter((a) => a.reason && a.reason !== "judge_unparseable")).toEqual([]);
  });
});

describe("options", () => {
  it("--keep-original writes round 0; --no-answer leaves outputs empty and skips rules 2 and 3", async () => {
    const records = alpacaRecords(12);
    const run = await evolveWith(knobs({ "evolve.refusalBaitRate": 0.5 }), records, { rounds: 1, keepOriginal: true, answer: false });
    const data = readJsonl<{ instruction: string; output: string }>(join(run.dir, "data.jsonl"));
    const meta = readJsonl<Record<string, unknown>>(join(run.dir, "meta.jsonl"));
    const originals = data.filter((_, i) => meta[i]!.kind === "original");
    expect(originals).toEqual(records);
    const evolved = data.filter((_, i) => meta[i]!.kind === "evolved");
    expect(evolved).toHaveLength(12); // the refusal baits pass: no answer, nothing to refuse
    for (const record of evolved) expect(record.output).toBe("");
    for (const m of meta.filter((m) => m.kind === "evolved")) expect(m.finishReason).toBeNull();
  });

  it("--family code gives every item WizardCoder's operations", async () => {
    const run = await evolveWith(knobs(), alpacaRecords(10), { rounds: 1, family: "code" });
    for (const attempt of run.attempts) expect(attempt.operation).toMatch(/^code_/);
  });
});
