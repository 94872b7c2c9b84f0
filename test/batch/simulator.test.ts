/** The SIMULATOR's Files and Batches API (a test double), over real HTTP, against the documented rules. */
import { afterEach, describe, expect, it } from "vitest";
import { startSimulator, type RunningSimulator } from "../../src/simulator/server.js";
import { waitFor } from "./helpers.js";

let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const chatLine = (id: string, content = `say ${id}`, model = "sim") =>
  JSON.stringify({ custom_id: id, method: "POST", url: "/v1/chat/completions", body: { model, messages: [{ role: "user", content }] } });

async function api(path: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${sim!.url}${path}`, { ...init, headers: { authorization: "Bearer k", ...(init.headers ?? {}) } });
  const text = await response.text();
  const json = response.headers.get("content-type")?.startsWith("application/json");
  return { status: response.status, body: json ? (JSON.parse(text) as Record<string, unknown>) : { text } };
}

async function upload(lines: string[], purpose = "batch"): Promise<string> {
  const form = new FormData();
  form.append("purpose", purpose);
  form.append("file", new Blob([`${lines.join("\n")}\n`]), "in.jsonl");
  const { status, body } = await api("/files", { method: "POST", body: form });
  expect(status).toBe(200);
  return body.id as string;
}

const create = (inputFileId: string, extra: Record<string, unknown> = {}) =>
  api("/batches", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ input_file_id: inputFileId, endpoint: "/v1/chat/completions", completion_window: "24h", ...extra }),
  });

async function finished(id: string): Promise<Record<string, unknown>> {
  let batch: Record<string, unknown> = {};
  await waitFor(async () => {
    batch = (await api(`/batches/${id}`)).body;
    return ["completed", "failed", "expired", "cancelled"].includes(batch.status as string);
  }, `batch ${id} to finish`);
  return batch;
}

const contentLines = async (fileId: unknown) =>
  ((await api(`/files/${String(fileId)}/content`)).body.text as string).split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

describe("the simulator's Batch API (test double)", () => {
  it("runs a batch through validating → in_progress → finalizing → completed, answering each line as online", async () => {
    sim = await startSimulator({ port: 0, seed: 5, batchDelayMs: 300 });
    const ids = ["a", "b", "c", "d", "e", "f"];
    const created = await create(await upload(ids.map((id) => chatLine(id))), { metadata: { run: "r1" } });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ status: "validating", completion_window: "24h", metadata: { run: "r1" } });
    const seen = new Set<string>();
    let batch: Record<string, unknown> = {};
    await waitFor(async () => {
      batch = (await api(`/batches/${created.body.id as string}`)).body;
      seen.add(batch.status as string);
      return batch.status === "completed";
    }, "completion");
    expect(seen.has("in_progress") || seen.has("finalizing")).toBe(true);
    expect(batch.request_counts).toEqual({ total: 6, completed: 6, failed: 0 });
    const output = await contentLines(batch.output_file_id);
    expect(output.map((l) => l.custom_id).sort()).toEqual(ids);
    const online = await api("/chat/completions", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(JSON.parse(chatLine("c")).body) });
    const line = output.find((l) => l.custom_id === "c") as { response: { status_code: number; body: { choices: unknown } } };
    expect(line.response.status_code).toBe(200);
    expect(line.response.body.choices).toEqual(online.body.choices);
    expect(sim.batchStats().submissions).toMatchObject({ a: ["completed"], f: ["completed"] });
  });

  it("refuses what the real API refuses", async () => {
    sim = await startSimulator({ port: 0, seed: 5 });
    const file = await upload([chatLine("a")]);
    expect((await create(file, { completion_window: "1h" })).status).toBe(400);
    expect((await create(file, { metadata: Object.fromEntries(Array.from({ length: 17 }, (_, k) => [`k${k}`, "v"])) })).status).toBe(400);
    expect((await create("file-missing")).status).toBe(404);
    expect((await create(await upload([chatLine("a")], "fine-tune"))).status).toBe(400);
    // A bad file is accepted, then fails validation with the reasons listed.
    const dup = await create(await upload([chatLine("a"), chatLine("a"), chatLine("b", "x", "other-model")]));
    const failed = await finished(dup.body.id as string);
    expect(failed.status).toBe("failed");
    expect((failed.errors as { data: Array<{ code: string; line: number }> }).data).toEqual([
      expect.objectContaining({ code: "duplicate_custom_id", line: 2 }),
      expect.objectContaining({ code: "mismatched_model", line: 3 }),
    ]);
  });

  it("lists newest first in pages, with `after`", async () => {
    sim = await startSimulator({ port: 0, seed: 5 });
    const file = await upload([chatLine("a")]);
    const made: string[] = [];
    for (let k = 0; k < 5; k++) made.push((await create(file)).body.id as string);
    const first = await api("/batches?limit=2");
    expect((first.body.data as Array<{ id: string }>).map((b) => b.id)).toEqual([made[4], made[3]]);
    expect(first.body.has_more).toBe(true);
    const rest = await api(`/batches?limit=10&after=${first.body.last_id as string}`);
    expect((rest.body.data as Array<{ id: string }>).map((b) => b.id)).toEqual([made[2], made[1], made[0]]);
    expect(rest.body.has_more).toBe(false);
  });

  it("cancels: cancelling → cancelled, with the unprocessed lines in the error file", async () => {
    sim = await startSimulator({ port: 0, seed: 5, batchDelayMs: 600, latencyMs: 50 });
    const ids = Array.from({ length: 40 }, (_, k) => `line-${k}`);
    const created = await create(await upload(ids.map((id) => chatLine(id))));
    await waitFor(async () => (await api(`/batches/${created.body.id as string}`)).body.status === "in_progress", "in_progress");
    const cancelling = await api(`/batches/${created.body.id as string}/cancel`, { method: "POST" });
    expect(cancelling.body.status).toBe("cancelling");
    const cancelled = await finished(created.body.id as string);
    expect(cancelled.status).toBe("cancelled");
    const errors = await contentLines(cancelled.error_file_id);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((l) => (l.error as { code: string }).code === "batch_cancelled")).toBe(true);
    expect((await api(`/batches/${created.body.id as string}/cancel`, { method: "POST" })).status).toBe(400);
  });

  it("injects failed and expired lines, recorded per custom_id", async () => {
    sim = await startSimulator({ port: 0, seed: 5, batchFailRate: 0.2, batchExpireRate: 0.2 });
    const ids = Array.from({ length: 50 }, (_, k) => `line-${k}`);
    const batch = await finished((await create(await upload(ids.map((id) => chatLine(id))))).body.id as string);
    expect(batch.status).toBe("expired");
    const errors = await contentLines(batch.error_file_id);
    const codes = errors.map((l) => (l.error as { code?: string } | null)?.code ?? `HTTP ${(l.response as { status_code: number }).status_code}`);
    expect(codes).toContain("batch_expired");
    expect(codes).toContain("HTTP 500");
    const stats = sim.batchStats();
    expect(stats.linesExpired + stats.linesFailed).toBe(errors.length);
    expect(Object.values(stats.submissions).flat().filter((o) => o === "completed")).toHaveLength(50 - errors.length);
  });

  it("requires the key when one is set", async () => {
    sim = await startSimulator({ port: 0, seed: 5, apiKey: "secret" });
    expect((await api("/batches")).status).toBe(401);
  });
});
