/** Rate limits: the RPM bucket measured at the simulator over a real 10-second window. */
import { afterEach, beforeEach, expect, test } from "vitest";
import { createLlmClient } from "../../src/llm/client.js";
import { TokenBucket } from "../../src/llm/limiter.js";
import { startSimulator, type RunningSimulator } from "../../src/simulator/server.js";
import { testSettings, userPrompt } from "./helpers.js";

let sim: RunningSimulator;
beforeEach(async () => {
  sim = await startSimulator();
});
afterEach(async () => {
  await sim.close();
});

test("rpm=600 holds within 5% over 10 s", async () => {
  const rpm = 600;
  const windowMs = 10_000;
  const client = createLlmClient(testSettings(sim.url, { rpm, concurrency: 4 }));
  const start = Date.now();
  let counter = 0;
  const worker = async () => {
    while (Date.now() - start < windowMs) await client.chat(userPrompt(`request ${counter++}`));
  };
  const counted = new Promise<number>((resolve) => setTimeout(() => resolve(sim.stats().requests), windowMs));

  const [inWindow] = await Promise.all([counted, ...Array.from({ length: 4 }, worker)]);

  const expected = (rpm / 60) * (windowMs / 1000);
  expect(Math.abs(inWindow - expected) / expected, `${inWindow} requests in the window, expected ${expected}`).toBeLessThanOrEqual(0.05);
}, 20_000);

test("a request larger than the bucket waits for a full bucket and leaves a debt", async () => {
  let now = 0;
  const bucket = new TokenBucket(10, 5, () => now);
  await bucket.acquire(20); // over capacity: allowed when full, level goes to -15
  let granted = false;
  const next = bucket.acquire(1).then(() => (granted = true));
  now = 1000; // +10 → level -5: still short
  bucket.adjust(0);
  await Promise.resolve();
  expect(granted).toBe(false);
  now = 1600; // +6 → level 1
  bucket.adjust(0);
  await next;
  expect(granted).toBe(true);
});
