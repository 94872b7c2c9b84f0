/**
 * Shared helpers for tests and scripts that drive the real CLI as a subprocess against the
 * SIMULATOR (the project's OpenAI-compatible test double, never a model).
 *
 * No vitest imports here: `scripts/chaos.ts` imports this file too, and the build compiles it to
 * dist/test/reliability/harness.js. Subprocesses are spawned asynchronously so a simulator running
 * in the same process keeps answering while the CLI runs.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { countCacheEntries as countCacheFrames } from "../../src/llm/cache.js";
import { startSimulator, type RunningSimulator, type SimulatorOptions } from "../../src/simulator/server.js";

/** The repository root: the nearest ancestor holding package.json (works from src and from dist). */
export const REPO_ROOT = findRepoRoot(dirname(fileURLToPath(import.meta.url)));
export const CLI_PATH = join(REPO_ROOT, "dist/src/cli.js");
export const SEEDS_PATH = join(REPO_ROOT, "seeds/seed_tasks.jsonl");
export const BAD_FIXTURES_DIR = join(REPO_ROOT, "test/fixtures/bad");

function findRepoRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, "package.json")) || !readFileSync(join(dir, "package.json"), "utf8").includes('"name": "instructforge"')) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no instructforge package.json above ${start}`);
    dir = parent;
  }
  return dir;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export interface CliOptions {
  /** Extra environment; the LLM variables of the calling shell are never inherited. */
  env?: Record<string, string>;
  cwd?: string;
  /** Kill (SIGKILL) after this long; the result then has signal SIGKILL. Default 120 s. */
  timeoutMs?: number;
}

export interface SpawnedCli {
  child: ChildProcess;
  /** Resolves when the process has exited and its output streams are closed. */
  done: Promise<CliResult>;
}

/** The environment a CLI subprocess sees: ours minus anything that could point it at a real endpoint or key. */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  for (const name of ["OPENAI_API_KEY", "OPENAI_BASE_URL", "INSTRUCTFORGE_MODEL", "INSTRUCTFORGE_DEBUG"]) delete env[name];
  return { ...env, ...extra };
}

/** CLI processes still running: killed if this process exits first, so no run outlives its test. */
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

export function spawnCli(args: readonly string[], options: CliOptions = {}): SpawnedCli {
  const started = Date.now();
  const child = spawn(process.execPath, [CLI_PATH, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: cliEnv(options.env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  child.once("exit", () => running.delete(child));
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000);
  const done = new Promise<CliResult>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, durationMs: Date.now() - started });
    });
  });
  return { child, done };
}

export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return spawnCli(args, options).done;
}

/** The LLM flags pointing a command at a simulator. */
export function llmArgs(baseUrl: string, extra: readonly string[] = []): string[] {
  return ["--base-url", baseUrl, "--api-key", "x", "--model", "sim", ...extra];
}

/** Start a simulator on a free port, run `body`, and always close it. */
export async function withSimulator<T>(options: SimulatorOptions, body: (sim: RunningSimulator) => Promise<T>): Promise<T> {
  const sim = await startSimulator({ port: 0, ...options });
  try {
    return await body(sim);
  } finally {
    await sim.close();
  }
}

/** A base URL on 127.0.0.1 with nothing listening (a port that was just free). */
export async function unusedLocalUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 9;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/v1`;
}

export function makeTempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `if-rel-${prefix}-`));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A JSONL file read strictly: every line must parse and the file must end with "\n". */
export interface StrictJsonl {
  values: unknown[];
  /** Human-readable problems: a line that does not parse, a missing final newline. */
  problems: string[];
}

export function readJsonlStrict(path: string): StrictJsonl {
  if (!existsSync(path)) return { values: [], problems: [] };
  const text = readFileSync(path, "utf8");
  const problems: string[] = [];
  if (text.length > 0 && !text.endsWith("\n")) problems.push(`${path}: does not end with a newline (torn last line)`);
  const values: unknown[] = [];
  text.split("\n").forEach((line, index, lines) => {
    if (line === "" && index === lines.length - 1) return;
    try {
      values.push(JSON.parse(line));
    } catch {
      problems.push(`${path}:${index + 1}: not valid JSON: ${line.slice(0, 80)}`);
    }
  });
  return { values, problems };
}

export function lineCount(path: string): number {
  if (!existsSync(path)) return 0;
  const text = readFileSync(path, "utf8");
  return text === "" ? 0 : text.split("\n").filter((l) => l !== "").length;
}

/** Every regular file under `dir`, recursively (absolute paths). */
export function walkFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walkFiles(path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** Complete entries in a run directory's response cache (a torn last frame is not one). */
export function countCacheEntries(runDir: string): number {
  return countCacheFrames(join(runDir, "cache"));
}

export function readManifest(runDir: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(runDir, "manifest.json"), "utf8")) as Record<string, unknown>;
}

export function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

export function fileSize(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

/** A stack trace in CLI output: "    at fn (file:line:col)" frames or a Node internal error banner. */
export function looksLikeStackTrace(text: string): boolean {
  return /^\s+at .+(\(|:\d+:\d+)/m.test(text) || /node:internal|Error: .*\n\s+at /.test(text);
}

/** Seeded PRNG: the chaos schedule is reproducible from its seed. */
export { seededRandom as seededRng } from "../../src/text/random.js";

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
