import { describe, expect, it } from "vitest";
import { Command } from "commander";
import { readdirSync } from "node:fs";
import { loadPipelineConfig, parsePipelineConfig, STAGE_OPTIONS, GenerateOptions } from "../../src/pipeline/config.js";
import { commandDefaults } from "../../src/pipeline/stageCalls.js";
import * as generateCommand from "../../src/commands/generate.js";
import { UserError } from "../../src/errors.js";

const FILE = "configs/x.yaml";

function errorOf(yaml: string): UserError {
  try {
    parsePipelineConfig(yaml, FILE);
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error("expected a config error");
}

const BASE = `lang: en
out: out/x
stages:
  - generate:
      num: 10
  - evolve:
      rounds: 2
  - dedup:
  - export:
      formats: [alpaca-json]
`;

describe("pipeline config", () => {
  it("parses stages in order, with options, and `- dedup:` with none", () => {
    const config = parsePipelineConfig(BASE, FILE);
    expect(config.stages.map((s) => s.name)).toEqual(["generate", "evolve", "dedup", "export"]);
    expect(config.stages[0]).toEqual({ name: "generate", options: { num: 10 } });
    expect(config.seed).toBe(1);
  });

  it("names file, line and key for a wrong type, and what was expected", () => {
    const error = errorOf(BASE.replace("rounds: 2", 'rounds: "four"'));
    expect(error.message).toBe('configs/x.yaml:7: stages[1].evolve.rounds: expected a positive integer, got "four"');
    expect(error.exitCode).toBe(2);
  });

  it("suggests the key meant by a typo", () => {
    const error = errorOf(BASE.replace("num: 10", "nmu: 10"));
    expect(error.message).toContain('configs/x.yaml:5: stages[0].generate.nmu: unknown key (did you mean "num"?)');
    expect(error.message).toContain("configs/x.yaml:4: stages[0].generate.num: missing; expected a positive integer");
  });

  it("rejects an unknown stage at its line with the list of stages", () => {
    const error = errorOf(BASE.replace("- evolve:", "- evolv:"));
    expect(error.message).toBe(
      'configs/x.yaml:6: stages[1].evolv: unknown stage (did you mean "evolve"?); stages are: generate, evolve, answer, dedup, filter, translate, export',
    );
  });

  it("refuses an API key in the file and says where it belongs", () => {
    const error = errorOf(`llm:\n  model: gpt-4o-mini\n  apiKey: sk-123\n${BASE}`);
    expect(error.message).toMatch(/^configs\/x\.yaml:3: llm\.apiKey: .*OPENAI_API_KEY/);
    expect(error.message).not.toContain("sk-123");
  });

  it("reports YAML syntax errors with their line", () => {
    expect(errorOf("lang: en\nstages: [\n  - generate\n").message).toMatch(/^configs\/x\.yaml:\d+: not valid YAML or JSON/);
  });

  it("reads JSON too", () => {
    const config = parsePipelineConfig(JSON.stringify({ lang: "zh", stages: [{ generate: { num: 5 } }] }), FILE);
    expect(config.lang).toBe("zh");
  });

  it("every stage option is a flag of the stage's command (config and CLI cannot drift)", () => {
    const flags = Object.keys(commandDefaults(generateCommand.register, "generate"));
    const program = new Command();
    generateCommand.register(program);
    const names = program.commands[0]!.options.map((o) => o.attributeName());
    // `--no-filter <rule>` is stored by commander under "filter" (a negatable flag); the stage's
    // parser reads it as `noFilter`, which is the name the config uses.
    const known = new Set([...names, "noFilter"]);
    for (const key of Object.keys(GenerateOptions.shape)) expect([...known], key).toContain(key);
    expect(flags).toContain("tasksPerRequest");
    expect(Object.keys(STAGE_OPTIONS)).toContain("export");
  });

  it.each(readdirSync("configs").filter((f) => f.endsWith(".yaml")))("configs/%s is valid", async (file) => {
    const { config } = await loadPipelineConfig(`configs/${file}`);
    expect(config.stages.length).toBeGreaterThan(0);
  });

  it("a translate stage needs lang: zh", () => {
    expect(errorOf("lang: en\ninput: x.json\nstages:\n  - translate: {}\n").message).toMatch(/:4: stages\[0\]\.translate: translate writes Simplified Chinese/);
  });
});
