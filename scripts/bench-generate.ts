/**
 * A full-size Self-Instruct run (52,000 records by default) against the SIMULATOR (a test double)
 * at 500 ms latency and concurrency 64, into a temp directory. The simulator runs in a child
 * process, so this process's `process.cpuUsage()` is the pipeline's own CPU: parsing, rules,
 * ROUGE-L novelty, the run directory and the LLM client — everything but the wait.
 *
 * This VM's speed drifts by up to 30% within an hour, so the same run first times a fixed
 * reference job (the naive all-pairs ROUGE-L filter over the dedup bench's first 500 texts, code
 * that does not change with ours) and prints the per-record figure against it: compare runs
 * from different hours by that ratio.
 *
 *   npm run build && npm run bench:generate [-- --num 5000] [-- --similarity-meta full]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runGenerate } from "../src/stages/selfInstruct/stage.js";
import { parseGenerateFlags } from "../src/stages/selfInstruct/settings.js";
import { instructions } from "./corpus.js";
import { naiveFilter } from "./naiveRouge.js";
import { startSimulatorProcess } from "./simulatorProcess.js";

const LATENCY_MS = 500;
const CONCURRENCY = 64;
const REFERENCE_TEXTS = 500;

/** CPU seconds of the reference job: fixed work, so its time tracks only the machine's speed. */
function referenceCpuSeconds(): number {
  const texts = [...instructions(REFERENCE_TEXTS, 2024)];
  const before = process.cpuUsage();
  naiveFilter(texts, 0.7);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1e6;
}

function flag(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

async function main(): Promise<void> {
  const num = flag("--num") ?? "52000";
  const out = mkdtempSync(join(tmpdir(), "if-bench-generate-"));
  const reference = referenceCpuSeconds();
  const simulator = await startSimulatorProcess(LATENCY_MS);
  const { url } = simulator;
  try {
    const settings = parseGenerateFlags({ num, out, similarityMeta: flag("--similarity-meta") });
    const llm = { baseUrl: url, apiKey: "bench", model: "sim", concurrency: CONCURRENCY, timeoutMs: 60_000, maxRetries: 2 };
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const summary = await runGenerate(settings, llm);
    const wallSeconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const requests = await simulator.requests();
    const bound = (wallSeconds / (LATENCY_MS / 1000)) * CONCURRENCY;
    const cpuMsPerRecord = (cpu.user + cpu.system) / 1000 / summary.accepted;
    console.log(
      [
        `generate bench: ${summary.accepted} records (${summary.rejected} rejected), similarity meta ${settings.similarityMeta}`,
        `  wall time                 ${wallSeconds.toFixed(1)} s`,
        `  requests (simulator)      ${requests} (${summary.requests} committed)`,
        `  of concurrency bound      ${(requests / bound).toFixed(3)}  (requests / (wall / ${LATENCY_MS / 1000} s × ${CONCURRENCY}))`,
        `  pipeline CPU per record   ${cpuMsPerRecord.toFixed(3)} ms  (target < 0.5 ms; simulator CPU excluded)`,
        `  reference job, same run   ${reference.toFixed(2)} s CPU  (naive all-pairs ROUGE-L filter, bench:dedup corpus, first ${REFERENCE_TEXTS} texts)`,
        `  per record ÷ reference    ${(cpuMsPerRecord / reference).toFixed(3)} ms per reference-second  (compare runs by this when the VM's speed drifts)`,
      ].join("\n"),
    );
  } finally {
    simulator.stop();
    // Requests launched past the target may still be writing to the cache for a moment.
    await new Promise((resolve) => setTimeout(resolve, 300));
    rmSync(out, { recursive: true, force: true });
  }
}

await main();
