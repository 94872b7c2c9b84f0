import { describe, expect, it } from "vitest";
import { Command } from "commander";
import { readdirSync } from "node:fs";
import { loadPipelineConfig, parsePipelineConfig, STAGE_OPTIONS } from "../../src/pipeline/config.js";
import * as answerCommand from "../../src/commands/answer.js";
import * as dedupCommand from "../../src/commands/dedup.js";
import * as evolveCommand from "../../src/commands/evolve.js";
import * as filterCommand from "../../src/commands/filter.js";
import * as generateCommand from "../../src/commands/generate.js";
import * as translateCommand from "../../src/commands/translate.js";
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

const STAGE_COMMANDS = {
  generate: generateCommand,
  evolve: evolveCommand,
  answer: answerCommand,
  dedup: dedupCommand,
  filter: filterCommand,
  translate: translateCommand,
};

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

  it.each(Object.entries(STAGE_COMMANDS))("every %s option in the config is a flag of its command (they cannot drift)", (name, command) => {
    const program = new Command();
    command.register(program);
    const flags = new Set(program.commands[0]!.options.map((o) => o.attributeName()));
    // `--no-filter <rule>` is stored by commander under "filter"; the config calls it noFilter.
    if (name === "generate") flags.add("noFilter");
    const options = STAGE_OPTIONS[name as keyof typeof STAGE_OPTIONS];
    for (const key of Object.keys(options.shape)) expect([...flags], `${name}.${key}`).toContain(key);
  });

  it.each(readdirSync("configs").filter((f) => f.endsWith(".yaml")))("configs/%s is valid", async (file) => {
    const { config } = await loadPipelineConfig(`configs/${file}`);
    expect(config.stages.length).toBeGreaterThan(0);
  });

  it("a translate stage needs lang: zh", () => {
    expect(errorOf("lang: en\ninput: x.json\nstages:\n  - translate: {}\n").message).toMatch(/:4: stages\[0\]\.translate: translate writes Simplified Chinese/);
  });
});
