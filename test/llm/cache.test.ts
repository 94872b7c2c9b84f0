/** The on-disk response cache, end to end through the client and the simulator. */
import { readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { cacheKey } from "../../src/llm/cache.js";
import { createLlmClient } from "../../src/llm/client.js";
import { startSimulator, type RunningSimulator } from "../../src/simulator/server.js";
import { testSettings, userPrompt, withTempDir } from "./helpers.js";

let sim: RunningSimulator;
beforeEach(async () => {
  sim = await startSimulator({ seed: 3, truncate: 0.3 });
});
afterEach(async () => {
  await sim.close();
});

const requests = Array.from({ length: 12 }, (_, i) => userPrompt(`Give advice number ${i} on learning to cook.`));
const priced = () => testSettings(sim.url, { prices: { "sim-model": { prompt: 0.5, completion: 1 } } });

async function runAll(cacheDir: string) {
  const client = createLlmClient(priced(), { cacheDir });
  const replies = await Promise.all(requests.map((r) => client.chat(r)));
  return { client, replies };
}

test("a second identical run makes zero HTTP requests", async () => {
  await withTempDir(async (dir) => {
    const first = await runAll(dir);
    expect(sim.stats().requests).toBe(requests.length);
    expect(first.client.totals().costUsd).toBeGreaterThan(0);
    sim.resetStats();

    const second = await runAll(dir);

    expect(sim.stats().requests).toBe(0);
    expect(second.replies.map((r) => [r.text, r.finishReason])).toEqual(first.replies.map((r) => [r.text, r.finishReason]));
    expect(second.replies.some((r) => r.finishReason === "length")).toBe(true);
    expect(second.replies.every((r) => r.cached)).toBe(true);
    const totals = second.client.totals();
    expect(totals).toMatchObject({ cacheHits: requests.length, httpRequests: 0, costUsd: 0 });
    expect(totals.cachedCompletionTokens).toBe(first.client.totals().completionTokens);
    expect(totals.completionTokens).toBe(first.client.totals().completionTokens);
  });
});

test("sampleIndex and decoding settings are part of the key", () => {
  const base = userPrompt("same");
  const keys = new Set([
    cacheKey("m", base),
    cacheKey("m", { ...base, sampleIndex: 1 }),
    cacheKey("m", { ...base, temperature: 0.7 }),
    cacheKey("m", { ...base, json: true }),
    cacheKey("other", base),
  ]);
  expect(keys.size).toBe(5);
  expect(cacheKey("m", { ...base, sampleIndex: 0 })).toBe(cacheKey("m", base));
});

test("a corrupt cache entry is a miss, not a crash, and is rewritten", async () => {
  await withTempDir(async (dir) => {
    await runAll(dir);
    const damaged = [requests[0], requests[1]].map((r) => cacheKey("sim-model", r!));
    await writeFile(path.join(dir, damaged[0]!.slice(0, 2), `${damaged[0]}.json`), '{"format": "instructforge-llm-cache/1", "reply": {"te');
    await writeFile(path.join(dir, damaged[1]!.slice(0, 2), `${damaged[1]}.json`), JSON.stringify({ unrelated: true }));
    sim.resetStats();

    const rerun = await runAll(dir);

    expect(sim.stats().requests).toBe(2);
    expect(rerun.client.totals().cacheHits).toBe(requests.length - 2);
    sim.resetStats();
    await runAll(dir);
    expect(sim.stats().requests).toBe(0);
    const shards = await readdir(dir);
    expect(shards.every((name) => /^[0-9a-f]{2}$/.test(name))).toBe(true);
  });
});

test("failures are not cached", async () => {
  await sim.close();
  sim = await startSimulator({ fail500: 1 });
  await withTempDir(async (dir) => {
    const client = createLlmClient(testSettings(sim.url, { maxRetries: 0 }), { cacheDir: dir });
    await expect(client.chat(requests[0]!)).rejects.toThrow(/HTTP 500/);
    expect(await readdir(dir)).toEqual([]);
  });
});
