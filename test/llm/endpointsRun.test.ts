/**
 * A whole stage over several endpoints, through the CLI: one endpoint dies mid-run and the stage
 * still completes with the dataset an uninterrupted single-endpoint run makes; the manifest shows
 * the failover per endpoint.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import type { EndpointTotals } from "../../src/llm/router.js";
import type { LlmTotals } from "../../src/llm/types.js";
import { startSimulator, type RunningSimulator } from "../../src/simulator/server.js";
import { ROOT, readJson, runCli, tempDir, TEST_KEY } from "../pipeline/helpers.js";

const running: RunningSimulator[] = [];
afterAll(async () => {
  await Promise.all(running.map((sim) => sim.close()));
});
async function simulator(options: Parameters<typeof startSimulator>[0] = {}): Promise<RunningSimulator> {
  const sim = await startSimulator({ seed: 11, latencyMs: 10, ...options });
  running.push(sim);
  return sim;
}

const SEEDS = path.join(ROOT, "seeds/seed_tasks.jsonl");
// Enough records that well over five requests start after the dying endpoint dies: a dead server
// has all its slots free, so it is tried first by each new request until its breaker opens.
const RECORDS = 450;
const generate = (out: string, ...urls: string[]) => [
  "generate", "--seeds", SEEDS, "--num", String(RECORDS), "--out", out, "--api-key", TEST_KEY, "--model", "sim", "--concurrency", "3",
  ...urls.flatMap((url) => ["--base-url", url]),
];

describe("generate over several endpoints", () => {
  test("one endpoint dies mid-run: the stage completes, nothing is lost, the manifest shows the failover", async () => {
    const reference = tempDir("endpoints-ref");
    const alone = await simulator();
    const first = await runCli(generate(reference, alone.url));
    expect(first.code, first.stderr).toBe(0);

    const out = tempDir("endpoints-multi");
    const dying = await simulator({ dieAfterRequests: 6 });
    const steady = await simulator();
    const other = await simulator();
    const result = await runCli(generate(out, dying.url, steady.url, other.url));
    expect(result.code, result.stderr).toBe(0);

    const data = readFileSync(path.join(out, "data.jsonl"), "utf8");
    expect(data).toBe(readFileSync(path.join(reference, "data.jsonl"), "utf8"));
    expect(data.trim().split("\n")).toHaveLength(RECORDS);

    const manifest = readJson<{ status: string; llm: LlmTotals & { endpoints: EndpointTotals[] } }>(path.join(out, "manifest.json"));
    expect(manifest.status).toBe("complete");
    const { llm } = manifest;
    expect(llm.failures).toBe(0);
    expect(llm.endpoints.map((e) => e.baseUrl)).toEqual([dying.url, steady.url, other.url]);
    const [died, ...alive] = llm.endpoints;
    expect(died!.errors).toBeGreaterThan(0);
    expect(died!.errorsByCause.connection).toBe(died!.errors);
    expect(died!.breakerOpenings).toBeGreaterThanOrEqual(1);
    expect(llm.failovers).toBe(died!.errors);
    for (const endpoint of alive) {
      expect(endpoint.errors).toBe(0);
      expect(endpoint.replies).toBeGreaterThan(0);
    }
    expect(alive.map((e) => e.replies)).toEqual([steady.stats().completed, other.stats().completed]);
    // Every reply came from exactly one endpoint, and the tokens add up.
    const sum = (pick: (e: EndpointTotals) => number) => llm.endpoints.reduce((total, e) => total + pick(e), 0);
    expect(sum((e) => e.replies)).toBe(llm.replies - llm.cacheHits);
    expect(sum((e) => e.requests)).toBe(llm.httpRequests);
    expect(sum((e) => e.promptTokens)).toBe(llm.promptTokens);
    expect(sum((e) => e.completionTokens)).toBe(llm.completionTokens);
  });
});

describe("run --config with llm.endpoints", () => {
  test("each endpoint's key comes from its variable; the stage manifest lists both endpoints; a dry run needs no key", async () => {
    const [one, two] = [await simulator({ apiKey: "key-one-0123456789" }), await simulator({ apiKey: "key-two-0123456789" })];
    const dir = tempDir("endpoints-config");
    const config = path.join(dir, "pipeline.yaml");
    writeFileSync(
      config,
      `llm:
  model: sim
  endpoints:
    - baseUrl: ${one.url}
      apiKeyEnv: IF_TEST_KEY_ONE
      concurrency: 2
    - baseUrl: ${two.url}
      apiKeyEnv: IF_TEST_KEY_TWO
      concurrency: 2
seed: 3
stages:
  - generate:
      num: 60
      seeds: ${SEEDS}
`,
    );
    const dry = await runCli(["run", "--config", config, "--dry-run"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("Cost by tier");

    process.env.IF_TEST_KEY_ONE = "key-one-0123456789";
    process.env.IF_TEST_KEY_TWO = "key-two-0123456789";
    try {
      const out = path.join(dir, "out");
      const result = await runCli(["run", "--config", config, "--out", out]);
      expect(result.code, result.stderr).toBe(0);
      const manifest = readJson<{ llm: LlmTotals & { endpoints: EndpointTotals[] } }>(path.join(out, "01-generate", "manifest.json"));
      expect(manifest.llm.endpoints.map((e) => e.baseUrl)).toEqual([one.url, two.url]);
      // Each simulator demands its own key: a wrong one would have been a 401 and a failed run.
      expect(manifest.llm.endpoints.every((e) => e.replies > 0 && e.errors === 0)).toBe(true);
      expect(JSON.stringify(manifest)).not.toContain("key-one-0123456789");
    } finally {
      delete process.env.IF_TEST_KEY_ONE;
      delete process.env.IF_TEST_KEY_TWO;
    }
  });
});
