/**
 * The lock's crash test (issue 19), shared by `scripts/chaos.ts` (50 cycles) and
 * `test/reliability/lockChaos.test.ts` (a short form for the unit suite).
 *
 * One cycle: a `generate` run against the SIMULATOR (a test double) has committed a unit in this
 * attempt (a new progress.jsonl line) → SIGKILL → the same command is started at once, without
 * waiting for the killed process to be reaped. Each CLI runs under a parent that never reaps it,
 * so a killed one is torn down for a moment and then stays a zombie: what a container without
 * an init process shows (NOTES.md), and what a PID-file lock took for a live writer.
 * Checked each cycle: the re-run is never refused by the lock; once it commits, the lock names it
 * and the killed process is gone or a zombie (never two writers). When a directory's job
 * finishes, its data must equal an uninterrupted run's, with every unit committed once; the next
 * cycles use a fresh directory.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { processStat } from "../../src/io/lock.js";
import { startSimulator } from "../../src/simulator/server.js";
import { CLI_PATH, cliEnv, lineCount, llmArgs, readJsonlStrict, REPO_ROOT, SEEDS_PATH, sleep, spawnCli } from "./harness.js";

export interface LockChaosSettings {
  cycles: number;
  /** Records per generate job; a job that finishes is checked and the next cycles start afresh. */
  num: number;
  latencyMs: number;
  log?: (line: string) => void;
}

export interface LockChaosReport {
  cycles: number;
  /** Re-runs that exited on their own with an error (a refusal by the lock would be one). */
  refused: number;
  /** Cycles where the killed process was still alive (not a zombie) when its successor committed. */
  twoWriters: number;
  /** Directories whose job ran to the end (each checked against the uninterrupted run). */
  completedJobs: number;
  /** Cycles where the killed CLI was a zombie when its successor committed (the case NOTES.md describes). */
  zombies: number;
  problems: string[];
  durationMs: number;
}

const generateArgs = (dir: string, baseUrl: string, num: number): string[] => ["generate", "--seeds", SEEDS_PATH, "--num", String(num), "--out", dir, ...llmArgs(baseUrl, ["--concurrency", "2"])];

/**
 * One CLI run whose parent never reaps it, as under a PID 1 that does not reap (a container
 * started without --init; see NOTES.md): `sh` starts the CLI in the background and then becomes
 * `sleep`, so a killed CLI stays a zombie — the case a PID-file lock misjudges as alive.
 */
interface Attempt {
  keeper: ChildProcess;
  /** The CLI's PID; known once the keeper has printed it. */
  pid: number;
  stderr: string;
  unitsAtSpawn: number;
}

