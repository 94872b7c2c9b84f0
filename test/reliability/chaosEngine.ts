/**
 * The crash test engine (issue #9), shared by `scripts/chaos.ts` (full: 20 kills per job) and
 * `test/reliability/chaos.test.ts` (short form for CI).
 *
 * For a job (a CLI command line) it runs:
 *  1. a REFERENCE run, uninterrupted, against a fresh simulator;
 *  2. a CHAOS run against another fresh simulator (same seed, so the same replies): SIGKILL at
 *     seeded-random points, re-running each time, then one last run to completion. A point is
 *     a count, never a time alone: start-up kills land before the attempt's first request,
 *     running ones once the simulator has answered a seeded number of this attempt's requests,
 *     so a slow or loaded machine moves when a kill happens, never how much work an attempt does.
 * and compares them: same dataset, no duplicates, no torn lines, meta for every record, and the
 * LLM requests paid. The simulator runs in this process so `stats()` is read at the instant of
 * each kill. Its handlers are wrapped to count how often each request body was received: that
 * tells re-sent requests (the cost of a crash) apart from requests the reference never sent
 * (over-launch at the end of a target-driven run — timing, not a crash).
 */
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { handlers as simulatorHandlers } from "../../src/simulator/handlers/index.js";
import { startSimulator, type RunningSimulator } from "../../src/simulator/server.js";
import type { SimHandler, SimRequest } from "../../src/simulator/types.js";
import { recordId, type AlpacaRecord } from "../../src/schemas.js";
import {
  countCacheEntries,
  lineCount,
  llmArgs,
  readJsonlStrict,
  SEEDS_PATH,
  readManifest,
  seededRng,
  sleep,
  spawnCli,
  type CliResult,
  type SpawnedCli,
} from "./harness.js";

export interface ChaosJob {
  name: string;
  /** The CLI arguments of the job writing into `outDir` against `baseUrl`. */
  args(outDir: string, baseUrl: string): string[];
  /** Target-driven jobs (generate --num) stop mid-stream and abandon units launched past the target. */
  targetDriven: boolean;
  /** Units the stage launches ahead (its runOrdered window): the most a run can over-launch at its end. */
  launchWindow: number;
}

/** `generate --num N` from the bundled seeds, as a user would run it. */
export function generateJob(num: number, concurrency = 8): ChaosJob {
  return {
    name: "generate",
    args: (outDir, baseUrl) => ["generate", "--seeds", SEEDS_PATH, "--num", String(num), "--out", outDir, ...llmArgs(baseUrl, ["--concurrency", String(concurrency)])],
    targetDriven: true,
    launchWindow: concurrency * 2,
  };
}

/** `evolve --rounds R` over the first `items` bundled seed tasks (written to `workDir`). */
export function evolveJob(workDir: string, items: number, rounds: number, concurrency = 8): ChaosJob {
  const input = join(workDir, `evolve-input-${items}.jsonl`);
  const seeds = readFileSync(SEEDS_PATH, "utf8").split("\n").filter((line) => line.trim() !== "");
  writeFileSync(input, `${seeds.slice(0, items).join("\n")}\n`);
  return {
    name: "evolve",
    args: (outDir, baseUrl) => ["evolve", "--in", input, "--rounds", String(rounds), "--out", outDir, ...llmArgs(baseUrl, ["--concurrency", String(concurrency)])],
    targetDriven: false,
    launchWindow: concurrency * 2,
  };
}

export interface ChaosSettings {
  kills: number;
  seed: number;
  latencyMs: number;
  log?: (line: string) => void;
}

export interface KillMoment {
  attempt: number;
  mode: "startup" | "running";
  /** ms from spawn to the kill. */
  atMs: number;
  requestsThisAttempt: number;
  /** stats().inFlight read right before SIGKILL. */
  inFlight: number;
  /** Requests the server received after that read, before the process was gone (also in flight). */
  lateArrivals: number;
  /** Replies the server completed this attempt that never reached the cache (in transit at the kill). */
  lostInTransit: number;
  dataLinesAfter: number;
  /** Run files the kill left without a final newline (cut mid-write; repaired on the next open). */
  tornFiles: string[];
}

