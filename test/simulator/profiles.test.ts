/** Each simulator profile answers, over real HTTP, the way its server does where servers differ. */
import { describe, expect, it } from "vitest";
import type { ProfileName } from "../../src/simulator/profiles.js";
import { simulatorPerTest } from "./perTest.js";

const start = simulatorPerTest();

/** The value at a dotted path of a parsed JSON reply ("choices.0.message.content"). */
function at(value: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((node, key) => (typeof node === "object" && node !== null ? (node as Record<string, unknown>)[key] : undefined), value);
}

interface Reply {
  status: number;
  get(path: string): unknown;
  text(): string;
}

async function post(url: string, body: unknown): Promise<Reply> {
  const response = await fetch(`${url}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer x" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const json: unknown = await response.json();
  return { status: response.status, get: (path) => at(json, path), text: () => String(at(json, "choices.0.message.content")) };
}

async function models(url: string): Promise<(path: string) => unknown> {
  const json: unknown = await (await fetch(`${url}/models`)).json();
  return (path) => at(json, path);
}

const ask = (content: string, extra: Record<string, unknown> = {}) => ({ model: "whatever", messages: [{ role: "user", content }], ...extra });
const JUDGE_PROMPT = 'Rate each example. Reply with {"ratings": [...]}.\n\n### Example 1\n[Instruction]\nSay hi.\n[Response]\nHello there, friend!\n\nRate all 1 examples.';

describe("llamacpp profile", () => {
  it("lists data[0].id with meta.n_ctx and a models list; replies carry its alias", async () => {
    const { url } = await start({ profile: "llamacpp", context: 2048 });
    const listing = await models(url);
    expect(listing("data.0.meta.n_ctx")).toBe(2048);
    expect(listing("models")).toHaveLength(1);
    expect(listing("data.0.owned_by")).toContain("test double");
    const reply = await post(url, ask("Name a color.", { seed: 3 }));
    expect(reply.get("model")).toBe(listing("data.0.id"));
    expect(reply.get("usage.prompt_tokens_details")).toEqual({ cached_tokens: 0 });
  });

  it("answers a malformed body with 500 and bad fields with 400 invalid_request_error in its error shape", async () => {
    const { url } = await start({ profile: "llamacpp" });
    const malformed = await post(url, "{not json");
    expect(malformed.status).toBe(500);
    expect(Object.keys(Object(malformed.get("error"))).sort()).toEqual(["code", "message", "type"]);
    for (const bad of [{ n: 0 }, { max_tokens: -5 }, { temperature: "hot" }, { n: 9 }]) {
      const reply = await post(url, ask("Name a color.", bad));
      expect(reply.status, JSON.stringify(bad)).toBe(400);
      expect(reply.get("error")).toMatchObject({ code: 400, type: "invalid_request_error" });
    }
  });

  it("ignores json_object (fenced plain text back) and refuses json_schema with 400", async () => {
    const { url } = await start({ profile: "llamacpp" });
    const plain = await post(url, ask(JUDGE_PROMPT, { response_format: { type: "json_object" } }));
    expect(plain.status).toBe(200);
    const text = plain.text();
    expect(() => JSON.parse(text)).toThrow();
    expect(text).toContain("```json");
    const schema = await post(url, ask(JUDGE_PROMPT, { response_format: { type: "json_schema", json_schema: { name: "r", schema: {} } } }));
    expect(schema.status).toBe(400);
    expect(schema.get("error.message")).toContain("Failed to initialize samplers");
  });

  it("counts only the first choice in usage when n > 1", async () => {
    const { url } = await start({ profile: "llamacpp" });
    const reply = await post(url, ask("Write a sentence about rain.", { n: 3 }));
    expect(reply.get("choices")).toHaveLength(3);
    const first = Math.ceil(String(reply.get("choices.0.message.content")).length / 4);
    expect(reply.get("usage.completion_tokens")).toBe(first);
  });

  it("refuses a prompt over the context with exceed_context_size_error, and cuts prompt + max_tokens over it", async () => {
    const { url } = await start({ profile: "llamacpp", context: 64 });
    const long = await post(url, ask("word ".repeat(80)));
    expect(long.status).toBe(400);
    expect(long.get("error")).toMatchObject({ type: "exceed_context_size_error", n_prompt_tokens: 100, n_ctx: 64 });
    const cut = await post(url, ask(`${"word ".repeat(40)}Explain tides in detail.`, { max_tokens: 500 }));
    expect(cut.status).toBe(200);
    expect(cut.get("choices.0.finish_reason")).toBe("length");
    expect(Number(cut.get("usage.prompt_tokens")) + Number(cut.get("usage.completion_tokens"))).toBeLessThanOrEqual(64);
  });

  it("honours seed: same seed, same text; another seed, another text", async () => {
    const { url } = await start({ profile: "llamacpp" });
    const body = (seed: number) => ask("Suggest a name for a bakery.", { seed, temperature: 1 });
    const [a, b, c] = await Promise.all([post(url, body(1)), post(url, body(1)), post(url, body(2))]);
    expect(a.text()).toBe(b.text());
    expect(a.text()).not.toBe(c.text());
  });
});

