/**
 * The harness every stage runs inside. It owns, for all stages alike:
 *   - the run's fingerprint: a directory holding another stage's run, or this stage's run made
 *     with other work-defining options, input, prompts or model, is refused before anything is
 *     written (or moved aside with `restart`);
 *   - the run directory (durable, resumable) and the LLM client on its cache;
 *   - accounting over every attempt of the directory, exact after a kill (the request ledger);
 *   - provenance: each kept record's upstream meta carried forward under `history.<stage>`;
 *   - progress, and a clean stop on the caller's AbortSignal.
 * It never touches `process`: the CLI turns signals into the AbortSignal and prints what it is told.
 */
import { existsSync, renameSync } from "node:fs";
import { join, resolve } from "node:path";
import { z } from "zod";
import { UserError } from "../errors.js";
import { readEarlierManifest, RunDirectory, type AcceptedRecord } from "../io/runDir.js";
import { readSiblingMeta, type SiblingMetaLine } from "../io/siblingMeta.js";
import { createStageLlm } from "../llm/batch/index.js";
import { LlmRequestError } from "../llm/client.js";
import type { LlmClient, LlmSettings, LlmTotals } from "../llm/types.js";
import { LedgerWriter, readLedger, sumAttempts, emptyLedgerTotals, type AttemptAccount } from "./accounts.js";
import { modelNote } from "../llm/discovery.js";
import { describeEndpoint, type EndpointInfo } from "./endpoint.js";
import { computeFingerprint, describeDifferences, differingParts, Fingerprint, type FingerprintInput } from "./fingerprint.js";
import type { ProgressSnapshot } from "./progress.js";

/** What a caller (the CLI, a library user, the pipeline) hands every stage besides its options. */
export interface StageContext {
  /** Abort to stop: committed work is kept, the manifest says `interrupted`, the call rejects with `StageInterrupted`. */
  signal?: AbortSignal;
  onProgress?: (progress: StageProgress) => void;
  /** Notes worth a line (resuming, the endpoint is the simulator, a directory moved aside). */
  log?: (line: string) => void;
  /** The command line, recorded (redacted) in the manifest. */
  argv?: readonly string[];
  /** Move an earlier, different run in the output directory aside instead of refusing it. */
  restart?: boolean;
}

export interface StageProgress extends ProgressSnapshot {
  stage: string;
  label: string;
  final: boolean;
}

export interface StageRunOptions {
  outDir: string;
  stage: string;
  /** The options recorded in the manifest (never secrets). */
  config: Record<string, unknown>;
  /** What decides the work: the options and files a resume must match. */
  fingerprint: Omit<FingerprintInput, "stage" | "model">;
  /** Omit for stages that make no LLM calls. */
  llm?: LlmSettings;
  label?: string;
  /** The data file the stage reads: its sibling meta.jsonl is carried forward. */
  upstream?: string;
  context?: StageContext;
}

export interface StageRun {
  runDir: RunDirectory;
  /** The LLM client; throws when the stage was opened without LLM settings. */
  readonly llm: LlmClient;
  /** Aborted when the caller's signal is: stop launching work. */
  signal: AbortSignal;
  /** Report progress (done units or records, out of target). */
  progress(done: number, target?: number): void;
  endpoint?: EndpointInfo;
  /**
   * Run one unit's work; when the server refuses a request for what this unit holds (a record too
   * long for the context …), `onRefused` turns it into the unit's rejections and the run goes on.
   */
  refusable<T>(work: () => Promise<T>, onRefused: (evidence: RefusalEvidence) => T): Promise<T>;
}

/** The evidence a `request_refused` rejection carries. */
export interface RefusalEvidence {
  status: number;
  type?: string;
  message: string;
}

/** A stage stopped by its caller's AbortSignal; what was committed is saved. */
export class StageInterrupted extends Error {
  constructor(
    readonly dir: string,
    readonly accepted: number,
  ) {
    super(`interrupted — ${accepted} records are saved in ${dir}; run the same command again to resume`);
    this.name = "StageInterrupted";
  }
}

/** So many refusals in a row mean the setup is wrong (a model that takes no such request), not the records. */
const MAX_REFUSALS_IN_A_ROW = 25;
const MANIFEST_EVERY_MS = 2000;

