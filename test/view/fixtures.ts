/** Run directories for the viewer tests: a small pipeline made against the in-process SIMULATOR (a test double), and a hostile one. */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packageRoot } from "../../src/paths.js";
import { loadPipelineConfig } from "../../src/pipeline/config.js";
import { runPipeline } from "../../src/pipeline/runPipeline.js";
import { recordId } from "../../src/schemas.js";
import { startSimulator } from "../../src/simulator/server.js";

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** generate 40 → evolve 2 rounds → dedup → filter, against the simulator: about a second. */
export async function buildDemoRun(): Promise<string> {
  const work = tempDir("if-view-demo-");
  const configFile = join(work, "demo.yaml");
  writeFileSync(
    configFile,
    [
      "lang: en",
      "seed: 42",
      "stages:",
      "  - generate:",
      "      num: 40",
      `      seeds: ${JSON.stringify(join(packageRoot, "seeds", "seed_tasks.jsonl"))}`,
      "  - evolve:",
      "      rounds: 2",
      "  - dedup: {}",
      "  - filter: {}",
      "",
    ].join("\n"),
  );
  const { file, config } = await loadPipelineConfig(configFile);
  const outDir = join(work, "run");
  const simulator = await startSimulator({ seed: 3 });
  try {
    await runPipeline({ config, configFile: file, outDir, llm: { baseUrl: simulator.url, apiKey: "test", model: "sim", concurrency: 8, timeoutMs: 10_000, maxRetries: 2 } });
  } finally {
    await simulator.close();
  }
  return outDir;
}

export const HOSTILE = [
  { instruction: "<script>window.__pwned = 1; alert('script')</script> Explain XSS.", input: "<img src=x onerror=\"window.__pwned = 2; alert('img')\">", output: "**bold** [click me](javascript:alert('md')) <b onmouseover=alert(3)>hover</b>" },
  { instruction: "Render this: </pre><iframe src=\"javascript:alert('frame')\"></iframe>", input: "<svg onload=alert('svg')></svg>", output: "{{constructor.constructor('alert(1)')()}} &lt;not an entity&gt;" },
];

const jsonl = (values: readonly unknown[]): string => values.map((v) => `${JSON.stringify(v)}\n`).join("");

/** A finished single-stage directory whose records and rejection evidence are HTML/markdown injections. */
export function writeHostileRun(): string {
  const dir = join(tempDir("if-view-hostile-"), "filter");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "data.jsonl"), jsonl(HOSTILE));
  writeFileSync(join(dir, "meta.jsonl"), jsonl(HOSTILE.map((r, unit) => ({ id: recordId(r), stage: "filter", unit, operation: "<img src=x onerror=alert('op')>" }))));
  writeFileSync(join(dir, "rejected.jsonl"), jsonl([{ stage: "filter", reason: "<script>alert('reason')</script>", record: HOSTILE[0], detail: { evidence: "<img src=x onerror=alert('evidence')>" }, unit: 0 }]));
  writeFileSync(join(dir, "progress.jsonl"), jsonl([{ unit: 0 }]));
  writeFileSync(join(dir, "manifest.json"), JSON.stringify({ stage: "filter", status: "complete", counts: { accepted: 2, rejected: 1 } }));
  return dir;
}
