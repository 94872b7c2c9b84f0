/** The LLM client against the real simulator over HTTP on 127.0.0.1. */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, test } from "vitest";
import { createLlmClient, type RetryEvent } from "../../src/llm/client.js";
import { FAST_BACKOFF, TEST_KEY, testSettings, userPrompt, useSimulators } from "./helpers.js";

const simulator = useSimulators({ seed: 7 });

const prompts = Array.from({ length: 20 }, (_, i) => `Describe interesting fact number ${i} about rivers.`);

/** The texts a fault-free simulator with the same seed gives: what retried requests must end with. */
async function referenceTexts(): Promise<string[]> {
  const clean = await simulator();
  const client = createLlmClient(testSettings(clean.url));
  return Promise.all(prompts.map(async (p) => (await client.chat(userPrompt(p))).text));
}

describe("retries", () => {
  test("succeed through 429 with Retry-After, honouring the wait", async () => {
    const expected = await referenceTexts();
    const sim = await simulator({ fail429: 0.3, retryAfterMs: 40 });
    const events: RetryEvent[] = [];
    const client = createLlmClient(testSettings(sim.url), { backoff: FAST_BACKOFF, onRetry: (e) => events.push(e) });

    const texts = await Promise.all(prompts.map(async (p) => (await client.chat(userPrompt(p))).text));

    expect(texts).toEqual(expected);
    const totals = client.totals();
    const stats = sim.stats();
    expect(stats.faults["429"]).toBeGreaterThan(0);
    expect(totals.retriesByCause["429"]).toBe(stats.faults["429"]);
    expect(totals.retries).toBe(stats.faults["429"]);
    expect(totals.httpRequests).toBe(stats.requests);
    expect(totals.failures).toBe(0);
    for (const event of events) expect(event.delayMs).toBeGreaterThanOrEqual(40);
  });

  test("succeed through 5xx", async () => {
    const expected = await referenceTexts();
    const sim = await simulator({ fail500: 0.3 });
    const client = createLlmClient(testSettings(sim.url), { backoff: FAST_BACKOFF });

    const texts = await Promise.all(prompts.map(async (p) => (await client.chat(userPrompt(p))).text));

    expect(texts).toEqual(expected);
    expect(sim.stats().faults["500"]).toBeGreaterThan(0);
    expect(client.totals().retriesByCause["5xx"]).toBe(sim.stats().faults["500"]);
    expect(client.totals().retries).toBe(sim.stats().faults["500"]);
  });

  test("a hung request times out and is retried", async () => {
    const sim = await simulator({ hang: 0.4 });
    const client = createLlmClient(testSettings(sim.url, { timeoutMs: 300 }), { backoff: FAST_BACKOFF });

    const replies = await Promise.all(prompts.slice(0, 8).map((p) => client.chat(userPrompt(p))));

    expect(replies.every((r) => r.text.length > 0)).toBe(true);
    expect(sim.stats().faults.hang).toBeGreaterThan(0);
    expect(client.totals().retriesByCause.timeout).toBe(sim.stats().faults.hang);
  });

  test("gives up after maxRetries with the 5xx in one sentence", async () => {
    const sim = await simulator({ fail500: 1 });
    const client = createLlmClient(testSettings(sim.url, { maxRetries: 2 }), { backoff: FAST_BACKOFF });

    await expect(client.chat(userPrompt("anything"))).rejects.toThrow(`${sim.url} kept failing after 2 retries: HTTP 500`);
    expect(sim.stats().requests).toBe(3);
    expect(client.totals()).toMatchObject({ retries: 2, failures: 1, httpRequests: 3 });
  });
});

describe("errors", () => {
  test("connection refused → one clear sentence, no key in it", async () => {
    const closedPort = await freePort();
    const baseUrl = `http://127.0.0.1:${closedPort}/v1`;
    const client = createLlmClient(testSettings(baseUrl, { maxRetries: 3 }), { backoff: FAST_BACKOFF });

    const error = await client.chat(userPrompt("hello")).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toBe(`could not reach ${baseUrl} after 3 retries: connection refused`);
    expect(message).not.toContain(TEST_KEY);
    expect(client.totals()).toMatchObject({ retries: 3, retriesByCause: { connection: 3 }, failures: 1 });
  });

  test("an auth error is not retried and says so", async () => {
    const sim = await simulator({ apiKey: "the-right-key" });
    const client = createLlmClient(testSettings(sim.url), { backoff: FAST_BACKOFF });

    const error = (await client.chat(userPrompt("hello")).catch((e: unknown) => e)) as Error;

    expect(error.message).toMatch(/^authentication failed at .* \(HTTP 401\): check OPENAI_API_KEY or --api-key$/);
    expect(error.message).not.toContain(TEST_KEY);
    expect(sim.stats().requests).toBe(1);
    expect(client.totals().retries).toBe(0);
  });
});

describe("replies", () => {
  test("finishReason length is surfaced with --truncate", async () => {
    const whole = await simulator();
    const cut = await simulator({ truncate: 1 });
    const request = userPrompt("Explain how tides work.");

    const full = await createLlmClient(testSettings(whole.url)).chat(request);
    const truncated = await createLlmClient(testSettings(cut.url)).chat(request);

    expect(full.finishReason).toBe("stop");
    expect(truncated.finishReason).toBe("length");
    expect(full.text.startsWith(truncated.text)).toBe(true);
    expect(truncated.text.length).toBeLessThan(full.text.length * 0.81);
    expect(truncated.usage.completionTokens).toBeGreaterThan(0);
  });

  test("a new sampleIndex asks the server for a fresh sample; the same one replays", async () => {
    const sim = await simulator();
    const client = createLlmClient(testSettings(sim.url));
    const request = { ...userPrompt("Suggest a name for a bakery."), temperature: 1 };

    const first = await client.chat(request);
    const again = await client.chat(request);
    const resample = await client.chat({ ...request, sampleIndex: 1 });

    expect(again.text).toBe(first.text);
    expect(resample.text).not.toBe(first.text);
    expect(sim.stats().requests).toBe(3);
  });

  test("usage, cost from configured prices, and JSON mode", async () => {
    const sim = await simulator();
    const client = createLlmClient(testSettings(sim.url, { prices: { "sim-model": { prompt: 1, completion: 2 } } }));

    const reply = await client.chat({ ...userPrompt("Reply in JSON: what is rain?"), json: true });

    expect(JSON.parse(reply.text)).toHaveProperty("answer");
    const { promptTokens, completionTokens } = reply.usage;
    expect(client.totals().costUsd).toBeCloseTo(promptTokens / 1000 + (completionTokens / 1000) * 2, 10);
  });
});

/** A port nothing listens on: bind, note the port, close. */
async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
