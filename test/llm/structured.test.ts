/** Reading JSON replies from servers that do not hold the reply to a JSON mode. */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { extractJsonObject, jsonRequest, readJsonReply } from "../../src/llm/structured.js";

const Answer = z.object({ score: z.number().min(0).max(5), rationale: z.string().min(1) });

describe("extractJsonObject", () => {
  it.each([
    ["bare JSON", '{"score": 4, "rationale": "ok"}'],
    ["a json fence", 'Here you go:\n```json\n{"score": 4, "rationale": "ok"}\n```\nAnything else?'],
    ["a plain fence", '```\n{"score": 4, "rationale": "ok"}\n```'],
    ["prose around it", 'Sure! {"score": 4, "rationale": "ok"} Hope this helps.'],
    ["a stray brace before it", 'Use {placeholders} like this: {"score": 4, "rationale": "ok"}'],
  ])("finds the object in %s", (_name, text) => {
    expect(extractJsonObject(text)).toEqual({ score: 4, rationale: "ok" });
  });

  it("keeps braces and quotes inside strings", () => {
    expect(extractJsonObject('Result: {"rationale": "uses } and \\" and {", "score": 1} done')).toEqual({ rationale: 'uses } and " and {', score: 1 });
  });

  it("finds nothing in text without an object, or in an array", () => {
    expect(extractJsonObject("I rate it four out of five.")).toBeUndefined();
    expect(extractJsonObject("[1, 2]")).toBeUndefined();
    expect(extractJsonObject('{"score": 4,')).toBeUndefined();
  });
});

describe("readJsonReply", () => {
  it("validates with zod and keeps the raw reply with the problem", () => {
    expect(readJsonReply('```json\n{"score": 4, "rationale": "fine"}\n```', Answer)).toEqual({ ok: true, value: { score: 4, rationale: "fine" } });
    expect(readJsonReply('{"score": 9, "rationale": "x"}', Answer)).toEqual({ ok: false, problem: "score: Too big: expected number to be <=5", raw: '{"score": 9, "rationale": "x"}' });
    expect(readJsonReply("no json here", Answer)).toEqual({ ok: false, problem: "the reply was not a JSON object", raw: "no json here" });
  });
});

describe("jsonRequest", () => {
  it("asks for JSON, with a JSON schema built from the zod schema", () => {
    const request = jsonRequest({ messages: [{ role: "user", content: "Rate it." }] }, { name: "answer", zod: Answer });
    expect(request.json).toBe(true);
    expect(request.jsonSchema).toEqual({
      name: "answer",
      schema: {
        type: "object",
        properties: { score: { type: "number", minimum: 0, maximum: 5 }, rationale: { type: "string", minLength: 1 } },
        required: ["score", "rationale"],
      },
    });
  });
});