export interface RequestAccounting {
  reference: number;
  chaos: number;
  extra: number;
  inFlightAtKills: number;
  lostInTransit: number;
  /** Bodies received more than once in the chaos run beyond what the reference repeated: crash cost. */
  resent: number;
  /** Distinct bodies the chaos run sent that the reference did not, minus the reverse: end over-launch. */
  overLaunchDifference: number;
  /** The reference's over-launch: requests beyond the committed units (target-driven jobs only). */
  referenceOverLaunch?: number;
}

export interface ChaosReport {
  job: string;
  plannedKills: number;
  referenceDir: string;
  kills: KillMoment[];
  attempts: number;
  records: number;
  lost: number;
  duplicates: number;
  sameOrder: boolean;
  requests: RequestAccounting;
  problems: string[];
  durationMs: number;
}

/** Request bodies as the simulator saw them, counted. */
class BodyCounter {
  readonly counts = new Map<string, number>();

  handlers(): SimHandler[] {
    return simulatorHandlers.map((handler) => this.wrap(handler));
  }

  private wrap(handler: SimHandler): SimHandler {
    const wrapped: SimHandler = {
      kind: handler.kind,
      matches: (request) => handler.matches(request),
      respond: (request, rng, knobs) => {
        this.record(request);
        return handler.respond(request, rng, knobs);
      },
    };
    if (handler.malformed) wrapped.malformed = (request, rng) => handler.malformed!(request, rng);
    return wrapped;
  }