async function start(dir: string, baseUrl: string, num: number): Promise<Attempt> {
  const unitsAtSpawn = lineCount(join(dir, "progress.jsonl"));
  const keeper = spawn("sh", ["-c", '"$0" "$@" & echo "$!"; exec sleep 3600', process.execPath, CLI_PATH, ...generateArgs(dir, baseUrl, num)], {
    cwd: REPO_ROOT,
    env: cliEnv(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const attempt: Attempt = { keeper, pid: -1, stderr: "", unitsAtSpawn };
  keeper.stderr!.setEncoding("utf8").on("data", (chunk: string) => (attempt.stderr += chunk));
  attempt.pid = await new Promise<number>((resolve, reject) => {
    keeper.stdout!.setEncoding("utf8").once("data", (chunk: string) => resolve(Number(chunk.split("\n")[0])));
    keeper.once("error", reject);
  });
  keeper.stdout!.resume();
  return attempt;
}

/** The CLI has exited: gone, or a zombie nobody reaps. */
function hasExited(attempt: Attempt): boolean {
  const stat = processStat(attempt.pid);
  return stat === undefined || stat.state === "Z" || stat.state === "X";
}

/** Until this attempt has committed a unit of its own, or has exited. */
async function committedOrExited(attempt: Attempt, dir: string): Promise<void> {
  while (!hasExited(attempt) && lineCount(join(dir, "progress.jsonl")) <= attempt.unitsAtSpawn) await sleep(2);
}

/**
 * How an attempt that exited by itself ended: the job complete (only the run that finishes it
 * writes that manifest status; a refused run writes none), or what it printed.
 */
function outcome(attempt: Attempt, dir: string): "complete" | string {
  if (manifestStatus(dir) === "complete") return "complete";
  return `exited before completing the job: ${attempt.stderr.trim().slice(-400)}`;
}

function manifestStatus(dir: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as { status?: string }).status;
  } catch {
    return undefined; // none yet, or being replaced
  }
}

function lockHolderPid(dir: string): number | undefined {
  try {
    return (JSON.parse(readFileSync(join(dir, ".lock"), "utf8")) as { pid?: number }).pid;
  } catch {
    return undefined;
  }
}

/** A finished directory: the same records as the reference, each unit committed exactly once. */
function checkFinished(dir: string, referenceDir: string, problems: string[]): void {
  const data = readFileSync(join(dir, "data.jsonl"), "utf8");
  if (data !== readFileSync(join(referenceDir, "data.jsonl"), "utf8")) problems.push(`${dir}: data.jsonl differs from the uninterrupted run's`);
  const { values, problems: torn } = readJsonlStrict(join(dir, "progress.jsonl"));
  problems.push(...torn);
  const units = values.map((v) => (v as { unit: number }).unit);
  if (units.some((unit, i) => unit !== i)) problems.push(`${dir}: progress.jsonl units are not 0..${units.length - 1} once each`);
}

export async function runLockChaos(settings: LockChaosSettings, workDir: string): Promise<LockChaosReport> {
  const started = Date.now();
  const log = settings.log ?? (() => undefined);
  const sim = await startSimulator({ port: 0, seed: 7, latencyMs: settings.latencyMs });
  const problems: string[] = [];
  let refused = 0;
  let twoWriters = 0;
  let completedJobs = 0;
  let zombies = 0;
  let cycles = 0;
  try {
    const referenceDir = join(workDir, "lock-reference");
    const reference = await spawnCli(generateArgs(referenceDir, sim.url, settings.num)).done;
    if (reference.code !== 0) throw new Error(`the uninterrupted run failed: ${reference.stderr.slice(-1000)}`);

    const keepers: ChildProcess[] = [];
    const launch = async (dir: string): Promise<Attempt> => {
      const attempt = await start(dir, sim.url, settings.num);
      keepers.push(attempt.keeper);
      return attempt;
    };
    /** An attempt that exited by itself: the job done (checked), or a problem. */
    const settle = (attempt: Attempt, dir: string, cycle: number): void => {
      const result = outcome(attempt, dir);
      if (result === "complete") {
        checkFinished(dir, referenceDir, problems);
        completedJobs++;
      } else {
        refused++;
        problems.push(`cycle ${cycle}: ${result}`);
      }
    };
    try {
      let jobIndex = 0;
      let dir = join(workDir, `lock-${jobIndex}`);
      let current = await launch(dir);
      while (cycles < settings.cycles) {
        await committedOrExited(current, dir);
        if (hasExited(current)) {
          settle(current, dir, cycles);
          dir = join(workDir, `lock-${++jobIndex}`);
          current = await launch(dir);
          continue;
        }
        const killed = current;
        process.kill(killed.pid, "SIGKILL");
        current = await launch(dir); // at once: the killed CLI is being torn down, then stays a zombie
        cycles++;
        await committedOrExited(current, dir);
        const exited = hasExited(current);
        const holder = lockHolderPid(dir);
        // No lock file is right only when the successor has just finished: close() writes the
        // complete manifest, then releases the lock, then the process exits.
        const justFinished = holder === undefined && (hasExited(current) || manifestStatus(dir) === "complete");
        if (!exited && holder !== current.pid && !justFinished) problems.push(`cycle ${cycles}: the lock names pid ${holder}, not the running pid ${current.pid}`);
        const killedState = processStat(killed.pid)?.state ?? "gone";
        if (!hasExited(killed)) {
          twoWriters++;
          problems.push(`cycle ${cycles}: pid ${killed.pid} was still alive (${killedState}) when its successor committed`);
        }
        zombies += killedState === "Z" ? 1 : 0;
        log(`lock chaos: cycle ${cycles}: killed pid ${killed.pid} (now ${killedState}), successor pid ${current.pid} ${exited ? "exited" : "committed"}`);
        killed.keeper.kill("SIGKILL");
      }
      while (!hasExited(current)) await sleep(5);
      settle(current, dir, cycles);
    } finally {
      for (const keeper of keepers) keeper.kill("SIGKILL");
    }
    return { cycles, refused, twoWriters, completedJobs, zombies, problems, durationMs: Date.now() - started };
  } finally {
    await sim.close();
  }
}
