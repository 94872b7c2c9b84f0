/**
 * A whole stage over several endpoints, through the CLI: one endpoint dies mid-run and the stage
 * still completes with the dataset an uninterrupted single-endpoint run makes; the manifest shows
 * the failover per endpoint.
 */
import { readFileSync } from "node:fs";
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
const generate = (out: string, ...urls: string[]) => [
  "generate", "--seeds", SEEDS, "--num", "150", "--out", out, "--api-key", TEST_KEY, "--model", "sim", "--concurrency", "3",
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
    expect(data.trim().split("\n")).toHaveLength(150);

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
