/** Prompt-cache, flex and batch pricing, against the simulator's usage replies over HTTP. */
import { describe, expect, test } from "vitest";
import { createLlmClient } from "../../src/llm/client.js";
import { batchCostUsd, costByTier, costUsd, flexOffered, formatCostByTier, priceFor } from "../../src/llm/cost.js";
import type { ModelPrice } from "../../src/llm/types.js";
import { testSettings, userPrompt, useSimulators } from "./helpers.js";

const simulator = useSimulators({ seed: 3 });

const PRICE: ModelPrice = { prompt: 1, cachedPrompt: 0.25, completion: 2 };
const prices = { "sim-model": PRICE };
/** Over OpenAI's 1,024-token minimum (the simulator counts 4 characters a token). */
const FIXED_PART = `You rate instructions. ${"Keep every rule in mind when rating. ".repeat(140)}`;

describe("provider prompt cache", () => {
  test("cached_tokens are read from usage and priced at the cached rate", async () => {
    // OpenAI's profile: the simulator reports its prompt cache as OpenAI does.
    const sim = await simulator({ profile: "openai" });
    const client = createLlmClient(testSettings(sim.url, { prices }));
    const first = await client.chat(userPrompt(`${FIXED_PART}\nRecord: a first one.`));
    const second = await client.chat(userPrompt(`${FIXED_PART}\nRecord: another one.`));

    expect(first.usage.providerCachedPromptTokens ?? 0).toBe(0);
    const cached = second.usage.providerCachedPromptTokens ?? 0;
    // The shared prefix, in whole 128-token steps from 1,024 tokens.
    expect(cached).toBeGreaterThanOrEqual(1024);
    expect((cached - 1024) % 128).toBe(0);
    expect(cached).toBeLessThanOrEqual(FIXED_PART.length / 4);
    const totals = client.totals();
    expect(totals.providerCachedPromptTokens).toBe(cached);
    expect(totals.providerCachedPromptTokens).toBe(sim.stats().cachedPromptTokens);

    const expected = [first, second].reduce((sum, reply) => {
      const hit = reply.usage.providerCachedPromptTokens ?? 0;
      return sum + ((reply.usage.promptTokens - hit) * PRICE.prompt + hit * PRICE.cachedPrompt! + reply.usage.completionTokens * PRICE.completion) / 1000;
    }, 0);
    expect(totals.costUsd).toBeCloseTo(expected, 10);
    // Cheaper than the same tokens at the full prompt rate.
    const full = (totals.promptTokens * PRICE.prompt + totals.completionTokens * PRICE.completion) / 1000;
    expect(full - totals.costUsd).toBeCloseTo((cached * (PRICE.prompt - PRICE.cachedPrompt!)) / 1000, 10);
  });

  test("a prompt whose per-request part comes first never hits", async () => {
    // OpenAI's profile: the simulator reports its prompt cache as OpenAI does.
    const sim = await simulator({ profile: "openai" });
    const client = createLlmClient(testSettings(sim.url, { prices }));
    await client.chat(userPrompt(`Record: a first one.\n${FIXED_PART}`));
    await client.chat(userPrompt(`Record: another one.\n${FIXED_PART}`));
    expect(client.totals().providerCachedPromptTokens).toBe(0);
  });

  test("without a cached rate, cached tokens cost the prompt rate", () => {
    const usage = { promptTokens: 2000, completionTokens: 100, providerCachedPromptTokens: 1024 };
    expect(costUsd(usage, { prompt: 1, completion: 2 })).toBeCloseTo(2 + 0.2, 10);
    expect(costUsd(usage, { prompt: 1, completion: 2, cachedPrompt: 0.5 })).toBeCloseTo(0.976 + 0.512 + 0.2, 10);
  });
});

describe("service tiers", () => {
  test("--service-tier flex sends service_tier: flex and is billed at half price", async () => {
    const sim = await simulator();
    const flex = createLlmClient(testSettings(sim.url, { prices, serviceTier: "flex" }));
    await Promise.all(["a", "b", "c"].map((x) => flex.chat(userPrompt(`Explain ${x}.`))));
    expect(sim.stats().requestsByServiceTier).toEqual({ flex: 3 });

    const online = createLlmClient(testSettings(sim.url, { prices }));
    await Promise.all(["a", "b", "c"].map((x) => online.chat(userPrompt(`Explain ${x}.`))));
    expect(sim.stats().requestsByServiceTier).toEqual({ flex: 3, none: 3 });
    expect(online.totals().promptTokens).toBe(flex.totals().promptTokens);
    expect(flex.totals().costUsd).toBeCloseTo(online.totals().costUsd / 2, 10);
  });

  test("batch costs half, cached input included; the three tiers side by side", () => {
    const usage = { promptTokens: 1_000_000, completionTokens: 200_000 };
    const price = priceFor("gpt-5")!;
    expect(batchCostUsd(usage, price)).toBeCloseTo(costUsd(usage, price) / 2, 10);
    expect(costUsd({ ...usage, providerCachedPromptTokens: 500_000 }, price, "batch")).toBeCloseTo(costUsd({ ...usage, providerCachedPromptTokens: 500_000 }, price) / 2, 10);

    // gpt-5: $1.25 in, $10 out per 1M → $1.25 + $2.00 online.
    const tiers = costByTier(usage, "gpt-5");
    expect(tiers.online).toBeCloseTo(3.25, 10);
    expect(tiers.flex).toBeCloseTo(1.625, 10);
    expect(tiers.batch).toBeCloseTo(1.625, 10);
    expect(formatCostByTier(tiers)).toContain("online $3.25 · flex $1.63 · batch $1.63");

    // Flex is offered for o3, o4-mini and the gpt-5 family only.
    expect(flexOffered("gpt-4o-mini")).toBe(false);
    expect(flexOffered("o4-mini-2025-04-16")).toBe(true);
    expect(costByTier(usage, "gpt-4o-mini").flex).toBeUndefined();
    // A local model has no price: no figure is claimed for any tier.
    const local = costByTier(usage, "qwen2.5:7b");
    expect([local.online, local.flex, local.batch]).toEqual([undefined, undefined, undefined]);
    expect(formatCostByTier(local)).toContain("no price known");
  });

  test("the built-in table carries a cached rate for every current model", () => {
    for (const model of ["gpt-4o-mini", "gpt-4o", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "o3", "o4-mini", "gpt-5", "gpt-5-mini", "gpt-5-nano"]) {
      const price = priceFor(model)!;
      expect(price.cachedPrompt, model).toBeGreaterThan(0);
      expect(price.cachedPrompt!, model).toBeLessThan(price.prompt);
    }
  });
});
