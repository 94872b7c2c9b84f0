/**
 * The Evol-Instruct loop. The pool is the input records; each of `rounds` rounds gives every pool
 * item one operation (seeded by seed, round, pool index), evolves it, answers it, and eliminates
 * failed evolutions. A passing evolution becomes the item's next version; a failed one leaves the
 * previous version for the next round.
 *
 * Units: unit = round * poolSize + poolIndex, round 0 being the originals (written only with
 * --keep-original). Units run concurrently and commit in order; an item's round r+1 waits for its
 * own round r, nothing else, so the rounds pipeline instead of stalling on the slowest request.
 */
import { createHash } from "node:crypto";
import { join, resolve } from "node:path";
import { z } from "zod";
import { UserError } from "../../errors.js";
import { readJsonLines } from "../../io/jsonl.js";
import { readRecordFile, type RecordItem } from "../../io/records.js";
import type { UnitResult } from "../../io/runDir.js";
import type { LlmClient, LlmSettings } from "../../llm/types.js";
import { runOrdered } from "../../runtime/ordered.js";
import { withStageRun, type StageContext, type StageRun } from "../../runtime/stageRun.js";
import { sha256Hex } from "../../hash.js";
import { recordId } from "../../schemas.js";
import { answerInstruction, loadAnswerSystemPrompt } from "../answer/answer.js";
import { answerOptionsOf, attemptEvolution, type AttemptSettings } from "./attempt.js";
import { classifyFamily } from "./classify.js";
import { committedEvolutions, committedVersionAfter, EvolveLineage, rootVersion, type PoolRoot, type PoolVersion } from "./lineage.js";
import { ALL_OPERATIONS, chooseOperation, type Family, type Operation, type OperationWeights } from "./operations.js";
import { givenPromptOf, loadEvolveTemplates } from "./prompts.js";
import { EvolveStats } from "./stats.js";
import { EVOLVE_DEFAULTS } from "./defaults.js";

export const STAGE = "evolve";

export interface EvolveOptions {
  inPath: string;
  outDir: string;
  rounds: number;
  weights: OperationWeights;
  /** The --ops text as given (for the manifest); undefined = the defaults. */
  opsSpec?: string;
  family: "auto" | Family;
  seed: number;
  keepOriginal: boolean;
  answer: boolean;
  /** Opt-in: drop an evolution whose ROUGE-L F1 to its parent is above this (WizardLM has no such rule). */
  maxParentSimilarity?: number;
  answerMaxTokens: number;
  /** A file whose text is the answers' system message; default none, as WizardLM sends the instruction plainly. */
  answerSystemFile?: string;
  /** Default 1 (WizardLM's openai_access.py). */
  answerTemperature?: number;
  /** Default 0.95 (WizardLM's openai_access.py). */
  answerTopP?: number;
  promptsDir?: string;
  llm: LlmSettings;
}

export interface EvolveSummary {
  outDir: string;
  poolSize: number;
  accepted: number;
  rejected: number;
  rejectedByReason: Record<string, number>;
}

interface UnitOutcome {
  result: UnitResult;
  /** The pool item's version after this unit: what its next round evolves. */
  version: PoolVersion;
  attempt?: { round: number; operation: Operation; reason?: string };
}

