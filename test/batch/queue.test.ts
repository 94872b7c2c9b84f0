/**
 * The batch queue through the library API (`createStageLlm`), against the SIMULATOR's Batch API
 * (a test double) over real HTTP: waves split at the file limits, replies matched by custom_id and
 * identical to online ones, bounded resubmission, and non-retryable lines.
 */
import { afterEach, describe, expect, it } from "vitest";
import { cacheKey } from "../../src/llm/cache.js";
import { createLlmClient } from "../../src/llm/client.js";
import { createStageLlm } from "../../src/llm/batch/index.js";
import type { LlmSettings } from "../../src/llm/types.js";
import { startSimulator, type RunningSimulator } from "../../src/simulator/server.js";
import { testSettings, withTempDir, FAST_BACKOFF } from "../llm/helpers.js";
import { readJournal } from "./helpers.js";

let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const prompts = (n: number) => Array.from({ length: n }, (_, k) => ({ messages: [{ role: "user" as const, content: `Answer question number ${k}: why is the sky blue?` }] }));

function batchSettings(url: string, overrides: Partial<LlmSettings> = {}): LlmSettings {
  return testSettings(url, { mode: "batch", concurrency: 100, batch: { pollMinMs: 20, pollMaxMs: 100, idleMs: 20 }, ...overrides });
}

describe("the batch queue", () => {
  it("submits a wave when it reaches the file line limit, and matches shuffled results by custom_id", async () => {
    sim = await startSimulator({ port: 0, seed: 3 });
    const requests = prompts(23);
    const online = createLlmClient(testSettings(sim.url));
    const expected = await Promise.all(requests.map((r) => online.chat(r)));
    await withTempDir(async (dir) => {
      const settings = batchSettings(sim!.url, { batch: { pollMinMs: 20, pollMaxMs: 100, idleMs: 20, maxFileLines: 10 } });
      const stage = createStageLlm(settings, { cacheDir: `${dir}/cache`, runDir: dir, fingerprint: "test-n23" });
      const replies = await Promise.all(requests.map((r) => stage.client.chat(r)));
      expect(replies.map((r) => r.text)).toEqual(expected.map((r) => r.text));
      expect(replies.map((r) => r.usage)).toEqual(expected.map((r) => r.usage));

      const recorded = readJournal(dir).filter((line) => line.type === "batch");
      expect(recorded.map((line) => [line.wave, line.lines]).sort((a, b) => a[0]! - b[0]!)).toEqual([
        [1, 10],
        [2, 10],
        [3, 3],
      ]);
      // custom_id is the response-cache key, and every reply is now in that cache.
      expect(Object.keys(sim!.batchStats().submissions).sort()).toEqual(requests.map((r) => cacheKey("sim-model", r)).sort());
      const again = createLlmClient(settings, { cacheDir: `${dir}/cache` });
      expect((await Promise.all(requests.map((r) => again.chat(r)))).every((r) => r.cached)).toBe(true);
      stage.close();
    });
  });

  it("keeps each wave's file under the byte limit too", async () => {
    sim = await startSimulator({ port: 0, seed: 3 });
    await withTempDir(async (dir) => {
      const settings = batchSettings(sim!.url, { batch: { pollMinMs: 20, pollMaxMs: 100, idleMs: 20, maxFileBytes: 1_000 } });
      const stage = createStageLlm(settings, { runDir: dir, fingerprint: "test" });
      await Promise.all(prompts(12).map((r) => stage.client.chat(r)));
      const waves = readJournal(dir).filter((line) => line.type === "batch");
      expect(waves.length).toBeGreaterThan(2);
      expect(waves.reduce((n, w) => n + w.lines!, 0)).toBe(12);
      const files = await Promise.all(
        waves.map(async (w) => {
          const batch = (await (await fetch(`${sim!.url}/batches/${w.batchId}`)).json()) as { input_file_id: string };
          return (await fetch(`${sim!.url}/files/${batch.input_file_id}/content`)).arrayBuffer();
        }),
      );
      for (const file of files) expect(file.byteLength).toBeLessThanOrEqual(1_000);
      stage.close();
    });
  });

  it("resubmits a failing line a bounded number of times, then rejects with the batches named", async () => {
    sim = await startSimulator({ port: 0, seed: 3, batchFailRate: 1 });
    await withTempDir(async (dir) => {
      const stage = createStageLlm(batchSettings(sim!.url, { maxRetries: 2 }), { runDir: dir, fingerprint: "test", backoff: FAST_BACKOFF });
      const error = await stage.client.chat(prompts(1)[0]!).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/batch request \w+… failed 3 times \(batches \S+, \S+, \S+\); last: HTTP 500: simulated batch line failure/);
      expect(Object.values(sim!.batchStats().submissions)).toEqual([["failed", "failed", "failed"]]);
      expect(stage.batchStats()).toMatchObject({ batchesCreated: 3, linesResubmitted: 2, linesFailed: 3 });
      stage.close();
    });
  });

  it("rejects at once a line the server refuses (HTTP 400), without resubmitting it", async () => {
    sim = await startSimulator({ port: 0, seed: 3 });
    await withTempDir(async (dir) => {
      const stage = createStageLlm(batchSettings(sim!.url), { runDir: dir, fingerprint: "test" });
      // An empty message list passes our types but not the server's validation.
      const error = await stage.client.chat({ messages: [] }).catch((e: unknown) => e);
      expect((error as Error).message).toMatch(/rejected the request \(HTTP 400\)/);
      expect(Object.values(sim!.batchStats().submissions)).toEqual([["failed"]]);
      stage.close();
    });
  });

  it("bills batch and flex requests at half the online price", async () => {
    sim = await startSimulator({ port: 0, seed: 3 });
    const requests = prompts(5);
    const costOf = async (client: { chat: (r: (typeof requests)[number]) => Promise<unknown>; totals: () => { costUsd: number } }) => {
      await Promise.all(requests.map((r) => client.chat(r)));
      return client.totals().costUsd;
    };
    // Local endpoints have no list price: the test names one (USD per 1K tokens, gpt-4o-mini's).
    const priced = { model: "gpt-4o-mini", price: { prompt: 0.00015, completion: 0.0006 } };
    const online = await costOf(createLlmClient(testSettings(sim.url, priced)));
    const flex = await costOf(createLlmClient(testSettings(sim.url, { ...priced, serviceTier: "flex" })));
    expect(online).toBeGreaterThan(0);
    expect(flex).toBeCloseTo(online / 2, 12);
    await withTempDir(async (dir) => {
      const stage = createStageLlm(batchSettings(sim!.url, priced), { runDir: dir, fingerprint: "test" });
      expect(await costOf(stage.client)).toBeCloseTo(online / 2, 12);
      stage.close();
    });
  });

  it("says clearly when the endpoint has no Batch API", async () => {
    const plain = await import("node:http").then((http) => http.createServer((_req, res) => res.writeHead(404).end("{}")));
    await new Promise<void>((resolve) => plain.listen(0, "127.0.0.1", resolve));
    const address = plain.address();
    const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/v1`;
    try {
      await withTempDir(async (dir) => {
        const stage = createStageLlm(batchSettings(url), { runDir: dir, fingerprint: "test" });
        await expect(stage.client.chat(prompts(1)[0]!)).rejects.toThrow(/has no Batch API \(HTTP 404 for POST \/files\).*--mode online/);
        stage.close();
      });
    } finally {
      await new Promise((resolve) => plain.close(resolve));
    }
  });
});
