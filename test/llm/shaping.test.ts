/**
 * Request shaping against simulator profiles over real HTTP: reasoning-model parameters, the
 * JSON-mode fallback, max_tokens fitted to a reported context, seeds from the cache key, and
 * prices only for hosted models.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createLlmClient, LlmRequestError } from "../../src/llm/client.js";
import { priceForEndpoint } from "../../src/llm/cost.js";
import { discoverSettings, modelNote } from "../../src/llm/discovery.js";
import { isKnownReasoningModel } from "../../src/llm/requestShape.js";
import { jsonRequest, readJsonReply } from "../../src/llm/structured.js";
import type { RunningSimulator } from "../../src/simulator/server.js";
import { simulatorPerTest } from "../simulator/perTest.js";
import { testSettings, userPrompt } from "./helpers.js";
const start = simulatorPerTest();
const refusals = (s: RunningSimulator) => s.stats().requestsByStatus["400"] ?? 0;

describe("reasoning models", () => {
  it("an unknown model refusing max_tokens and temperature is adapted once, for the rest of the run", async () => {
    const s = await start({ profile: "openai", reasoningModel: true });
    const client = createLlmClient(testSettings(s.url, { model: "house-reasoner" }));
    const request = { ...userPrompt("Explain tides."), max_tokens: 200, temperature: 0.2 };

    const first = await client.chat(request);
    expect(first.text.length).toBeGreaterThan(0);
    expect(refusals(s)).toBe(2);
    await Promise.all([1, 2, 3].map((i) => client.chat({ ...request, sampleIndex: i })));
    expect(refusals(s)).toBe(2);
    const totals = client.totals();
    expect(totals.retries).toBe(0);
    expect(totals.adaptations).toEqual([
      expect.stringMatching(/^max_tokens refused \(unsupported_parameter\): sending max_completion_tokens/),
      expect.stringMatching(/^temperature refused \(unsupported_value\): left out/),
    ]);
  });

  it("a known reasoning model is sent max_completion_tokens and default sampling from the start", async () => {
    const s = await start({ profile: "openai", reasoningModel: true });
    const client = createLlmClient(testSettings(s.url, { model: "o4-mini" }));
    await client.chat({ ...userPrompt("Explain tides."), max_tokens: 200, temperature: 0.2, top_p: 0.9 });
    expect(refusals(s)).toBe(0);
    expect(client.totals().adaptations).toEqual([]);
    expect(["o1", "o3-mini", "o4-mini", "gpt-5", "gpt-5-mini", "gpt-5.1"].every(isKnownReasoningModel)).toBe(true);
    expect(["gpt-4o-mini", "omni-7b", "llama3:8b"].some(isKnownReasoningModel)).toBe(false);
  });

  it("a 400 it cannot act on stays an error", async () => {
    const s = await start({ profile: "llamacpp", context: 32 });
    const client = createLlmClient(testSettings(s.url));
    const error = await client.chat(userPrompt("word ".repeat(100))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LlmRequestError);
    expect((error as LlmRequestError).retryable).toBe(false);
    expect((error as LlmRequestError).message).toContain("exceeds the available context size");
  });
});

describe("JSON replies", () => {
  const Rating = z.object({ ratings: z.array(z.object({ id: z.number(), score: z.number(), rationale: z.string() })) });
  const judgePrompt = 'Reply with {"ratings": [...]}.\n\n### Example 1\n[Instruction]\nSay hi.\n[Response]\nHello there, friend!\n\nRate all 1 examples.';

  it("llama.cpp: json_schema refused → json_object (ignored) → the JSON is read out of plain text", async () => {
    const s = await start({ profile: "llamacpp" });
    const client = createLlmClient(testSettings(s.url));
    const request = jsonRequest({ ...userPrompt(judgePrompt), max_tokens: 300 }, { name: "ratings", zod: Rating });
    const replies = await Promise.all([0, 1, 2].map((sampleIndex) => client.chat({ ...request, sampleIndex })));
    for (const reply of replies) {
      expect(reply.text).toContain("```json");
      const read = readJsonReply(reply.text, Rating);
      expect(read.ok).toBe(true);
    }
    expect(client.totals().adaptations).toEqual([expect.stringMatching(/^response_format json_schema refused .*Failed to initialize samplers.*: using json_object$/)]);
    await client.chat({ ...request, sampleIndex: 3 });
    expect(refusals(s)).toBeLessThanOrEqual(3); // only requests already in flight before the lesson
  });

  it("vLLM: json_schema is sent and enforced", async () => {
    const s = await start({ profile: "vllm" });
    const client = createLlmClient(testSettings(s.url));
    const reply = await client.chat(jsonRequest({ ...userPrompt(judgePrompt), max_tokens: 300 }, { name: "ratings", zod: Rating }));
    expect(readJsonReply(reply.text, Rating)).toMatchObject({ ok: true });
    expect(JSON.parse(reply.text)).toHaveProperty("ratings");
    expect(refusals(s)).toBe(0);
  });
});

describe("context", () => {
  it("max_tokens is fitted to the context /v1/models reports, with one warning", async () => {
    const s = await start({ profile: "vllm", context: 1024 });
    const found = await discoverSettings({ ...testSettings(s.url), model: undefined });
    if (!found.ok) throw new Error(found.problem);
    expect(found.settings.contextTokens).toBe(1024);
    const warnings: string[] = [];
    const client = createLlmClient(found.settings, { onWarning: (message) => warnings.push(message) });
    await Promise.all([0, 1, 2].map((i) => client.chat({ ...userPrompt(`Explain tides, take ${i}.`), max_tokens: 3072 })));
    expect(refusals(s)).toBe(0);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/max_tokens 3072 lowered to \d+ .*1024-token context/);
  });

  it("without a reported context, vLLM's refusal naming it and the prompt's size teaches the fit", async () => {
    const s = await start({ profile: "vllm", context: 1024 });
    const warnings: string[] = [];
    const client = createLlmClient(testSettings(s.url), { onWarning: (message) => warnings.push(message) });
    // Sent together: each is refused once at most, and all go again with what the first taught.
    await Promise.all(["tides", "winds", "waves"].map((topic) => client.chat({ ...userPrompt(`Explain ${topic}.`), max_tokens: 3072 })));
    const refusedAtFirst = refusals(s);
    expect(refusedAtFirst).toBeGreaterThanOrEqual(1);
    expect(refusedAtFirst).toBeLessThanOrEqual(3);
    await client.chat({ ...userPrompt("Explain currents."), max_tokens: 3072 });
    expect(refusals(s)).toBe(refusedAtFirst);
    expect(client.totals().adaptations).toEqual([expect.stringMatching(/^request over the 1024-token context refused \(prompt \d+ tokens/)]);
    expect(warnings).toHaveLength(1);
  });

  it("a prompt an Ollama-like server truncated silently is told once", async () => {
    const s = await start({ profile: "ollama", context: 64 });
    const warnings: string[] = [];
    const client = createLlmClient(testSettings(s.url), { onWarning: (message) => warnings.push(message) });
    await client.chat(userPrompt("A short prompt."));
    expect(warnings).toEqual([]);
    await client.chat(userPrompt(`${"Background sentence for the task. ".repeat(40)}Now summarise.`));
    await client.chat(userPrompt(`${"Other background for the task. ".repeat(40)}Now summarise.`));
    expect(warnings).toEqual([expect.stringMatching(/^the endpoint reports 32 prompt tokens for a prompt of about \d+: it seems to cut prompts/)]);
  });

  it("an older vLLM's bare error object still reaches the user", async () => {
    const message = "This model's maximum context length is 100 tokens. However, you requested 300 tokens (20 in the messages, 280 in the completion).";
    const bare = await fixedServer(400, { object: "error", message, type: "BadRequestError", param: null, code: 400 });
    try {
      const error = await createLlmClient(testSettings(bare.url)).chat({ ...userPrompt("Hi"), max_tokens: 16 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LlmRequestError);
      expect(String(error)).toContain("maximum context length is 100 tokens");
    } finally {
      await bare.close();
    }
  });
});

describe("seeds", () => {
  it("each different request gets its own seed; a resample a new one; a repeat the same", async () => {
    const s = await start({ profile: "llamacpp" });
    const client = createLlmClient(testSettings(s.url));
    const request = { ...userPrompt("Suggest a name for a bakery."), temperature: 1 };
    await client.chat(request);
    await client.chat(request);
    await client.chat({ ...request, sampleIndex: 1 });
    await client.chat({ ...request, temperature: 0.5 });
    const seeds = s.stats().seeds.map((use) => use.seed);
    expect(seeds.every((seed) => typeof seed === "number" && seed > 0 && seed < 2 ** 31)).toBe(true);
    expect(seeds[0]).toBe(seeds[1]);
    expect(new Set(seeds).size).toBe(3);
  });
});

describe("prices", () => {
  it("a model served locally is counted in tokens with cost unknown, whatever its name", async () => {
    const s = await start({ profile: "ollama" });
    const client = createLlmClient(testSettings(s.url, { model: "gpt-4o-mini" }));
    await client.chat(userPrompt("Hello"));
    expect(client.totals()).toMatchObject({ costUsd: 0, costKnown: false });
    expect(client.totals().promptTokens).toBeGreaterThan(0);

    const priced = createLlmClient(testSettings(s.url, { model: "gpt-4o-mini", price: { prompt: 1, completion: 2 } }));
    const reply = await priced.chat(userPrompt("Hello"));
    expect(priced.totals().costKnown).toBe(true);
    expect(priced.totals().costUsd).toBeCloseTo(reply.usage.promptTokens / 1000 + (reply.usage.completionTokens / 1000) * 2, 10);
  });

  it("OpenAI's list prices apply on OpenAI's host only", () => {
    const settings = { model: "gpt-4o-mini-2024-07-18" };
    expect(priceForEndpoint({ ...settings, baseUrl: "https://api.openai.com/v1" })).toMatchObject({ prompt: 0.00015, completion: 0.0006 });
    expect(priceForEndpoint({ ...settings, baseUrl: "http://127.0.0.1:8000/v1" })).toBeUndefined();
    expect(priceForEndpoint({ ...settings, baseUrl: "http://127.0.0.1:8000/v1", prices: { "gpt-4o-mini": { prompt: 1, completion: 1 } } })).toEqual({ prompt: 1, completion: 1 });
  });
});

describe("discovery", () => {
  it("no model named: a one-model server's model is used and said so; several → a clear error; OpenAI keeps its default", async () => {
    const s = await start({ profile: "llamacpp", context: 2048 });
    const one = await discoverSettings({ ...testSettings(s.url), model: undefined });
    expect(one).toMatchObject({ ok: true, settings: { model: "instructforge-simulator-llamacpp.gguf", modelSource: "discovered", contextTokens: 2048 } });
    expect(one.ok && modelNote(one.settings)).toContain("using 'instructforge-simulator-llamacpp.gguf'");

    const many = await fixedServer(200, { data: [{ id: "a" }, { id: "b" }] });
    try {
      const found = await discoverSettings({ ...testSettings(many.url), model: undefined });
      expect(found).toEqual({ ok: false, problem: `${many.url} serves 2 models (a, b): choose one with --model` });
      expect(await discoverSettings({ ...testSettings(many.url), model: "b" })).toMatchObject({ ok: true, settings: { model: "b", modelSource: "given" } });
    } finally {
      await many.close();
    }
    expect(await discoverSettings({ ...testSettings("https://api.openai.com/v1"), model: undefined })).toMatchObject({ ok: true, settings: { model: "gpt-4o-mini", modelSource: "default" } });
  });
});

/** A bare server answering every request with `status` and `body` (a listing, an error). */
async function fixedServer(status: number, body: unknown): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v1`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
