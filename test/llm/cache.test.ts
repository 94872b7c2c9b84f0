/** The on-disk response cache, end to end through the client and the simulator. */
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { crc32 } from "node:zlib";
import { afterEach, beforeEach, expect, test } from "vitest";
import { cacheKey, countCacheEntries } from "../../src/llm/cache.js";
import { createLlmClient } from "../../src/llm/client.js";
import { startSimulator, type RunningSimulator } from "../../src/simulator/server.js";
import { testSettings, userPrompt, withTempDir } from "./helpers.js";

let sim: RunningSimulator;
beforeEach(async () => {
  sim = await startSimulator({ seed: 3, truncate: 0.3 });
});
afterEach(async () => {
  await sim.close();
});

const requests = Array.from({ length: 12 }, (_, i) => userPrompt(`Give advice number ${i} on learning to cook.`));
const priced = () => testSettings(sim.url, { prices: { "sim-model": { prompt: 0.5, completion: 1 } } });

async function runAll(cacheDir: string) {
  const client = createLlmClient(priced(), { cacheDir });
  const replies = await Promise.all(requests.map((r) => client.chat(r)));
  return { client, replies };
}

test("a second identical run makes zero HTTP requests", async () => {
  await withTempDir(async (dir) => {
    const first = await runAll(dir);
    expect(sim.stats().requests).toBe(requests.length);
    expect(first.client.totals().costUsd).toBeGreaterThan(0);
    sim.resetStats();

    const second = await runAll(dir);

    expect(sim.stats().requests).toBe(0);
    expect(second.replies.map((r) => [r.text, r.finishReason])).toEqual(first.replies.map((r) => [r.text, r.finishReason]));
    expect(second.replies.some((r) => r.finishReason === "length")).toBe(true);
    expect(second.replies.every((r) => r.cached)).toBe(true);
    const totals = second.client.totals();
    expect(totals).toMatchObject({ cacheHits: requests.length, httpRequests: 0, costUsd: 0 });
    expect(totals.cachedCompletionTokens).toBe(first.client.totals().completionTokens);
    expect(totals.completionTokens).toBe(first.client.totals().completionTokens);
  });
});

test("sampleIndex and decoding settings are part of the key", () => {
  const base = userPrompt("same");
  const keys = new Set([
    cacheKey("m", base),
    cacheKey("m", { ...base, sampleIndex: 1 }),
    cacheKey("m", { ...base, temperature: 0.7 }),
    cacheKey("m", { ...base, json: true }),
    cacheKey("other", base),
  ]);
  expect(keys.size).toBe(5);
  expect(cacheKey("m", { ...base, sampleIndex: 0 })).toBe(cacheKey("m", base));
});

/** The segment files of a cache directory, oldest first. */
async function segments(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => /^replies-.*\.log$/.test(name)).sort().map((name) => path.join(dir, name));
}

/** A frame as documented in src/llm/cache.ts: "IFC1" | payload length | crc32(key + payload) | key | payload. */
const FRAME_HEADER_BYTES = 4 + 4 + 4 + 32;

function frame(key: string, payload: string): Buffer {
  const body = Buffer.concat([Buffer.from(key, "hex"), Buffer.from(payload, "utf8")]);
  const header = Buffer.alloc(12);
  header.write("IFC1", 0, "latin1");
  header.writeUInt32LE(body.length - 32, 4);
  header.writeUInt32LE(crc32(body), 8);
  return Buffer.concat([header, body]);
}

/** Byte offset of the frame holding `key` in a segment (its key follows magic, length and checksum). */
function frameOffset(segment: Buffer, key: string): number {
  const at = segment.indexOf(Buffer.from(key, "hex"));
  expect(at).toBeGreaterThanOrEqual(12);
  return at - 12;
}

test("one run writes one segment file, one frame per reply", async () => {
  await withTempDir(async (dir) => {
    await runAll(dir);
    expect(await readdir(dir)).toHaveLength(1);
    expect(countCacheEntries(dir)).toBe(requests.length);
  });
});

test("a damaged frame is a miss, not a crash or a wrong reply, and is written anew", async () => {
  await withTempDir(async (dir) => {
    await runAll(dir);
    const [damaged, replaced] = [requests[0], requests[1]].map((r) => cacheKey("sim-model", r!));
    const [segment] = await segments(dir);
    const bytes = await readFile(segment!);
    // One flipped bit in the middle of a reply: the checksum no longer matches.
    bytes[frameOffset(bytes, damaged!) + 60]! ^= 0x01;
    // The only frame of another key is a well-formed one whose JSON is not a cache entry.
    const at = frameOffset(bytes, replaced!);
    const end = at + FRAME_HEADER_BYTES + bytes.readUInt32LE(at + 4);
    await writeFile(segment!, Buffer.concat([bytes.subarray(0, at), bytes.subarray(end)]));
    await writeFile(path.join(dir, "replies-9999999999999-1-00000000.log"), frame(replaced!, JSON.stringify({ unrelated: true })));
    sim.resetStats();

    const rerun = await runAll(dir);

    expect(sim.stats().requests).toBe(2);
    expect(rerun.client.totals().cacheHits).toBe(requests.length - 2);
    sim.resetStats();
    await runAll(dir);
    expect(sim.stats().requests).toBe(0);
  });
});

test("a frame torn by a kill mid-write is a miss; the frames before it still replay", async () => {
  await withTempDir(async (dir) => {
    await runAll(dir);
    const [segment] = await segments(dir);
    const bytes = await readFile(segment!);
    const last = Math.max(...requests.map((r) => frameOffset(bytes, cacheKey("sim-model", r))));
    for (const cut of [last + 5, last + 40, bytes.length - 1]) {
      await writeFile(segment!, bytes.subarray(0, cut));
      expect(countCacheEntries(dir)).toBe(requests.length - 1);
      sim.resetStats();

      const rerun = await runAll(dir);

      expect(sim.stats().requests).toBe(1);
      expect(rerun.client.totals().cacheHits).toBe(requests.length - 1);
      for (const extra of (await segments(dir)).slice(1)) await rm(extra);
    }
  });
});

test("entries of the older one-file-per-entry layout are still replayed", async () => {
  await withTempDir(async (dir) => {
    const first = await runAll(dir);
    for (const [i, request] of requests.entries()) {
      const key = cacheKey("sim-model", request);
      const reply = first.replies[i]!;
      const entry = { format: "instructforge-llm-cache/1", key, model: "sim-model", createdAt: new Date().toISOString(), reply: { text: reply.text, finishReason: reply.finishReason, usage: reply.usage } };
      await mkdir(path.join(dir, key.slice(0, 2)), { recursive: true });
      await writeFile(path.join(dir, key.slice(0, 2), `${key}.json`), JSON.stringify(entry));
    }
    for (const segment of await segments(dir)) await rm(segment);
    sim.resetStats();

    const client = createLlmClient(priced(), { cacheDir: dir });
    const replies = await Promise.all(requests.map((r) => client.chat(r)));

    expect(sim.stats().requests).toBe(0);
    expect(replies.map((r) => r.text)).toEqual(first.replies.map((r) => r.text));
    expect(countCacheEntries(dir)).toBe(requests.length);
  });
});

test("failures are not cached", async () => {
  await sim.close();
  sim = await startSimulator({ fail500: 1 });
  await withTempDir(async (dir) => {
    const client = createLlmClient(testSettings(sim.url, { maxRetries: 0 }), { cacheDir: dir });
    await expect(client.chat(requests[0]!)).rejects.toThrow(/HTTP 500/);
    expect(await readdir(dir)).toEqual([]);
  });
});
