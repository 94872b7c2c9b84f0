/**
 * `npm run demo`: the whole pipeline, offline, against an in-process SIMULATOR (a test double,
 * not a model): generate → evolve (1 round) → dedup → filter → export on 200 records, then the
 * exports and report.html in out/demo/final/. Starts from scratch each time.
 */
import { rmSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { packageRoot } from "../src/paths.js";
import { loadPipelineConfig } from "../src/pipeline/config.js";
import { runPipeline } from "../src/pipeline/runPipeline.js";
import { startSimulator } from "../src/simulator/server.js";

const BANNER = "SIMULATED model (test double), not real data";

async function main(): Promise<void> {
  const started = performance.now();
  const { file, config } = await loadPipelineConfig(join(packageRoot, "configs", "demo.yaml"));
  const outDir = resolve(config.out ?? "out/demo");
  rmSync(outDir, { recursive: true, force: true });

  const simulator = await startSimulator({ seed: 1 });
  process.stderr.write(`\n=== instructforge demo — ${BANNER} ===\nsimulator at ${simulator.url}\n\n`);
  try {
    const summary = await runPipeline({
      config,
      configFile: file,
      outDir,
      llm: { baseUrl: simulator.url, apiKey: "demo", model: "instructforge-simulator", concurrency: 16, timeoutMs: 10_000, maxRetries: 2 },
      log: (line) => process.stderr.write(`${line}\n`),
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    process.stdout.write(
      `\n${BANNER}.\nDemo finished in ${seconds} s: ${summary.finalRecords} records.\n` +
        summary.finalFiles.map((f) => `  ${relative(process.cwd(), f)}`).join("\n") +
        `\nOpen ${relative(process.cwd(), join(outDir, "final", "report.html"))} in a browser; the pipeline manifest is ${relative(process.cwd(), join(outDir, "pipeline.json"))}.\n`,
    );
  } finally {
    await simulator.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