export async function runEvolve(options: EvolveOptions, context?: StageContext): Promise<EvolveSummary> {
  const input = await readRecordFile(options.inPath);
  const templates = await loadEvolveTemplates(options.promptsDir);
  const answerSystem = options.answerSystemFile === undefined ? null : await loadAnswerSystemPrompt("en", options.answerSystemFile);
  const roots = input.items.map((item, index) => toRoot(item, index, options.family));
  requireOperationsFor(roots, options.weights);
  const config = stageConfig(options, input.items);
  // Everything but `rounds` must match to resume (more rounds simply continue).
  const { in: _in, inputRecords: _count, inputDigest: _digest, rounds: _rounds, model: _model, promptsDir: _dir, ...work } = config;
  // The prompts as loaded (bundled or from --prompts-dir) decide the requests, wherever they came from.
  const fingerprint = { options: { ...work, prompts: sha256Hex(JSON.stringify(templates)).slice(0, 16) }, files: { input: options.inPath } };
  const stageRun = { outDir: options.outDir, stage: STAGE, config, fingerprint, llm: options.llm, label: STAGE, upstream: options.inPath, context };
  return withStageRun(stageRun, async (run) => {
    const settings: AttemptSettings = {
      templates,
      answer: options.answer,
      maxParentSimilarity: options.maxParentSimilarity,
      answerMaxTokens: options.answerMaxTokens,
      answerSystem,
      answerTemperature: options.answerTemperature ?? EVOLVE_DEFAULTS.answerTemperature,
      answerTopP: options.answerTopP ?? EVOLVE_DEFAULTS.answerTopP,
    };
    await evolveAll(run, options, input.items, roots, settings);
    return {
      outDir: run.runDir.dir,
      poolSize: roots.length,
      accepted: run.runDir.accepted,
      rejected: run.runDir.rejected,
      rejectedByReason: run.runDir.rejectedCounts(),
    };
  });
}

async function evolveAll(run: StageRun, options: EvolveOptions, items: RecordItem[], roots: PoolRoot[], settings: AttemptSettings): Promise<void> {
  const poolSize = roots.length;
  const totalUnits = (options.rounds + 1) * poolSize;
  const start = run.runDir.state.nextUnit;
  const committed = committedEvolutions(run.runDir.state);
  const stats = restoreStats(run);
  /** Version after each launched unit, taken (once) by the same item's next round. */
  const versions = new Map<number, Promise<PoolVersion>>();

  const versionBefore = async (unit: number, root: PoolRoot, round: number): Promise<PoolVersion> => {
    const previousUnit = unit - poolSize;
    if (previousUnit < start) return committedVersionAfter(root, committed, round - 1);
    const version = versions.get(previousUnit);
    if (!version) throw new Error(`evolve: unit ${previousUnit} was never launched`);
    versions.delete(previousUnit);
    return version;
  };

  const workOn = async (unit: number): Promise<UnitOutcome> => {
    const round = Math.floor(unit / poolSize);
    const root = roots[unit % poolSize]!;
    if (round === 0) return originalUnit(run.llm, options, settings, items[root.index]!, root);
    const parent = await versionBefore(unit, root, round);
    const operation = chooseOperation(options.weights, root.family, options.seed, round, root.index);
    const outcome = await run.refusable(
      () => attemptEvolution(run.llm, settings, root, parent, round, operation),
      (evidence) => ({ passed: false as const, reason: "request_refused", record: { instruction: parent.givenPrompt }, detail: { round, operation, ...evidence } }),
    );
    if (!outcome.passed) {
      return {
        result: { accepted: [], rejected: [{ reason: outcome.reason, record: outcome.record, detail: outcome.detail }] },
        version: parent,
        attempt: { round, operation, reason: outcome.reason },
      };
    }
    const id = recordId(outcome.record);
    return {
      result: { accepted: [{ record: outcome.record, meta: outcome.lineage, id, sourceId: root.id }], rejected: [] },
      version: { id, givenPrompt: givenPromptOf(outcome.record), depth: outcome.lineage.depth, round },
      attempt: { round, operation },
    };
  };

  const publishStats = (): void => run.runDir.updateManifest({ evolve: { poolSize, rounds: options.rounds, ...stats.toJSON() } });
  publishStats();
  await runOrdered<UnitOutcome>({
    start,
    end: totalUnits,
    window: options.llm.concurrency * 2,
    signal: run.signal,
    work: (unit) => {
      const outcome = workOn(unit);
      const version = outcome.then((o) => o.version);
      version.catch(() => undefined); // the failure is reported once, through runOrdered
      versions.set(unit, version);
      return outcome;
    },
    commit: (unit, outcome) => {
      run.runDir.commit(unit, outcome.result);
      if (outcome.attempt) stats.record(outcome.attempt.round, outcome.attempt.operation, outcome.attempt.reason);
      publishStats();
      run.progress(unit + 1, totalUnits);
    },
  });
}

