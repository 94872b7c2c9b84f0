/**
 * A full-size Self-Instruct run (52,000 records by default) against the SIMULATOR (a test double)
 * at 500 ms latency and concurrency 64, into a temp directory. The simulator runs in a child
 * process, so this process's `process.cpuUsage()` is the pipeline's own CPU: parsing, rules,
 * ROUGE-L novelty, the run directory and the LLM client — everything but the wait.
 *
 *   npm run build && npm run bench:generate [-- --num 5000] [-- --similarity-meta full]
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { packageRoot } from "../src/paths.js";
import { runGenerate } from "../src/stages/selfInstruct/stage.js";
import { parseGenerateFlags } from "../src/stages/selfInstruct/settings.js";

const LATENCY_MS = 500;
const CONCURRENCY = 64;

function flag(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

async function startSimulatorProcess(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(packageRoot, "dist/src/cli.js"), "simulate", "--port", "0", "--seed", "1", "--latency-ms", String(LATENCY_MS)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const firstLine = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  const url = /https?:\/\/\S+/.exec(firstLine)?.[0];
  if (!url) throw new Error(`no URL on the simulator's first line: ${firstLine}`);
  return { url, child };
}

async function simulatorRequests(url: string): Promise<number> {
  const stats = (await (await fetch(url.replace(/\/v1$/, "/sim/stats"))).json()) as { requests: number };
  return stats.requests;
}

async function main(): Promise<void> {
  const num = flag("--num") ?? "52000";
  const out = mkdtempSync(join(tmpdir(), "if-bench-generate-"));
  const { url, child } = await startSimulatorProcess();
  try {
    const settings = parseGenerateFlags({ num, out, similarityMeta: flag("--similarity-meta") });
    const llm = { baseUrl: url, apiKey: "bench", model: "sim", concurrency: CONCURRENCY, timeoutMs: 60_000, maxRetries: 2 };
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const summary = await runGenerate(settings, llm);
    const wallSeconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const requests = await simulatorRequests(url);
    const bound = (wallSeconds / (LATENCY_MS / 1000)) * CONCURRENCY;
    const cpuMsPerRecord = (cpu.user + cpu.system) / 1000 / summary.accepted;
    console.log(
      [
        `generate bench: ${summary.accepted} records (${summary.rejected} rejected), similarity meta ${settings.similarityMeta}`,
        `  wall time                 ${wallSeconds.toFixed(1)} s`,
        `  requests (simulator)      ${requests} (${summary.requests} committed)`,
        `  of concurrency bound      ${(requests / bound).toFixed(3)}  (requests / (wall / ${LATENCY_MS / 1000} s × ${CONCURRENCY}))`,
        `  pipeline CPU per record   ${cpuMsPerRecord.toFixed(3)} ms  (target < 0.5 ms; simulator CPU excluded)`,
      ].join("\n"),
    );
  } finally {
    child.kill("SIGTERM");
    // Requests launched past the target may still be writing to the cache for a moment.
    await new Promise((resolve) => setTimeout(resolve, 300));
    rmSync(out, { recursive: true, force: true });
  }
}

await main();
