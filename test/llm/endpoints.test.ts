/** Several endpoints behind one client, against real simulators over HTTP on 127.0.0.1. */
import { describe, expect, test } from "vitest";
import { CircuitBreaker } from "../../src/llm/breaker.js";
import { createLlmClient } from "../../src/llm/client.js";
import type { EndpointSettings } from "../../src/llm/endpoints.js";
import { startSimulator } from "../../src/simulator/server.js";
import { FAST_BACKOFF, TEST_KEY, testSettings, userPrompt, useSimulators, withTempDir } from "./helpers.js";

const simulator = useSimulators({ seed: 7 });

function endpoint(sim: { url: string }, concurrency: number, extra: Partial<EndpointSettings> = {}): EndpointSettings {
  return { baseUrl: sim.url, apiKey: TEST_KEY, model: "sim-model", concurrency, ...extra };
}

/** Settings for several endpoints, as `resolveLlmSettings` builds them. */
function multi(endpoints: EndpointSettings[]) {
  return testSettings(endpoints[0]!.baseUrl, { endpoints, concurrency: endpoints.reduce((sum, e) => sum + e.concurrency, 0) });
}

const prompts = (n: number, topic = "rivers") => Array.from({ length: n }, (_, i) => `Describe interesting fact number ${i} about ${topic}.`);

/** A port nothing listens on: a simulator started and closed again. */
async function deadUrl(): Promise<string> {
  const sim = await startSimulator();
  await sim.close();
  return sim.url;
}

describe("routing", () => {
  test("each request goes to the endpoint with the most free capacity", async () => {
    const small = await simulator({ latencyMs: 50 });
    const large = await simulator({ latencyMs: 50 });
    const client = createLlmClient(multi([endpoint(small, 1), endpoint(large, 8)]));

    const replies = await Promise.all(prompts(90).map((p) => client.chat(userPrompt(p))));

    expect(replies).toHaveLength(90);
    const [a, b] = [small.stats(), large.stats()];
    // Never more in flight than an endpoint's own cap, and the larger one kept full.
    expect(a.maxInFlight).toBe(1);
    expect(b.maxInFlight).toBe(8);
    expect(a.requests + b.requests).toBe(90);
    expect(a.requests).toBeGreaterThan(0);
    // With equal latency the share follows the caps (8 : 1); allow a wide margin.
    expect(b.requests).toBeGreaterThan(4 * a.requests);
    const perEndpoint = client.totals().endpoints!;
    expect(perEndpoint.map((e) => e.requests)).toEqual([a.requests, b.requests]);
    expect(perEndpoint.map((e) => e.replies)).toEqual([a.completed, b.completed]);
    expect(perEndpoint.every((e) => e.errors === 0 && e.breaker === "closed")).toBe(true);
  });

  test("an endpoint whose rate budget is spent gets no more work until it refills", async () => {
    const limited = await simulator({ latencyMs: 10 });
    const open = await simulator({ latencyMs: 10 });
    // 0.6 rpm: one request at once, the next after 100 s; the run is over long before.
    const client = createLlmClient(multi([endpoint(limited, 8, { rpm: 0.6 }), endpoint(open, 8)]));

    await Promise.all(prompts(40).map((p) => client.chat(userPrompt(p))));

    expect(limited.stats().requests).toBe(1);
    expect(open.stats().requests).toBe(39);
  });

  test("the same request gets the same reply whichever endpoint answers, and the cache does not care which", async () => {
    await withTempDir(async (dir) => {
      const first = await simulator();
      const second = await simulator();
      const client = createLlmClient(multi([endpoint(first, 2), endpoint(second, 2)]), { cacheDir: dir });
      const texts = await Promise.all(prompts(12).map(async (p) => (await client.chat(userPrompt(p))).text));
      expect(first.stats().requests).toBeGreaterThan(0);
      expect(second.stats().requests).toBeGreaterThan(0);

      const third = await simulator();
      const again = createLlmClient(multi([endpoint(third, 4)]), { cacheDir: dir });
      const replayed = await Promise.all(prompts(12).map(async (p) => (await again.chat(userPrompt(p))).text));
      expect(replayed).toEqual(texts);
      expect(third.stats().requests).toBe(0);
      expect(again.totals().cacheHits).toBe(12);
    });
  });

  test("an endpoint's own model name is sent to it", async () => {
    const sim = await simulator();
    const client = createLlmClient(multi([endpoint(sim, 2, { model: "served-name" }), endpoint(await simulator(), 2)]));
    await client.chat(userPrompt("one request"));
    expect(client.totals().endpoints![0]!.model).toBe("served-name");
  });
});