export async function withStageRun<T>(options: StageRunOptions, body: (run: StageRun) => Promise<T>): Promise<T> {
  const context = options.context ?? {};
  const log = context.log ?? (() => undefined);
  const dir = resolve(options.outDir);
  const fingerprint = computeFingerprint({ ...options.fingerprint, stage: options.stage, model: options.llm?.model });
  claimDirectory(options.outDir, dir, options.stage, fingerprint, context.restart === true, log);

  const runDir = RunDirectory.open({ outDir: dir, stage: options.stage, config: options.config, argv: context.argv, carry: carryForward(options.upstream) });
  const earlierAttempts = previousAttempts(runDir);
  const attempt = earlierAttempts.length + 1;
  const startedAt = new Date().toISOString();
  const ledger = new LedgerWriter(dir, attempt);
  const endpoint = options.llm ? await describeEndpoint(options.llm) : undefined;
  const controller = new AbortController();
  const stageLlm = options.llm
    ? createStageLlm(
        { ...options.llm, contextTokens: endpoint?.contextTokens },
        { cacheDir: runDir.cacheDir, ledger, runDir: runDir.dir, fingerprint: fingerprint.hash, signal: controller.signal, onStatus: (line) => log(`instructforge: ${line}`) },
      )
    : undefined;
  const client = stageLlm?.client;
  const label = options.label ?? options.stage;
  let last: { done: number; target?: number } = { done: 0 };

  const snapshot = (final: boolean): StageProgress => {
    const totals = client?.totals();
    return {
      stage: options.stage,
      label,
      final,
      done: last.done,
      target: last.target,
      accepted: runDir.accepted,
      rejected: runDir.rejected,
      tokens: totals ? totals.promptTokens + totals.completionTokens : undefined,
      // No price known (a local model): progress shows tokens only, never a made-up $0.
      costUsd: totals?.costKnown ? totals.costUsd : undefined,
    };
  };
  const recordAccounts = (status: string): void => {
    const latest = client?.totals();
    const thisAttempt: AttemptAccount = { attempt, startedAt, status, llm: latest, ledger: ledger.totals() };
    const attempts = [...earlierAttempts, thisAttempt];
    // Whether a price is known, what was learnt about the endpoint and the per-endpoint figures are this attempt's.
    const llm = latest && {
      ...sumAttempts(attempts),
      costKnown: latest.costKnown,
      adaptations: latest.adaptations,
      ...(latest.endpoints ? { endpoints: latest.endpoints } : {}),
    };
    runDir.updateManifest({ fingerprint, endpoint, ...(llm ? { llm, attempts } : {}), ...(stageLlm?.batchStats() ? { batch: stageLlm.batchStats() } : {}) });
  };
  const manifestTimer = setInterval(() => {
    recordAccounts("running");
    runDir.writeManifest("running");
  }, MANIFEST_EVERY_MS);
  manifestTimer.unref();
  // Listed from the start, so an attempt killed before the first timer tick is still in the accounts.
  recordAccounts("running");
  runDir.writeManifest("running");

  let refusalsInARow = 0;
  const run: StageRun = {
    runDir,
    get llm(): LlmClient {
      if (!client) throw new Error(`stage ${options.stage} was opened without LLM settings`);
      return client;
    },
    signal: controller.signal,
    progress(done, target) {
      last = { done, target };
      context.onProgress?.(snapshot(false));
    },
    endpoint,
    async refusable(work, onRefused) {
      try {
        const result = await work();
        refusalsInARow = 0;
        return result;
      } catch (error) {
        if (!(error instanceof LlmRequestError) || error.refusal === undefined) throw error;
        if (++refusalsInARow >= MAX_REFUSALS_IN_A_ROW) {
          throw new UserError(`${refusalsInARow} requests in a row were refused by the server (last: ${error.refusal.message}); check the model and its settings`);
        }
        return onRefused({ ...error.refusal });
      }
    },
  };

  if (endpoint?.note) log(`instructforge: ${endpoint.note}`);
  const chosenModel = options.llm ? modelNote(options.llm) : undefined;
  if (chosenModel) log(`instructforge: ${chosenModel}`);
  if (runDir.state.resumed) log(`instructforge: resuming ${runDir.dir} at unit ${runDir.state.nextUnit} (${runDir.accepted} records already kept)`);

  const finish = (status: "complete" | "interrupted" | "failed"): void => {
    clearInterval(manifestTimer);
    stageLlm?.close();
    recordAccounts(status);
    ledger.close();
    runDir.close(status);
    context.onProgress?.(snapshot(true));
  };
  const interrupted = new Promise<never>((_, reject) => {
    const stop = (): void => {
      controller.abort();
      // Batch mode leaves its open batches running, or cancels them (--cancel-batches), before the call ends.
      const batches = stageLlm?.interrupt?.() ?? Promise.resolve(undefined);
      finish("interrupted");
      void batches
        .then((note) => note && log(`instructforge: ${note}`), () => undefined)
        .then(() => reject(new StageInterrupted(runDir.dir, runDir.accepted)));
    };
    if (context.signal?.aborted) stop();
    else context.signal?.addEventListener("abort", stop, { once: true });
  });
  // The work in flight at an interrupt is abandoned: its late failures must not surface.
  const work = body(run);
  work.catch(() => undefined);
  interrupted.catch(() => undefined);

  try {
    const result = await Promise.race([work, interrupted]);
    // Stopped: the work returns at once; the call ends when the interrupt is dealt with (open batches).
    if (controller.signal.aborted) await interrupted;
    finish("complete");
    return result;
  } catch (error) {
    if (error instanceof StageInterrupted) throw error;
    if (controller.signal.aborted) await interrupted;
    try {
      finish("failed");
    } catch {
      /* the original error matters more than a failed manifest write */
    }
    throw error;
  } finally {
    clearInterval(manifestTimer);
  }
}