describe("vllm profile", () => {
  it("reports max_model_len, refuses prompt + max_tokens over it, and counts every choice", async () => {
    const { url } = await start({ profile: "vllm", context: 100 });
    expect((await models(url))("data.0.max_model_len")).toBe(100);
    const over = await post(url, ask("Explain tides.", { max_tokens: 200 }));
    expect(over.status).toBe(400);
    expect(over.get("error")).toMatchObject({ type: "BadRequestError", code: 400 });
    expect(over.get("error.message")).toContain("maximum context length is 100 tokens");
    const reply = await post(url, ask("Write a sentence about rain.", { n: 2, max_tokens: 50 }));
    const tokens = (choice: number) => Math.ceil(String(reply.get(`choices.${choice}.message.content`)).length / 4);
    expect(reply.get("usage.completion_tokens")).toBe(tokens(0) + tokens(1));
  });

  it("enforces json_object and json_schema", async () => {
    const { url } = await start({ profile: "vllm" });
    for (const format of [{ type: "json_object" }, { type: "json_schema", json_schema: { name: "r", schema: {} } }]) {
      const reply = await post(url, ask(JUDGE_PROMPT, { response_format: format }));
      expect(JSON.parse(reply.text())).toHaveProperty("ratings");
    }
  });
});

describe("ollama profile", () => {
  it("ignores n, lists no context size, and truncates a prompt over its context instead of refusing it", async () => {
    const { url } = await start({ profile: "ollama", context: 32 });
    const listing = await models(url);
    expect(listing("data.0")).not.toHaveProperty("meta");
    expect(listing("data.0")).not.toHaveProperty("max_model_len");
    const reply = await post(url, ask("word ".repeat(80), { n: 3 }));
    expect(reply.status).toBe(200);
    expect(reply.get("choices")).toHaveLength(1);
    expect(reply.get("usage.prompt_tokens")).toBe(16);
  });
});

describe("openai profile", () => {
  it("reports cached prompt tokens from 1,024 tokens in 128-token blocks", async () => {
    const { url } = await start({ profile: "openai" });
    const fixed = "Fixed instructions that every request shares. ".repeat(120);
    const first = await post(url, ask(`${fixed}Question one?`));
    const second = await post(url, ask(`${fixed}Question two?`));
    expect(first.get("usage.prompt_tokens_details.cached_tokens")).toBe(0);
    const cached = Number(second.get("usage.prompt_tokens_details.cached_tokens"));
    expect(cached).toBeGreaterThanOrEqual(1024);
    expect(cached % 128).toBe(0);
    expect(cached).toBeLessThanOrEqual(Math.ceil(fixed.length / 4));
  });

  it("as a reasoning model refuses max_tokens and non-default sampling, naming the parameter", async () => {
    const { url } = await start({ profile: "openai", reasoningModel: true });
    const maxTokens = await post(url, ask("Hi", { max_tokens: 10 }));
    expect(maxTokens.status).toBe(400);
    expect(maxTokens.get("error")).toMatchObject({ param: "max_tokens", code: "unsupported_parameter" });
    const temperature = await post(url, ask("Hi", { max_completion_tokens: 10, temperature: 0.2 }));
    expect(temperature.get("error")).toMatchObject({ param: "temperature", code: "unsupported_value" });
    const fine = await post(url, ask("Hi", { max_completion_tokens: 10, temperature: 1 }));
    expect(fine.status).toBe(200);
  });
});

it.each<ProfileName>(["generic", "openai", "vllm", "llamacpp", "ollama"])("the %s profile records every request's seed in its stats", async (profile) => {
  const sim = await start({ profile });
  await post(sim.url, ask("one", { seed: 7 }));
  await post(sim.url, ask("two"));
  const seeds = sim.stats().seeds;
  expect(seeds.map((s) => s.seed)).toEqual([7, null]);
  expect(new Set(seeds.map((s) => s.request)).size).toBe(2);
  expect(sim.stats().profile).toBe(profile);
});
