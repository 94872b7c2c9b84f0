/** Retry timing and price lookup: pure functions, no server. */
import { describe, expect, test } from "vitest";
import { priceFor } from "../../src/llm/cost.js";
import { backoffDelayMs, giveUpMessage, redactSecret, retryAfterFromHeaders } from "../../src/llm/retry.js";

describe("retryAfterFromHeaders", () => {
  const now = Date.parse("2025-01-01T00:00:00Z");
  test("prefers retry-after-ms", () => {
    expect(retryAfterFromHeaders(new Headers({ "retry-after-ms": "250", "retry-after": "3" }), now)).toBe(250);
  });
  test("reads Retry-After in seconds", () => {
    expect(retryAfterFromHeaders(new Headers({ "retry-after": "2" }), now)).toBe(2000);
  });
  test("reads Retry-After as an HTTP date", () => {
    expect(retryAfterFromHeaders(new Headers({ "retry-after": "Wed, 01 Jan 2025 00:00:05 GMT" }), now)).toBe(5000);
  });
  test("ignores garbage and absence", () => {
    expect(retryAfterFromHeaders(new Headers({ "retry-after": "soon" }), now)).toBeUndefined();
    expect(retryAfterFromHeaders(new Headers(), now)).toBeUndefined();
  });
});

test("backoff is full jitter under an exponential, capped ceiling", () => {
  const policy = { baseMs: 100, maxMs: 1000 };
  expect(backoffDelayMs(0, policy, () => 0.999)).toBe(99);
  expect(backoffDelayMs(2, policy, () => 0.5)).toBe(200);
  expect(backoffDelayMs(10, policy, () => 0.999)).toBe(999);
  expect(backoffDelayMs(3, policy, () => 0)).toBe(0);
});

test("give-up messages are one sentence and count retries", () => {
  expect(giveUpMessage("http://127.0.0.1:9/v1", 6, { cause: "connection", detail: "connection refused" })).toBe(
    "could not reach http://127.0.0.1:9/v1 after 6 retries: connection refused",
  );
  expect(giveUpMessage("http://x/v1", 1, { cause: "5xx", detail: "HTTP 502" })).toBe("http://x/v1 kept failing after 1 retry: HTTP 502");
});

test("redactSecret removes every occurrence", () => {
  expect(redactSecret("key sk-abcdef and sk-abcdef", "sk-abcdef")).toBe("key *** and ***");
});

test("prices: exact, dated snapshot, override, unknown", () => {
  const mini = priceFor("gpt-4o-mini");
  expect(mini?.prompt).toBeCloseTo(0.00015, 12);
  expect(mini?.completion).toBeCloseTo(0.0006, 12);
  expect(mini?.cachedPrompt).toBeCloseTo(0.000075, 12);
  expect(priceFor("gpt-4o-mini-2024-07-18")).toEqual(priceFor("gpt-4o-mini"));
  expect(priceFor("gpt-4.1-nano-2025-04-14")).toEqual(priceFor("gpt-4.1-nano"));
  expect(priceFor("gpt-4o", { "gpt-4o": { prompt: 1, completion: 1 } })).toEqual({ prompt: 1, completion: 1 });
  expect(priceFor("gpt-4o", {})).toBeUndefined();
  expect(priceFor("llama3:8b")).toBeUndefined();
});