  private record(request: SimRequest): void {
    const key = createHash("sha256")
      .update(JSON.stringify([request.model, request.messages, request.temperature ?? null, request.maxTokens ?? null, request.json]))
      .digest("hex");
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** Receipts beyond the first, per body. */
  repeats(): number {
    let total = 0;
    for (const n of this.counts.values()) total += n - 1;
    return total;
  }
}

interface Observed {
  sim: RunningSimulator;
  bodies: BodyCounter;
}

async function observedSimulator(settings: ChaosSettings): Promise<Observed> {
  const bodies = new BodyCounter();
  const sim = await startSimulator({ port: 0, seed: 7, latencyMs: settings.latencyMs, handlers: bodies.handlers() });
  return { sim, bodies };
}

interface ReferenceRun {
  dir: string;
  requests: number;
  bodies: BodyCounter;
  /** ms from spawn to the first request, and from there to exit. */
  startupMs: number;
  workMs: number;
}

async function referenceRun(job: ChaosJob, settings: ChaosSettings, dir: string): Promise<ReferenceRun> {
  const { sim, bodies } = await observedSimulator(settings);
  try {
    const spawned = spawnCli(job.args(dir, sim.url));
    const firstRequestAt = await firstRequestTime(sim, spawned, 0);
    const result = await spawned.done;
    requireSuccess(`${job.name} reference run`, result);
    const startupMs = firstRequestAt ?? result.durationMs;
    return { dir, requests: sim.stats().requests, bodies, startupMs, workMs: Math.max(1, result.durationMs - startupMs) };
  } finally {
    await sim.close();
  }
}

/** ms from spawn until the simulator sees a request beyond `before`; undefined if the process ends first. */
async function firstRequestTime(sim: RunningSimulator, spawned: SpawnedCli, before: number): Promise<number | undefined> {
  const started = Date.now();
  let exited = false;
  void spawned.done.then(() => (exited = true));
  while (!exited) {
    if (sim.stats().requests > before) return Date.now() - started;
    await sleep(1);
  }
  return undefined;
}

function requireSuccess(what: string, result: CliResult): void {
  if (result.code !== 0) throw new Error(`${what} failed (exit ${result.code ?? result.signal}): ${result.stderr.slice(-2000)}`);
}

type KillPlan =
  /** ms after spawn, or at the attempt's first request if that comes first. */
  | { mode: "startup"; delayMs: number }
  /** Once the simulator has answered this many of the attempt's requests. */
  | { mode: "running"; requests: number };

/**
 * 15% of kills hit start-up (recovery, index rebuild); the rest land while requests flow, after
 * at most 1/(kills+1) of the reference's requests, so no attempt can finish the job before
 * every planned kill lands.
 */
function planKill(random: () => number, reference: ReferenceRun, kills: number): KillPlan {
  if (random() < 0.15) return { mode: "startup", delayMs: Math.floor(random() * reference.startupMs * 1.2) };
  return { mode: "running", requests: 1 + Math.floor(random() * Math.max(1, Math.floor(reference.requests / (kills + 1)))) };
}

const RUN_FILES = ["data.jsonl", "meta.jsonl", "rejected.jsonl", "progress.jsonl"];

function tornFiles(dir: string): string[] {
  return RUN_FILES.filter((file) => {
    try {
      const text = readFileSync(join(dir, file), "utf8");
      return text.length > 0 && !text.endsWith("\n");
    } catch {
      return false;
    }
  });
}

/** One attempt killed at a planned moment; undefined when the process finished before the moment came. */
async function killedAttempt(job: ChaosJob, observed: Observed, dir: string, plan: KillPlan, attempt: number): Promise<KillMoment | CliResult> {
  const { sim } = observed;
  const before = sim.stats();
  const cacheBefore = countCacheEntries(dir);
  const spawned = spawnCli(job.args(dir, sim.url));
  let finished: CliResult | undefined;
  void spawned.done.then((result) => (finished = result));
  const spawnedAt = Date.now();
  const reached =
    plan.mode === "running"
      ? () => sim.stats().completed - before.completed >= plan.requests
      : () => Date.now() >= spawnedAt + plan.delayMs || sim.stats().requests > before.requests;
  while (!reached() && finished === undefined) await sleep(1);
  if (finished !== undefined) return finished;

  const atKill = sim.stats();
  const atMs = Date.now() - spawnedAt;
  spawned.child.kill("SIGKILL");
  const result = await spawned.done;
  if (result.signal !== "SIGKILL") return result; // it exited on its own in the same instant
  const after = sim.stats();
  const completedThisAttempt = atKill.completed - before.completed;
  return {
    attempt,
    mode: plan.mode,
    atMs,
    requestsThisAttempt: atKill.requests - before.requests,
    inFlight: atKill.inFlight,
    lateArrivals: after.requests - atKill.requests,
    lostInTransit: Math.max(0, completedThisAttempt - (countCacheEntries(dir) - cacheBefore)),
    dataLinesAfter: lineCount(join(dir, "data.jsonl")),
    tornFiles: tornFiles(dir),
  };
}

function isKill(value: KillMoment | CliResult): value is KillMoment {
  return "inFlight" in value;
}

export async function runChaosJob(job: ChaosJob, settings: ChaosSettings, workDir: string): Promise<ChaosReport> {
  const started = Date.now();
  const log = settings.log ?? (() => undefined);
  const reference = await referenceRun(job, settings, join(workDir, `${job.name}-reference`));
  log(`${job.name}: reference run: ${reference.requests} requests, start-up ${reference.startupMs} ms, work ${reference.workMs} ms`);

  const dir = join(workDir, `${job.name}-chaos`);
  const observed = await observedSimulator(settings);
  const random = seededRng(settings.seed);
  const kills: KillMoment[] = [];
  let attempts = 0;
  try {
    while (kills.length < settings.kills) {
      attempts++;
      const outcome = await killedAttempt(job, observed, dir, planKill(random, reference, settings.kills), attempts);
      if (!isKill(outcome)) {
        requireSuccess(`${job.name} attempt ${attempts}`, outcome);
        break; // the job finished before this kill's moment came
      }
      kills.push(outcome);
      log(`${job.name}: kill ${kills.length} ${describeKill(outcome)}`);
    }
    const last = lineCount(join(dir, "progress.jsonl"));
    attempts++;
    requireSuccess(`${job.name} final attempt`, await spawnCli(job.args(dir, observed.sim.url)).done);
    log(`${job.name}: final attempt completed (resumed at ${last} committed units)`);
    return { ...compareRuns(job, reference, dir, observed, kills), plannedKills: settings.kills, attempts, durationMs: Date.now() - started };
  } finally {
    await observed.sim.close();
  }
}

export function describeKill(kill: KillMoment): string {
  const torn = kill.tornFiles.length > 0 ? `, torn: ${kill.tornFiles.join(" ")}` : "";
  return (
    `[attempt ${kill.attempt}, ${kill.mode}] at ${kill.atMs} ms: ${kill.requestsThisAttempt} requests this attempt, ` +
    `${kill.inFlight} in flight (+${kill.lateArrivals} late), ${kill.lostInTransit} lost in transit, ${kill.dataLinesAfter} data lines${torn}`
  );
}

type Comparison = Omit<ChaosReport, "attempts" | "durationMs" | "plannedKills">;

function compareRuns(job: ChaosJob, reference: ReferenceRun, dir: string, observed: Observed, kills: KillMoment[]): Comparison {
  const problems: string[] = [];
  const refData = readRunFile(reference.dir, "data.jsonl", problems);
  const data = readRunFile(dir, "data.jsonl", problems);
  const meta = readRunFile(dir, "meta.jsonl", problems);
  readRunFile(dir, "progress.jsonl", problems);
  const rejected = readRunFile(dir, "rejected.jsonl", problems);
  const refRejected = readRunFile(reference.dir, "rejected.jsonl", problems);

  const { lost, duplicates } = multisetDifference(refData.map(recordKey), data.map(recordKey));
  checkMeta(data as AlpacaRecord[], meta, problems);
  checkManifest(dir, data.length, problems);
  const rejectedDiff = multisetDifference(refRejected.map(rejectionKey), rejected.map(rejectionKey));
  if (rejectedDiff.lost + rejectedDiff.duplicates > 0) {
    problems.push(`rejected.jsonl differs from the reference: ${rejectedDiff.lost} missing, ${rejectedDiff.duplicates} extra`);
  }
  if (lost > 0) problems.push(`${lost} records of the reference run are missing`);
  if (duplicates > 0) problems.push(`${duplicates} records are duplicated or not in the reference run`);

  const requests = accountRequests(job, reference, observed, kills);
  checkRequestBound(job, requests, problems);
  const sameOrder = JSON.stringify(refData) === JSON.stringify(data);
  return { job: job.name, referenceDir: reference.dir, kills, records: data.length, lost, duplicates, sameOrder, requests, problems };
}

function readRunFile(dir: string, file: string, problems: string[]): unknown[] {
  const { values, problems: fileProblems } = readJsonlStrict(join(dir, file));
  problems.push(...fileProblems);
  return values;
}

function recordKey(value: unknown): string {
  const r = value as AlpacaRecord;
  return JSON.stringify([r.instruction, r.input, r.output]);
}

function rejectionKey(value: unknown): string {
  const r = value as { reason?: unknown; record?: unknown; unit?: unknown };
  return JSON.stringify([r.unit, r.reason, r.record]);
}

/** How many of `expected` are missing from `actual`, and how many of `actual` are beyond `expected`. */
export function multisetDifference(expected: readonly string[], actual: readonly string[]): { lost: number; duplicates: number } {
  const remaining = new Map<string, number>();
  for (const key of expected) remaining.set(key, (remaining.get(key) ?? 0) + 1);
  let duplicates = 0;
  for (const key of actual) {
    const left = remaining.get(key) ?? 0;
    if (left > 0) remaining.set(key, left - 1);
    else duplicates++;
  }
  let lost = 0;
  for (const left of remaining.values()) lost += left;
  return { lost, duplicates };
}

function checkMeta(data: AlpacaRecord[], meta: unknown[], problems: string[]): void {
  const ids = new Map<string, number>();
  for (const m of meta) {
    const id = String((m as { id?: unknown }).id);
    ids.set(id, (ids.get(id) ?? 0) + 1);
  }
  const missing = data.filter((record) => {
    const id = recordId(record);
    const left = ids.get(id) ?? 0;
    ids.set(id, left - 1);
    return left <= 0;
  });
  if (missing.length > 0) problems.push(`${missing.length} records have no meta.jsonl line (first: ${recordId(missing[0]!)})`);
  if (meta.length !== data.length) problems.push(`meta.jsonl has ${meta.length} lines for ${data.length} records`);
}

function checkManifest(dir: string, records: number, problems: string[]): void {
  const manifest = readManifest(dir) as { status?: unknown; counts?: { accepted?: unknown } };
  if (manifest.status !== "complete") problems.push(`manifest status is ${String(manifest.status)}, expected complete`);
  if (manifest.counts?.accepted !== records) problems.push(`manifest counts ${String(manifest.counts?.accepted)} accepted, data.jsonl has ${records}`);
}

function accountRequests(job: ChaosJob, reference: ReferenceRun, observed: Observed, kills: KillMoment[]): RequestAccounting {
  const chaos = observed.sim.stats().requests;
  const inFlightAtKills = kills.reduce((sum, k) => sum + k.inFlight + k.lateArrivals, 0);
  const lostInTransit = kills.reduce((sum, k) => sum + k.lostInTransit, 0);
  const resent = observed.bodies.repeats() - reference.bodies.repeats();
  let onlyChaos = 0;
  let onlyReference = 0;
  for (const key of observed.bodies.counts.keys()) if (!reference.bodies.counts.has(key)) onlyChaos++;
  for (const key of reference.bodies.counts.keys()) if (!observed.bodies.counts.has(key)) onlyReference++;
  const committedUnits = lineCount(join(reference.dir, "progress.jsonl"));
  return {
    reference: reference.requests,
    chaos,
    extra: chaos - reference.requests,
    inFlightAtKills,
    lostInTransit,
    resent,
    overLaunchDifference: onlyChaos - onlyReference,
    referenceOverLaunch: job.targetDriven ? reference.requests - committedUnits : undefined,
  };
}

/**
 * The bound: requests re-sent because of the kills ≤ requests in flight at the kills (+ replies the
 * server had sent but the killed process had not yet cached). The total may differ from the reference
 * only by that plus the end over-launch difference, which only a target-driven job may have and
 * which the launch window bounds.
 */
function checkRequestBound(job: ChaosJob, r: RequestAccounting, problems: string[]): void {
  if (r.resent > r.inFlightAtKills + r.lostInTransit) {
    problems.push(`${r.resent} requests were paid twice, but only ${r.inFlightAtKills} were in flight at the kills (+${r.lostInTransit} in transit)`);
  }
  const allowance = job.targetDriven ? Math.max(0, r.overLaunchDifference) : 0;
  if (!job.targetDriven && r.overLaunchDifference !== 0) problems.push(`the chaos run sent ${r.overLaunchDifference} request bodies the reference did not`);
  if (job.targetDriven && Math.abs(r.overLaunchDifference) > job.launchWindow) {
    problems.push(`over-launch differs from the reference by ${r.overLaunchDifference}, more than the launch window ${job.launchWindow}`);
  }
  if (r.extra > r.inFlightAtKills + r.lostInTransit + allowance) {
    problems.push(`${r.extra} extra requests paid, more than ${r.inFlightAtKills} in flight at kills + ${r.lostInTransit} in transit + ${allowance} over-launch`);
  }
}

export interface SigintReport {
  job: string;
  /** Reported, never asserted: wall-clock time depends on the machine's load. */
  stopMs: number;
  /** Requests the simulator received after the signal: at most those already launched (the window). */
  requestsAfterSignal: number;
  exitCode: number | null;
  stderrMentionsResume: boolean;
  dataLines: number;
  manifestAccepted: unknown;
  manifestStatus: unknown;
  resumedOk: boolean;
  finalMatchesReference: boolean;
  problems: string[];
}

/** Ctrl-C in the middle of a run: a clean stop within 2 s, flushed, exit 130, told how to resume; the re-run completes. */
export async function runSigintCheck(job: ChaosJob, settings: ChaosSettings, workDir: string, reference: Pick<ChaosReport, "referenceDir" | "requests">): Promise<SigintReport> {
  const dir = join(workDir, `${job.name}-sigint`);
  const observed = await observedSimulator(settings);
  const problems: string[] = [];
  try {
    const spawned = spawnCli(job.args(dir, observed.sim.url));
    let exited = false;
    void spawned.done.then(() => (exited = true));
    // Stop about a third of the way in, while requests are in flight.
    const stopAfter = Math.max(1, Math.floor(reference.requests.reference / 3));
    while (observed.sim.stats().completed < stopAfter && !exited) await sleep(1);
    const signalledAt = Date.now();
    const requestsAtSignal = observed.sim.stats().requests;
    spawned.child.kill("SIGINT");
    const result = await spawned.done;
    const stopMs = Date.now() - signalledAt;
    const requestsAfterSignal = observed.sim.stats().requests - requestsAtSignal;
    const data = readRunFile(dir, "data.jsonl", problems);
    readRunFile(dir, "meta.jsonl", problems);
    const manifest = readManifest(dir) as { status?: unknown; counts?: { accepted?: unknown } };
    const stderrMentionsResume = /re-run/i.test(result.stderr);
    // Counted, not timed: after Ctrl-C no new unit starts, so only requests already launched
    // (at most the launch window) may still reach the server.
    if (requestsAfterSignal > job.launchWindow) problems.push(`${requestsAfterSignal} requests reached the server after SIGINT, more than the launch window ${job.launchWindow}`);
    if (result.code !== 130) problems.push(`exit code ${result.code ?? result.signal} after SIGINT, expected 130`);
    if (!stderrMentionsResume) problems.push(`stderr does not say how to resume: ${result.stderr.slice(-300)}`);
    if (manifest.counts?.accepted !== data.length) problems.push(`manifest counts ${String(manifest.counts?.accepted)} accepted, data.jsonl has ${data.length}`);
    if (manifest.status !== "interrupted") problems.push(`manifest status ${String(manifest.status)}, expected interrupted`);

    const rerun = await spawnCli(job.args(dir, observed.sim.url)).done;
    const resumedOk = rerun.code === 0;
    if (!resumedOk) problems.push(`re-run after SIGINT failed: ${rerun.stderr.slice(-500)}`);
    const finalData = readRunFile(dir, "data.jsonl", problems);
    const refData = readRunFile(reference.referenceDir, "data.jsonl", problems);
    const diff = multisetDifference(refData.map(recordKey), finalData.map(recordKey));
    const finalMatchesReference = diff.lost === 0 && diff.duplicates === 0;
    if (!finalMatchesReference) problems.push(`after resume: ${diff.lost} records lost, ${diff.duplicates} extra`);
    return {
      job: job.name,
      stopMs,
      requestsAfterSignal,
      exitCode: result.code,
      stderrMentionsResume,
      dataLines: data.length,
      manifestAccepted: manifest.counts?.accepted,
      manifestStatus: manifest.status,
      resumedOk,
      finalMatchesReference,
      problems,
    };
  } finally {
    await observed.sim.close();
  }
}
