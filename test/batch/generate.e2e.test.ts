/**
 * `--mode batch` end to end: the real CLI in a subprocess against the SIMULATOR's Batch API (a test
 * double). Kill points are chosen from committed state (batches.jsonl lines, batch statuses the
 * simulator reports), never from elapsed time.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type RunningSimulator, type SimulatorOptions } from "../../src/simulator/server.js";
import { SEEDS_PATH, makeTempDir, readManifest, removeDir, runCli, spawnCli } from "../reliability/harness.js";
import { listSimBatches, outcomesOf, readJournal, waitFor } from "./helpers.js";

const NUM = "1000";
const SIM_SEED = 7;
const work = makeTempDir("batch");
let onlineData: string;

const generateArgs = (out: string, url: string, extra: string[] = []) => [
  "generate",
  "--seeds",
  SEEDS_PATH,
  "--num",
  NUM,
  "--out",
  out,
  "--base-url",
  url,
  "--api-key",
  "x",
  "--model",
  "sim",
  ...extra,
];
const batchFlags = ["--mode", "batch", "--batch-wave", "60", "--batch-poll", "0.2"];

async function withSim<T>(options: SimulatorOptions, body: (sim: RunningSimulator) => Promise<T>): Promise<T> {
  const sim = await startSimulator({ port: 0, seed: SIM_SEED, ...options });
  try {
    return await body(sim);
  } finally {
    await sim.close();
  }
}

/** No custom_id was submitted again unless its earlier submission had failed or expired. */
function expectNoNeedlessResubmission(sim: RunningSimulator): void {
  const stats = sim.batchStats();
  expect(stats.needlessResubmissions).toBe(0);
  for (const outcomes of outcomesOf(sim)) {
    expect(outcomes.filter((o) => o === "completed").length).toBeLessThanOrEqual(1);
    expect(outcomes.slice(0, -1).every((o) => o === "failed" || o === "expired" || o === "cancelled")).toBe(true);
  }
}

beforeAll(async () => {
  await withSim({}, async (sim) => {
    const out = join(work, "online");
    const result = await runCli(generateArgs(out, sim.url, ["--concurrency", "8"]));
    expect(result.code, result.stderr).toBe(0);
  });
  onlineData = readFileSync(join(work, "online", "data.jsonl"), "utf8");
}, 120_000);

afterAll(() => removeDir(work));

