/**
 * The dataset card (DIR/README.md): what the data is, where it came from, what was filtered,
 * and the terms it inherits. Written by `run` at the end of a pipeline and by `report --card`.
 */
import { join } from "node:path";
import { writeFileAtomic } from "../io/atomic.js";
import { finalStage, loadRun, type LoadedRun, type Manifest, type StageRun } from "./load.js";

export function writeDatasetCard(dir: string): string {
  const path = join(dir, "README.md");
  writeFileAtomic(path, datasetCard(loadRun(dir)));
  return path;
}

export function datasetCard(run: LoadedRun): string {
  const last = finalStage(run);
  const simulated = run.stages.some((s) => s.manifest?.endpoint?.simulator === true);
  return [
    `# Dataset card${simulated ? " — SIMULATED DATA" : ""}`,
    "",
    simulated ? "> **SIMULATED**: produced with the instructforge SIMULATOR, a test double — not a model. It shows the pipeline working, not generation quality; do not train on it.\n" : "",
    "## Contents",
    `- ${last.records.length} records (Alpaca format: instruction, input, output) in \`${run.isPipeline ? `${last.name}/data.jsonl` : "data.jsonl"}\`.`,
    `- ${last.records.filter((r) => r.input.trim() !== "").length} records have an input.`,
    "",
    "## Stages",
    "| stage | accepted | rejected | status |",
    "|---|---:|---:|---|",
    ...run.stages.map((s) => `| ${s.name} | ${s.records.length} | ${rejectedTotal(s)} | ${s.manifest?.status ?? "?"} |`),
    "",
    "## Sources",
    ...sourceLines(run),
    "",
    "## Models and endpoints",
    ...endpointLines(run),
    "",
    "## Filters (records removed, by reason)",
    ...filterLines(run),
    "",
    ...reviewLines(run),
    "## Configuration",
    ...run.stages.map((s) => `- **${s.name}**: \`${JSON.stringify(s.manifest?.config ?? {})}\``),
    "",
    "## License and terms",
    "- Generated data inherits the terms of the model provider that produced it (for example OpenAI's terms of use restrict using outputs to develop competing models). Check your provider's terms before you train on or publish this data.",
    "- The seed tasks keep their own license; state it here when you publish (instructforge's bundled seeds ship under the project's license).",
    "",
  ].join("\n");
}

/** Marks made in `instructforge view`; `filter --review` drops the bad ones. */
function reviewLines(run: LoadedRun): string[] {
  if (!run.reviews) return [];
  const { good, bad } = run.reviews;
  const lines = ["## Human review", `- ${good + bad} records reviewed in \`instructforge view\` (review.jsonl): ${good} marked good, ${bad} marked bad.`];
  if (bad > 0) lines.push("- `filter --review review.jsonl` drops the records marked bad (reason `reviewed_bad`).");
  return [...lines, ""];
}

function rejectedTotal(stage: StageRun): number {
  return Object.values(stage.rejectedByReason).reduce((a, b) => a + b, 0);
}

/** Config keys that name input files; stages differ in what they call them. */
const SOURCE_KEYS = ["seeds", "seedFile", "in", "input", "inputs"];

function sourceLines(run: LoadedRun): string[] {
  const lines = run.stages.flatMap((s) => SOURCE_KEYS.filter((key) => s.manifest?.config?.[key] !== undefined).map((key) => `- ${s.name}: ${key} = \`${JSON.stringify(s.manifest!.config![key])}\``));
  return lines.length > 0 ? lines : ["- not recorded in the manifests"];
}

function endpointLines(run: LoadedRun): string[] {
  const lines = run.stages.filter((s) => s.manifest?.endpoint).map((s) => `- ${s.name}: ${describeEndpoint(s.manifest!)}`);
  return lines.length > 0 ? lines : ["- not recorded in the manifests"];
}

function describeEndpoint(manifest: Manifest): string {
  const endpoint = manifest.endpoint!;
  const model = endpoint.model ?? (typeof manifest.config?.model === "string" ? manifest.config.model : "?");
  const where = endpoint.baseUrl ? ` at ${endpoint.baseUrl}` : "";
  return endpoint.simulator ? `**SIMULATED** (${endpoint.note ?? "instructforge SIMULATOR, a test double"}), model name \`${model}\`${where}` : `model \`${model}\`${where}`;
}

function filterLines(run: LoadedRun): string[] {
  const lines = run.stages.flatMap((s) =>
    Object.entries(s.rejectedByReason)
      .sort((a, b) => b[1] - a[1])
      .map(([reason, count]) => `- ${s.name}: ${reason} — ${count}`),
  );
  return lines.length > 0 ? lines : ["- none"];
}