describe("circuit breaker", () => {
  test("opens after the threshold, lets one probe through after the cool-down, and re-opens for longer on a failed probe", () => {
    let now = 0;
    const breaker = new CircuitBreaker({ threshold: 3, cooldownMs: 100, maxCooldownMs: 1000 }, () => now);
    breaker.failure(false);
    breaker.failure(false);
    expect(breaker.state).toBe("closed");
    breaker.failure(false);
    expect(breaker.state).toBe("open");
    expect(breaker.admits()).toBe("none");
    now = 99;
    expect(breaker.admits()).toBe("none");
    now = 100;
    expect(breaker.state).toBe("half-open");
    expect(breaker.admits()).toBe("probe");
    breaker.startProbe();
    expect(breaker.admits()).toBe("none");
    breaker.failure(true);
    expect(breaker.openings).toBe(2);
    now = 299;
    expect(breaker.state).toBe("open");
    now = 300;
    expect(breaker.admits()).toBe("probe");
    breaker.startProbe();
    breaker.success(true);
    expect(breaker.state).toBe("closed");
    expect(breaker.admits()).toBe("any");
    // A success resets the count: two more failures do not open it.
    breaker.failure(false);
    breaker.failure(false);
    expect(breaker.state).toBe("closed");
  });

  test("a dead endpoint is taken out, probed after the cool-down, and used again once it answers", async () => {
    const url = await deadUrl();
    const healthy = await simulator();
    let now = 0;
    const client = createLlmClient(multi([{ ...endpoint({ url }, 4) }, endpoint(healthy, 4)]), {
      breaker: { threshold: 3, cooldownMs: 1000 },
      clock: () => now,
      backoff: FAST_BACKOFF,
    });

    // One request at a time: each tries the first endpoint (a tie goes to the earlier one) until its breaker opens.
    for (const p of prompts(10)) await client.chat(userPrompt(p));
    let [dead, alive] = client.totals().endpoints!;
    expect(dead).toMatchObject({ requests: 3, errors: 3, replies: 0, breaker: "open", breakerOpenings: 1 });
    expect(dead!.errorsByCause).toEqual({ connection: 3 });
    expect(alive).toMatchObject({ requests: 10, replies: 10 });
    expect(client.totals()).toMatchObject({ failovers: 3, retries: 0, failures: 0, replies: 10 });

    // Cool-down over, still dead: the probe fails, the breaker re-opens, the request is served elsewhere.
    now = 1000;
    await client.chat(userPrompt("probe while still dead"));
    [dead, alive] = client.totals().endpoints!;
    expect(dead).toMatchObject({ requests: 4, errors: 4, breaker: "open", breakerOpenings: 2 });
    expect(alive!.replies).toBe(11);

    // The server comes back on the same port; after the (doubled) cool-down the probe succeeds.
    const port = Number(new URL(url).port);
    const revived = await simulator({ port });
    now = 1000 + 2000;
    for (const p of prompts(4, "lakes")) await client.chat(userPrompt(p));
    [dead, alive] = client.totals().endpoints!;
    expect(dead).toMatchObject({ breaker: "closed", replies: 4 });
    expect(revived.stats().completed).toBe(4);
    expect(client.totals().failures).toBe(0);
  });

  test("with every endpoint down, the retries and back-off decide as with one endpoint", async () => {
    const client = createLlmClient(multi([endpoint({ url: await deadUrl() }, 2), endpoint({ url: await deadUrl() }, 2)]), {
      breaker: { threshold: 1, cooldownMs: 60_000 },
      backoff: FAST_BACKOFF,
    });
    await expect(client.chat(userPrompt("nobody answers"))).rejects.toThrow(/could not reach .* after 6 retries: connection refused/);
    const totals = client.totals();
    expect(totals.retries).toBe(6);
    expect(totals.failures).toBe(1);
    // Every counted retry first tried the other endpoint.
    expect(totals.endpoints!.reduce((sum, e) => sum + e.requests, 0)).toBe(totals.httpRequests);
  });
});

describe("an endpoint dying mid-run", () => {
  test("its requests in flight and those after go to the others; nothing is lost and nothing counts as a failure", async () => {
    const reference = await simulator({ latencyMs: 5 });
    const expected = await (async () => {
      const client = createLlmClient(testSettings(reference.url));
      return Promise.all(prompts(120).map(async (p) => (await client.chat(userPrompt(p))).text));
    })();

    const dying = await simulator({ latencyMs: 20, dieAfterRequests: 15 });
    const steady = await simulator({ latencyMs: 20 });
    const client = createLlmClient(multi([endpoint(dying, 6), endpoint(steady, 6)]), { backoff: FAST_BACKOFF, breaker: { threshold: 3 } });
    const texts = await Promise.all(prompts(120).map(async (p) => (await client.chat(userPrompt(p))).text));

    expect(texts).toEqual(expected);
    const totals = client.totals();
    expect(totals).toMatchObject({ replies: 120, failures: 0 });
    const [died, survived] = totals.endpoints!;
    expect(died!.errors).toBeGreaterThan(0);
    expect(died!.breakerOpenings).toBeGreaterThanOrEqual(1);
    // A reply the dying server wrote but the reset cut off is counted there, not here.
    expect(died!.replies).toBeLessThanOrEqual(dying.stats().completed);
    expect(died!.replies + survived!.replies).toBe(120);
    expect(survived!.replies).toBe(steady.stats().completed);
    expect(totals.failovers).toBe(died!.errors);
  });
});