describe("generate --mode batch (against the simulator's Batch API)", () => {
  it("completes a 1,000-record generate whose dataset equals the online run's", async () => {
    await withSim({ batchDelayMs: 300 }, async (sim) => {
      const out = join(work, "whole");
      const result = await runCli(generateArgs(out, sim.url, batchFlags));
      expect(result.code, result.stderr).toBe(0);
      expect(readFileSync(join(out, "data.jsonl"), "utf8")).toBe(onlineData);
      expect(onlineData.split("\n").filter(Boolean)).toHaveLength(1000);

      const stats = sim.batchStats();
      expect(stats.batchesCreated).toBeGreaterThan(1);
      expect(stats.resubmittedIds).toBe(0);
      expectNoNeedlessResubmission(sim);

      // Every batch is recorded with its wave, and carries the run's fingerprint and wave in its metadata.
      const journal = readJournal(out);
      const recorded = journal.filter((line) => line.type === "batch");
      expect(recorded).toHaveLength(stats.batchesCreated);
      const fingerprint = journal.find((line) => line.type === "wave")!.fingerprint!;
      const remote = new Map((await listSimBatches(sim)).map((b) => [b.id, b]));
      for (const line of recorded) {
        expect(remote.get(line.batchId!)?.metadata).toMatchObject({ instructforge_run: fingerprint, instructforge_wave: String(line.wave) });
        expect(remote.get(line.batchId!)?.status).toBe("completed");
      }
      expect(journal.filter((line) => line.type === "collected")).toHaveLength(recorded.length);

      const manifest = readManifest(out) as { status: string; batch: { batchesCreated: number; linesSubmitted: number }; llm: { httpRequests: number } };
      expect(manifest.status).toBe("complete");
      expect(manifest.batch.batchesCreated).toBe(stats.batchesCreated);
      expect(manifest.batch.linesSubmitted).toBe(stats.linesSubmitted);
      // The progress line names each batch with its status and counts.
      expect(result.stderr).toMatch(/batches: wave 1 \S+ (validating|in_progress|finalizing|completed)/);
      expect(result.stderr).toMatch(/\d+\/60 done/);
    });
  });

  it.each(["at once", "after its batch finished"])("killed while polling, re-run %s: adopts its batches (one never recorded), submits no line twice, same dataset", async (when) => {
    await withSim({ batchDelayMs: 1500 }, async (sim) => {
      const out = join(work, `killed-${when.replace(/\W+/g, "-")}`);
      const first = spawnCli(generateArgs(out, sim.url, batchFlags));
      // Kill while wave 2 is in progress at the endpoint (its batch line is in batches.jsonl).
      await waitFor(async () => {
        const wave2 = readJournal(out).find((line) => line.type === "batch" && line.wave === 2);
        return wave2 !== undefined && (await listSimBatches(sim)).some((b) => b.id === wave2.batchId && b.status === "in_progress");
      }, "wave 2 in progress");
      first.child.kill("SIGKILL");
      expect((await first.done).signal).toBe("SIGKILL");

      // As if the kill had come between creating the batch and recording it: drop its record.
      const journalPath = join(out, "batches.jsonl");
      const lines = readFileSync(journalPath, "utf8").split("\n").filter(Boolean);
      const lastBatch = lines.map((l) => JSON.parse(l) as { type: string }).map((e) => e.type).lastIndexOf("batch");
      writeFileSync(journalPath, `${lines.filter((_, k) => k !== lastBatch).join("\n")}\n`);
      const unrecorded = (JSON.parse(lines[lastBatch]!) as { batchId: string }).batchId;
      expect(readJournal(out).some((line) => line.batchId === unrecorded)).toBe(false);
      if (when !== "at once") await waitFor(async () => (await listSimBatches(sim)).find((b) => b.id === unrecorded)?.status === "completed", "the batch to finish");

      const second = await runCli(generateArgs(out, sim.url, batchFlags));
      expect(second.code, second.stderr).toBe(0);
      expect(readFileSync(join(out, "data.jsonl"), "utf8")).toBe(onlineData);
      expect(sim.batchStats().resubmittedIds).toBe(0);
      expectNoNeedlessResubmission(sim);
      const manifest = readManifest(out) as { batch: { batchesAdopted: number; repliesAdopted: number } };
      expect(manifest.batch.batchesAdopted).toBeGreaterThanOrEqual(1);
      // A finished adopted batch hands its replies out before anyone asks; a running one is joined
      // by the re-run's requests as they come (whichever comes first is a race, so not asserted).
      if (when !== "at once") expect(manifest.batch.repliesAdopted).toBeGreaterThan(0);
      // The unrecorded batch was found by listing, and is now marked collected.
      expect(readJournal(out).some((line) => line.type === "collected" && line.batchId === unrecorded)).toBe(true);
    });
  });

  it("resubmits failed and expired lines, and still gives the online run's dataset", async () => {
    await withSim({ batchDelayMs: 300, batchFailRate: 0.08, batchExpireRate: 0.05 }, async (sim) => {
      const out = join(work, "faulty");
      const result = await runCli(generateArgs(out, sim.url, batchFlags));
      expect(result.code, result.stderr).toBe(0);
      expect(readFileSync(join(out, "data.jsonl"), "utf8")).toBe(onlineData);

      const stats = sim.batchStats();
      expect(stats.linesFailed).toBeGreaterThan(0);
      expect(stats.linesExpired).toBeGreaterThan(0);
      expect(stats.batchesByStatus.expired).toBeGreaterThan(0);
      const retried = outcomesOf(sim).filter((outcomes) => outcomes.length > 1);
      expect(retried.length).toBeGreaterThan(0);
      // Each failed or expired line came back, and ended completed.
      for (const outcomes of outcomesOf(sim)) expect(outcomes[outcomes.length - 1]).toBe("completed");
      expectNoNeedlessResubmission(sim);
      const manifest = readManifest(out) as { batch: { linesResubmitted: number } };
      expect(manifest.batch.linesResubmitted).toBe(retried.reduce((n, outcomes) => n + outcomes.length - 1, 0));
    });
  });

  it("Ctrl-C leaves the batches running by default, and cancels them with --cancel-batches", async () => {
    for (const cancel of [false, true]) {
      await withSim({ batchDelayMs: 3000 }, async (sim) => {
        const out = join(work, cancel ? "sigint-cancel" : "sigint-leave");
        const run = spawnCli(generateArgs(out, sim.url, [...batchFlags, ...(cancel ? ["--cancel-batches"] : [])]));
        await waitFor(async () => (await listSimBatches(sim)).some((b) => b.status === "in_progress"), "a batch in progress");
        run.child.kill("SIGINT");
        const result = await run.done;
        expect(result.code, result.stderr).toBe(130);
        const statuses = (await listSimBatches(sim)).map((b) => b.status);
        if (cancel) {
          expect(result.stderr).toMatch(/asked .* to cancel 1 batch/);
          expect(statuses.every((s) => s === "cancelling" || s === "cancelled")).toBe(true);
        } else {
          expect(result.stderr).toMatch(/1 batch is left running .*--cancel-batches/);
          expect(statuses).toContain("in_progress");
          // Resuming online instead would pay again for what the batch holds: said once, at the start.
          const online = await runCli(generateArgs(out, sim.url));
          expect(online.code, online.stderr).toBe(0);
          expect(online.stderr).toMatch(/warning: 1 batch of an earlier --mode batch attempt .* re-run with --mode batch/);
        }
      });
    }
  });
});
