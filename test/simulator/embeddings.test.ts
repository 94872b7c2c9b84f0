import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmbedder } from "../../src/llm/embeddings.js";
import { LlmSettings } from "../../src/llm/types.js";
import { SIMULATED_EMBEDDING_DIMENSIONS, simulatedEmbedding } from "../../src/simulator/embeddings.js";
import { startSimulator, type RunningSimulator } from "../../src/simulator/server.js";
import { dot, unitVector } from "../../src/text/cosine.js";

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
});
afterAll(async () => sim?.close());

const cosine = (a: string, b: string) => dot(unitVector(simulatedEmbedding(a)), unitVector(simulatedEmbedding(b)));

describe("simulator POST /v1/embeddings (test double)", () => {
  it("answers in the OpenAI shape, one unit vector per input, the same for the same text", async () => {
    const reply = await fetch(`${sim.url}/embeddings`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "m", input: ["a cat sat", "a cat sat"] }) });
    expect(reply.status).toBe(200);
    const body = (await reply.json()) as { object: string; data: Array<{ index: number; embedding: number[] }> };
    expect(body.object).toBe("list");
    expect(body.data.map((d) => d.index)).toEqual([0, 1]);
    expect(body.data[0]!.embedding).toHaveLength(SIMULATED_EMBEDDING_DIMENSIONS);
    expect(body.data[0]!.embedding).toEqual(body.data[1]!.embedding);
    expect(Math.hypot(...body.data[0]!.embedding)).toBeCloseTo(1, 6);
  });

  it("near duplicates are close, unrelated texts are not", () => {
    expect(cosine("Explain how tides form along a rocky coast in winter.", "Explain how tides form along a sandy coast in winter.")).toBeGreaterThan(0.8);
    expect(cosine("Explain how tides form along a rocky coast in winter.", "List three uses of copper wiring at home.")).toBeLessThan(0.3);
  });

  it("refuses a body without input with a 400 that names the simulator", async () => {
    const reply = await fetch(`${sim.url}/embeddings`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "m" }) });
    expect(reply.status).toBe(400);
    expect(((await reply.json()) as { error: { message: string } }).error.message).toMatch(/input.*test double/);
  });

  it("the embedding client splits long lists into requests of 64 and keeps the order", async () => {
    sim.resetStats();
    const texts = Array.from({ length: 130 }, (_, i) => `text number ${i} about topic ${i % 7}`);
    const embedder = createEmbedder(LlmSettings.parse({ baseUrl: sim.url, apiKey: "k-test", model: "chat" }), "sim-embed");
    const vectors = await embedder.embed(texts);
    expect(vectors).toEqual(texts.map(simulatedEmbedding));
    expect(sim.stats().requestsByKind).toEqual({ embeddings: 3 });
  });
});
