/**
 * Rate limits, measured over counts on a simulated clock (vitest's fake timers drive both the
 * bucket's clock and its wake-up timers), so a loaded machine cannot move the result.
 */
import { afterEach, expect, test, vi } from "vitest";
import { TokenBucket } from "../../src/llm/limiter.js";

afterEach(() => {
  vi.useRealTimers();
});

test("rpm=600 grants 10 a second: 100 in 10 simulated seconds, plus at most the small burst", async () => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance", "Date"] });
  const bucket = TokenBucket.perMinute(600);
  let granted = 0;
  let stop = false;
  const worker = async (): Promise<void> => {
    while (!stop) {
      await bucket.acquire(1);
      granted++;
    }
  };
  for (let i = 0; i < 4; i++) void worker();
  await vi.advanceTimersByTimeAsync(10_000);
  const inTenSeconds = granted;
  await vi.advanceTimersByTimeAsync(10_000);
  stop = true;
  expect(inTenSeconds, `${inTenSeconds} granted in 10 s`).toBeGreaterThanOrEqual(100);
  expect(inTenSeconds).toBeLessThanOrEqual(100 + bucket.capacity);
  // The next 10 s hold the same rate: no burst is banked while the workers wait.
  expect(granted - inTenSeconds).toBeGreaterThanOrEqual(99);
  expect(granted - inTenSeconds).toBeLessThanOrEqual(101);
});

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
