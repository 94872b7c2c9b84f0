/** The simulator (a test double) over raw HTTP: shape, determinism, faults, stats. */
import { afterEach, describe, expect, test } from "vitest";
import { SIMULATOR_OWNER, startSimulator, type RunningSimulator, type SimulatorOptions } from "../../src/simulator/server.js";
import { hanShare } from "../../src/text/language.js";

const running: RunningSimulator[] = [];
async function simulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const sim = await startSimulator(options);
  running.push(sim);
  return sim;
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.close()));
});

interface Completion {
  id: string;
  object: string;
  model: string;
  choices: Array<{ index: number; message: { role: string; content: string }; finish_reason: string }>;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

async function complete(sim: RunningSimulator, body: Record<string, unknown>): Promise<{ status: number; json: Completion; headers: Headers }> {
  const response = await fetch(`${sim.url}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer any" },
    body: JSON.stringify({ model: "m", ...body }),
  });
  return { status: response.status, json: (await response.json()) as Completion, headers: response.headers };
}

const ask = (content: string, extra: Record<string, unknown> = {}) => ({ messages: [{ role: "user", content }], ...extra });

describe("chat completions", () => {
  test("OpenAI response shape with deterministic usage", async () => {
    const sim = await simulator();
    const { status, json } = await complete(sim, ask("Name three uses of copper."));
    expect(status).toBe(200);
    expect(json.object).toBe("chat.completion");
    expect(json.model).toBe("m");
    const [choice] = json.choices;
    expect(choice).toMatchObject({ index: 0, message: { role: "assistant" }, finish_reason: "stop" });
    const words = choice!.message.content.split(/\s+/).length;
    expect(words).toBeGreaterThanOrEqual(20);
    expect(words).toBeLessThanOrEqual(230);
    expect(json.usage.completion_tokens).toBe(Math.ceil(choice!.message.content.length / 4));
    expect(json.usage.total_tokens).toBe(json.usage.prompt_tokens + json.usage.completion_tokens);
  });

  test("same seed + request → same text; another seed → different", async () => {
    const [a, b, other] = await Promise.all([simulator({ seed: 1 }), simulator({ seed: 1 }), simulator({ seed: 2 })]);
    const request = ask("Why is the sky blue?", { temperature: 0.7 });
    const text = async (sim: RunningSimulator) => (await complete(sim, request)).json.choices[0]!.message.content;
    expect(await text(a)).toBe(await text(b));
    expect(await text(a)).toBe(await text(a));
    expect(await text(other)).not.toBe(await text(a));
    const hotter = (await complete(a, ask("Why is the sky blue?", { temperature: 1 }))).json.choices[0]!.message.content;
    expect(hotter).not.toBe(await text(a));
  });

  test("answers Chinese prompts in Chinese and code prompts with a code block", async () => {
    const sim = await simulator();
    const zh = (await complete(sim, ask("请简要介绍一下长城的历史。"))).json.choices[0]!.message.content;
    expect(hanShare(zh)).toBeGreaterThan(0.5);
    const codeReplies = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => (await complete(sim, ask(`Write a Python function that solves task ${i}.`))).json.choices[0]!.message.content),
    );
    // About 80% of code prompts get a code block (the rest a prose answer).
    expect(codeReplies.filter((t) => t.includes("```python")).length).toBeGreaterThanOrEqual(12);
  });

  test("max_tokens cuts with finish_reason length; stop sequences are honoured", async () => {
    const sim = await simulator();
    const limited = await complete(sim, ask("Explain the water cycle in detail.", { max_tokens: 5 }));
    expect(limited.json.choices[0]!.finish_reason).toBe("length");
    expect(limited.json.choices[0]!.message.content.length).toBeLessThanOrEqual(20);
    const stopped = await complete(sim, ask("Explain the water cycle in detail.", { stop: ["\n"] }));
    expect(stopped.json.choices[0]!.message.content).not.toContain("\n");
  });

  test("an invalid body is a 400 in OpenAI's error shape", async () => {
    const sim = await simulator();
    const { status, json } = await complete(sim, { messages: "not a list" });
    expect(status).toBe(400);
    expect(json).toMatchObject({ error: { type: "invalid_request_error" } });
  });
});

describe("faults", () => {
  test("429 carries Retry-After and retry-after-ms; a retry of the same body gets a fresh draw", async () => {
    const sim = await simulator({ fail429: 0.5, retryAfterMs: 1500 });
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 12; attempt++) {
      const { status, headers } = await complete(sim, ask("same body every time"));
      statuses.push(status);
      if (status === 429) {
        expect(headers.get("retry-after")).toBe("2");
        expect(headers.get("retry-after-ms")).toBe("1500");
      }
    }
    expect(statuses).toContain(429);
    expect(statuses).toContain(200);
    expect(sim.stats().faults["429"]).toBe(statuses.filter((s) => s === 429).length);
  });

  test("truncate and malformed are decided per body: replays are identical", async () => {
    const sim = await simulator({ truncate: 0.5, malformed: 0.5 });
    const bodies = Array.from({ length: 10 }, (_, i) => ask(`Topic ${i}: explain volcanoes.`));
    const first = await Promise.all(bodies.map((b) => complete(sim, b)));
    const second = await Promise.all(bodies.map((b) => complete(sim, b)));
    expect(second.map((r) => r.json.choices[0])).toEqual(first.map((r) => r.json.choices[0]));
    const stats = sim.stats();
    expect(stats.faults.truncate + stats.faults.malformed).toBe(20);
    expect(first.some((r) => r.json.choices[0]!.finish_reason === "length")).toBe(true);
  });

  test("fault rates are validated", async () => {
    await expect(startSimulator({ fail429: 0.7, fail500: 0.7 })).rejects.toThrow(/must not exceed 1/);
  });
});

describe("other endpoints", () => {
  test("/v1/models lists the test double", async () => {
    const sim = await simulator();
    const models = (await (await fetch(`${sim.url}/models`)).json()) as { data: Array<{ owned_by: string }> };
    expect(models.data[0]?.owned_by).toBe(SIMULATOR_OWNER);
    expect(SIMULATOR_OWNER).toContain("test double");
  });

  test("/sim/stats and /sim/reset", async () => {
    const sim = await simulator({ fail500: 0.5 });
    await Promise.all([1, 2, 3, 4, 5, 6].map((i) => complete(sim, ask(`q${i}`))));
    const root = sim.url.replace(/\/v1$/, "");
    const stats = (await (await fetch(`${root}/sim/stats`)).json()) as ReturnType<RunningSimulator["stats"]>;
    expect(stats.requests).toBe(6);
    expect(stats.requestsByKind.answer).toBe(6);
    expect((stats.requestsByStatus["200"] ?? 0) + (stats.requestsByStatus["500"] ?? 0)).toBe(6);
    expect(stats.completed).toBe(stats.requestsByStatus["200"] ?? 0);
    expect(stats.faults["500"]).toBe(stats.requestsByStatus["500"] ?? 0);
    await fetch(`${root}/sim/reset`, { method: "POST" });
    expect(sim.stats().requests).toBe(0);
  });
});
