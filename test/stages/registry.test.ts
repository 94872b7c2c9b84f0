/**
 * The stage registry is the one list of stages: every stage in it has its CLI command, its config
 * key (checked by its own schema), a dry-run estimate, and its line in the docs; and product code
 * never imports the simulator (the test double).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../src/commands/program.js";
import { parsePipelineConfig, STAGE_OPTIONS } from "../../src/pipeline/config.js";
import { estimatePipeline } from "../../src/pipeline/estimate.js";
import { STAGES, WORK_STAGE_NAMES } from "../../src/stages/index.js";
import { REPO_ROOT } from "../reliability/harness.js";

const SEEDS = join(REPO_ROOT, "seeds", "seed_tasks.jsonl");
const DIRECTORY: Record<string, string> = { generate: "selfInstruct" };

describe("the stage registry", () => {
  const commands = new Map(buildProgram().commands.map((command) => [command.name(), command]));
  const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
  const architecture = readFileSync(join(REPO_ROOT, "docs", "ARCHITECTURE.md"), "utf8");

  it.each(WORK_STAGE_NAMES)("%s: a CLI command, a config key, an estimate and a docs line", async (name) => {
    const definition = STAGES[name];
    expect(definition.name).toBe(name);
    expect(commands.has(name), `no \`instructforge ${name}\` command`).toBe(true);
    expect(STAGE_OPTIONS[name]).toBe(definition.options);

    // A config with just this stage loads, and an unknown option of it is refused by its schema.
    const minimal = name === "generate" ? "{num: 10}" : "{}";
    const lang = name === "translate" ? "zh" : "en";
    const config = parsePipelineConfig(`lang: ${lang}\ninput: ${SEEDS}\nstages:\n  - ${name}: ${minimal}\n`, "registry.yaml");
    expect(() => parsePipelineConfig(`lang: ${lang}\ninput: ${SEEDS}\nstages:\n  - ${name}: {noSuchOption: 1}\n`, "registry.yaml")).toThrow(/noSuchOption: unknown key/);

    const estimate = await estimatePipeline(config, { baseUrl: "https://api.openai.com/v1", apiKey: "x", model: "gpt-4o-mini", concurrency: 8, timeoutMs: 1000, maxRetries: 0 });
    expect(estimate.stages.map((s) => s.name)).toEqual([name]);
    const [stage] = estimate.stages;
    if (definition.callsModel(config.stages[0]!.options as never)) expect(stage!.requests).toBeGreaterThan(0);
    else expect(stage!.requests).toBe(0);

    expect(readme, "README command table").toContain(`| \`${name}\` |`);
    expect(architecture, "docs/ARCHITECTURE.md stage table").toContain(`src/stages/${DIRECTORY[name] ?? name}/definition.ts`);
  });
});

describe("config keys and CLI flags are one set of names", () => {
  const commands = new Map(buildProgram().commands.map((command) => [command.name(), command]));
  // `--no-filter <rule>` is commander's negatable form: its attribute is `filter`.
  const flagFor = (key: string) => (key === "noFilter" ? "filter" : key);

  it.each(WORK_STAGE_NAMES)("%s: every option of its definition is a flag of its command", (name) => {
    const flags = new Set(commands.get(name)!.options.map((option) => option.attributeName()));
    const missing = Object.keys(STAGES[name].options.shape).filter((key) => !flags.has(flagFor(key)));
    expect(missing).toEqual([]);
  });
});

describe("the test double stays a test double", () => {
  it("no file under src/ outside src/simulator/ imports it, but the simulate command", () => {
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir)) {
        const path = join(dir, entry);
        if (statSync(path).isDirectory()) {
          if (entry !== "simulator") walk(path);
        } else if (path.endsWith(".ts") && !path.endsWith(join("commands", "simulate.ts"))) {
          if (/from "[./]*\/simulator\//.test(readFileSync(path, "utf8"))) offenders.push(relative(REPO_ROOT, path));
        }
      }
    };
    walk(join(REPO_ROOT, "src"));
    expect(offenders).toEqual([]);
  });
});