/** Round 0: the original as its pool item's first version; written (answered if it has no output) with --keep-original. */
async function originalUnit(llm: LlmClient, options: EvolveOptions, settings: AttemptSettings, item: RecordItem, root: PoolRoot): Promise<UnitOutcome> {
  const version = rootVersion(root);
  if (!options.keepOriginal) return { result: { accepted: [], rejected: [] }, version };
  let record = item.record;
  let finishReason: string | null = null;
  if (options.answer && record.output.trim() === "") {
    const answer = await answerInstruction(llm, record, answerOptionsOf(settings));
    record = { ...record, output: answer.output };
    finishReason = answer.finishReason;
  }
  const lineage: EvolveLineage = {
    kind: "original",
    poolIndex: root.index,
    rootId: root.id,
    parentId: null,
    round: 0,
    operation: null,
    family: root.family,
    depth: 0,
    finishReason,
  };
  return { result: { accepted: [{ record, meta: lineage, sourceId: root.id }], rejected: [] }, version };
}

function toRoot(item: RecordItem, index: number, family: EvolveOptions["family"]): PoolRoot {
  const givenPrompt = givenPromptOf(item.record);
  return { index, id: recordId(item.record), givenPrompt, family: family === "auto" ? classifyFamily(givenPrompt) : family };
}

function requireOperationsFor(roots: readonly PoolRoot[], weights: OperationWeights): void {
  for (const family of ["general", "code"] as const) {
    const count = roots.filter((r) => r.family === family).length;
    if (count > 0 && weights[family].length === 0) {
      const example = family === "code" ? "code_constraints=1" : "add_constraints=1";
      throw new UserError(
        `--ops enables no ${family} operation, but ${count} input record(s) are ${family} tasks; add one (e.g. ${example}) or force --family`,
        2,
      );
    }
  }
}

/** What defines the work. Everything but `rounds` must match to resume (more rounds simply continue). */
function stageConfig(options: EvolveOptions, items: readonly RecordItem[]): Record<string, unknown> {
  const digest = createHash("sha256");
  for (const item of items) digest.update(JSON.stringify([item.record.instruction, item.record.input, item.record.output]));
  return {
    in: resolve(options.inPath),
    inputRecords: items.length,
    inputDigest: digest.digest("hex").slice(0, 16),
    rounds: options.rounds,
    ops: options.opsSpec ?? "default",
    family: options.family,
    seed: options.seed,
    keepOriginal: options.keepOriginal,
    answer: options.answer,
    maxParentSimilarity: options.maxParentSimilarity ?? null,
    answerMaxTokens: options.answerMaxTokens,
    answerSystem: options.answerSystemFile === undefined ? null : resolve(options.answerSystemFile),
    answerTemperature: options.answerTemperature ?? EVOLVE_DEFAULTS.answerTemperature,
    answerTopP: options.answerTopP ?? EVOLVE_DEFAULTS.answerTopP,
    promptsDir: options.promptsDir === undefined ? null : resolve(options.promptsDir),
    model: options.llm.model,
  };
}

const RejectedLine = z.object({
  stage: z.string(),
  reason: z.string(),
  detail: z.object({ round: z.number().int(), operation: z.enum(ALL_OPERATIONS) }).passthrough(),
});

/** Rebuild the per-round/per-operation tallies of the committed units (the run directory has already cut any torn tail). */
function restoreStats(run: StageRun): EvolveStats {
  const stats = new EvolveStats();
  for (const { meta } of run.runDir.state.accepted) {
    const lineage = EvolveLineage.safeParse(meta);
    if (lineage.success && lineage.data.kind === "evolved" && lineage.data.operation) stats.record(lineage.data.round, lineage.data.operation, undefined);
  }
  for (const value of readJsonLines(join(run.runDir.dir, "rejected.jsonl")).values) {
    const line = RejectedLine.safeParse(value);
    if (line.success && line.data.stage === STAGE) stats.record(line.data.detail.round, line.data.detail.operation, line.data.reason);
  }
  return stats;
}
