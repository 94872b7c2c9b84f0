/** Where several endpoints come from: `--base-url` repeated, or `llm.endpoints` in a pipeline config. */
import { Command } from "commander";
import { afterEach, describe, expect, test } from "vitest";
import { addLlmOptions, resolveLlmSettings as resolveAsync, type LlmFlags, type ResolveOptions } from "../../src/commands/llmOptions.js";
import { UserError } from "../../src/errors.js";
import { parsePipelineConfig } from "../../src/pipeline/config.js";

function flagsOf(args: string[]): LlmFlags {
  const command = addLlmOptions(new Command("x").exitOverride()).action(() => undefined);
  command.parse(args, { from: "user" });
  return command.opts<LlmFlags>();
}

/** The settings without asking any server for its model list (these URLs serve nothing). */
function resolveLlmSettings(flags: LlmFlags, options: ResolveOptions = {}) {
  return resolveAsync(flags, { ...options, discover: false });
}

async function messageOf(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof UserError) return error.message;
    throw error;
  }
  throw new Error("expected a UserError");
}

const savedBaseUrl = process.env.OPENAI_BASE_URL;
afterEach(() => {
  if (savedBaseUrl === undefined) delete process.env.OPENAI_BASE_URL;
  else process.env.OPENAI_BASE_URL = savedBaseUrl;
});

describe("--base-url repeated", () => {
  test("each URL becomes an endpoint with the run's key, model and limits; capacity adds up", async () => {
    const settings = await resolveLlmSettings(flagsOf(["--base-url", "http://127.0.0.1:8001/v1", "--base-url", "http://127.0.0.1:8002/v1", "--api-key", "k", "--model", "m", "--concurrency", "3", "--rpm", "60"]));
    expect(settings.endpoints).toEqual([
      { baseUrl: "http://127.0.0.1:8001/v1", apiKey: "k", model: "m", concurrency: 3, rpm: 60 },
      { baseUrl: "http://127.0.0.1:8002/v1", apiKey: "k", model: "m", concurrency: 3, rpm: 60 },
    ]);
    expect(settings).toMatchObject({ baseUrl: "http://127.0.0.1:8001/v1", model: "m", concurrency: 6 });
  });

  test("one --base-url stays a single endpoint, and the command line replaces OPENAI_BASE_URL", async () => {
    process.env.OPENAI_BASE_URL = "http://127.0.0.1:9999/v1";
    const settings = await resolveLlmSettings(flagsOf(["--base-url", "http://127.0.0.1:8001/v1", "--api-key", "k"]));
    expect(settings.baseUrl).toBe("http://127.0.0.1:8001/v1");
    expect(settings.endpoints).toBeUndefined();
    expect((await resolveLlmSettings(flagsOf(["--api-key", "k"]))).baseUrl).toBe("http://127.0.0.1:9999/v1");
  });

  test("an empty OPENAI_BASE_URL is no endpoint; a URL given twice is refused", async () => {
    process.env.OPENAI_BASE_URL = "";
    expect(await messageOf(() => resolveLlmSettings(flagsOf(["--api-key", "k"])))).toMatch(/^no endpoint/);
    expect(await messageOf(() => resolveLlmSettings(flagsOf(["--base-url", "http://a:1/v1", "--base-url", "http://a:1/v1/", "--api-key", "k"])))).toContain("listed twice");
  });

  test("--service-tier flex is carried to the settings", async () => {
    expect((await resolveLlmSettings(flagsOf(["--base-url", "http://a:1/v1", "--api-key", "k", "--service-tier", "flex"]))).serviceTier).toBe("flex");
  });
});

const CONFIG = (llm: string) => `llm:
${llm}
stages:
  - generate:
      num: 10
`;

describe("llm.endpoints in a pipeline config", () => {
  test("keys from apiKeyEnv or literal, the rest from the run's flags", async () => {
    const config = parsePipelineConfig(
      CONFIG(`  model: qwen
  endpoints:
    - baseUrl: http://10.0.0.1:8000/v1
      apiKeyEnv: GPU1_KEY
      concurrency: 16
    - baseUrl: http://10.0.0.2:8000/v1
      apiKey: local
      model: Qwen/Qwen2.5-7B-Instruct
      tpm: 100000
    - baseUrl: http://10.0.0.3:8000/v1`),
      "configs/x.yaml",
    );
    const settings = await resolveLlmSettings(
      { apiKey: "run-key", model: "qwen", concurrency: "4" },
      { endpoints: config.llm?.endpoints, env: { GPU1_KEY: "gpu-one" } },
    );
    expect(settings.endpoints).toEqual([
      { baseUrl: "http://10.0.0.1:8000/v1", apiKey: "gpu-one", model: "qwen", concurrency: 16 },
      { baseUrl: "http://10.0.0.2:8000/v1", apiKey: "local", model: "Qwen/Qwen2.5-7B-Instruct", concurrency: 4, tpm: 100000 },
      { baseUrl: "http://10.0.0.3:8000/v1", apiKey: "run-key", model: "qwen", concurrency: 4 },
    ]);
    expect(settings).toMatchObject({ baseUrl: "http://10.0.0.1:8000/v1", apiKey: "gpu-one", model: "qwen", concurrency: 24 });
  });

  test("a missing key names the entry and the variable; a dry run needs none", async () => {
    const config = parsePipelineConfig(CONFIG(`  endpoints:\n    - baseUrl: http://10.0.0.1:8000/v1\n      apiKeyEnv: GPU1_KEY`), "configs/x.yaml");
    const endpoints = config.llm?.endpoints;
    expect(await messageOf(() => resolveLlmSettings({ model: "m" }, { endpoints, env: {} }))).toBe(
      "llm.endpoints[0] (http://10.0.0.1:8000/v1): the environment variable GPU1_KEY is not set (it should hold this endpoint's API key)",
    );
    expect((await resolveLlmSettings({ model: "m" }, { endpoints, env: {}, requireKeys: false })).endpoints).toHaveLength(1);
  });

  test.each([
    [`  baseUrl: http://a:1/v1\n  endpoints:\n    - baseUrl: http://b:1/v1`, /configs\/x\.yaml:3: llm\.endpoints: set llm\.baseUrl or llm\.endpoints, not both/],
    [`  endpoints:\n    - baseUrl: http://b:1/v1\n      apiKey: x\n      apiKeyEnv: X`, /configs\/x\.yaml:3: llm\.endpoints\[0\]: set apiKey or apiKeyEnv, not both/],
    [`  endpoints:\n    - basUrl: http://b:1/v1`, /llm\.endpoints\[0\]\.basUrl: unknown key \(did you mean "baseUrl"\?\)/],
    [`  endpoints:\n    - baseUrl: http://b:1/v1\n      concurrency: many`, /configs\/x\.yaml:4: llm\.endpoints\[0\]\.concurrency: expected a positive integer, got "many"/],
    [`  endpoints: []`, /llm\.endpoints: .*at least one endpoint/],
  ])("%s → file, line and key", async (llm, message) => {
    expect(await messageOf(async () => parsePipelineConfig(CONFIG(llm), "configs/x.yaml"))).toMatch(message);
  });
});