/**
 * Before anything is written: an output directory must be empty, or hold this stage's run with the
 * same fingerprint. A different run is refused (exit 2) — or, with `restart`, moved aside whole.
 */
function claimDirectory(given: string, dir: string, stage: string, fingerprint: Fingerprint, restart: boolean, log: (line: string) => void): void {
  const problem = differentRun(given, dir, stage, fingerprint);
  if (problem === undefined) return;
  if (!restart) throw new UserError(`${problem}; resume with the same input and options, choose a new --out, or pass --restart to move the old run aside`, 2);
  const aside = `${dir}.old-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  renameSync(dir, aside);
  log(`instructforge: moved the earlier run aside to ${aside}`);
}

const EarlierManifest = z.object({ stage: z.string(), fingerprint: Fingerprint.optional() });

function differentRun(given: string, dir: string, stage: string, fingerprint: Fingerprint): string | undefined {
  if (existsSync(join(dir, "pipeline.json"))) return `--out ${given} holds a whole pipeline run (pipeline.json); give the ${stage} stage a directory of its own`;
  const earlier = readEarlierManifest(dir);
  if (earlier === undefined) return undefined;
  if (!("value" in earlier)) {
    throw new UserError(`${earlier.path}: unreadable manifest (not JSON); move ${given} aside or choose a new --out`, 2);
  }
  const parsed = EarlierManifest.safeParse(earlier.value);
  if (!parsed.success) throw new UserError(`${earlier.path}: not an instructforge stage manifest; move ${given} aside or choose a new --out`, 2);
  if (parsed.data.stage !== stage) return `--out ${given} holds a '${parsed.data.stage}' run; the ${stage} stage needs its own directory`;
  // A directory from a version without fingerprints is resumed as before.
  const before = parsed.data.fingerprint;
  if (before === undefined || before.hash === fingerprint.hash) return undefined;
  const names = differingParts(before, fingerprint);
  return `--out ${given} holds a ${stage} run made with different settings (${describeDifferences(before, fingerprint, names)})`;
}

const AttemptLine = z.object({ attempt: z.number().int().positive(), startedAt: z.string(), status: z.string(), llm: z.custom<LlmTotals>((v) => typeof v === "object" && v !== null).optional() });
const AttemptsOfManifest = z.object({ attempts: z.array(AttemptLine).optional(), timings: z.object({ attempts: z.number().int().nonnegative() }).partial().optional() });

/** Earlier attempts of this directory, their exact request counts re-read from the ledger. */
function previousAttempts(runDir: RunDirectory): AttemptAccount[] {
  const manifest = AttemptsOfManifest.safeParse(runDir.state.previousManifest ?? {});
  const listed = manifest.success ? (manifest.data.attempts ?? []) : [];
  const ledger = readLedger(runDir.dir);
  const count = Math.max(listed.length, manifest.success ? (manifest.data.timings?.attempts ?? 0) : 0, ...ledger.keys());
  return Array.from({ length: count }, (_, k): AttemptAccount => {
    const attempt = k + 1;
    const line = listed.find((a) => a.attempt === attempt);
    // An earlier attempt that never wrote its final status was stopped from outside (SIGKILL, power).
    const status = line === undefined || line.status === "running" ? "killed" : line.status;
    return { attempt, startedAt: line?.startedAt ?? "", status, llm: line?.llm, ledger: ledger.get(attempt) ?? emptyLedgerTotals() };
  });
}

/**
 * Each kept record's history: the upstream meta of the record it came from (same id, or the
 * `sourceId` a stage that rewrites records names), under the upstream stage's name, after that
 * record's own history. So the last stage's meta.jsonl holds every stage's word on each record.
 */
function carryForward(upstream: string | undefined): ((accepted: AcceptedRecord, id: string) => Record<string, unknown> | undefined) | undefined {
  if (upstream === undefined) return undefined;
  let byId: Map<string, SiblingMetaLine> | undefined;
  return (accepted, id) => {
    byId ??= indexById(readSiblingMeta(upstream, "its meta is carried forward"));
    const source = byId.get(accepted.sourceId ?? id);
    if (!source) return undefined;
    const { id: _id, stage, unit: _unit, history, ...own } = source;
    const earlier = typeof history === "object" && history !== null ? (history as Record<string, unknown>) : {};
    return typeof stage === "string" ? { ...earlier, [stage]: own } : earlier;
  };
}

function indexById(lines: readonly SiblingMetaLine[]): Map<string, SiblingMetaLine> {
  const byId = new Map<string, SiblingMetaLine>();
  for (const line of lines) if (!byId.has(line.id)) byId.set(line.id, line);
  return byId;
}
