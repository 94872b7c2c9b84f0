/** The CLI against a one-model llama.cpp-like SIMULATOR (test double) without --model. */
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startSimulator, type RunningSimulator } from "../../src/simulator/server.js";
import { readJson, runCli, tempDir } from "../pipeline/helpers.js";

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({ profile: "llamacpp", context: 2048 });
});
afterAll(async () => {
  await sim.close();
});

interface Manifest {
  status: string;
  endpoint: { model: string; contextTokens?: number };
  llm: { costUsd: number; costKnown: boolean; promptTokens: number };
}

it("discovers the model, fits max_tokens to the slot's context, and bills nothing at a hosted price", async () => {
  const out = tempDir("servers-cli");
  const result = await runCli(["generate", "--num", "6", "--out", out, "--base-url", sim.url]);
  expect(result.code, result.stderr).toBe(0);
  expect(result.stderr).toContain("no --model given: using 'instructforge-simulator-llamacpp.gguf'");
  expect(result.stderr.match(/max_tokens 3072 lowered to \d+/g)).toHaveLength(1);
  expect(sim.stats().requestsByStatus["400"]).toBeUndefined();

  const manifest = readJson<Manifest>(path.join(out, "manifest.json"));
  expect(manifest.status).toBe("complete");
  expect(manifest.endpoint).toMatchObject({ model: "instructforge-simulator-llamacpp.gguf", modelSource: "discovered", contextTokens: 2048 });
  expect(manifest.llm).toMatchObject({ costUsd: 0, costKnown: false });
  expect(manifest.llm.promptTokens).toBeGreaterThan(0);
});

it("--price-prompt/--price-completion set a price; one without the other is refused", async () => {
  const out = tempDir("servers-cli-priced");
  const priced = await runCli(["generate", "--num", "3", "--out", out, "--base-url", sim.url, "--price-prompt", "0.5", "--price-completion", "1"]);
  expect(priced.code, priced.stderr).toBe(0);
  const manifest = readJson<Manifest>(path.join(out, "manifest.json"));
  expect(manifest.llm.costKnown).toBe(true);
  expect(manifest.llm.costUsd).toBeGreaterThan(0);

  const half = await runCli(["generate", "--num", "3", "--out", tempDir("servers-cli-half"), "--base-url", sim.url, "--price-prompt", "0.5"]);
  expect(half.code).toBe(2);
  expect(half.stderr).toContain("--price-prompt and --price-completion go together");
});

it("a run made before discovery (recorded with the old default model) still resumes without --model", async () => {
  const out = tempDir("servers-cli-resume");
  const before = await runCli(["generate", "--num", "3", "--out", out, "--base-url", sim.url, "--model", "gpt-4o-mini"]);
  expect(before.code, before.stderr).toBe(0);
  const again = await runCli(["generate", "--num", "6", "--out", out, "--base-url", sim.url]);
  expect(again.code, again.stderr).toBe(0);
  expect(again.stderr).toContain("no --model given: using 'gpt-4o-mini', the model the earlier run in this output directory was made with");
  expect(readJson<Manifest>(path.join(out, "manifest.json")).endpoint.model).toBe("gpt-4o-mini");
});
