/** Evolve in `--mode batch` against the SIMULATOR (a test double): one wave per step of a round, same dataset as online. */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { SEEDS_PATH, makeTempDir, removeDir, runCli, withSimulator } from "../reliability/harness.js";
import { readJournal } from "./helpers.js";

const work = makeTempDir("batch-evolve");
afterAll(() => removeDir(work));

it("evolve --mode batch runs each step of each round as one wave and keeps the online run's records", async () => {
  const seeds = join(work, "seeds.jsonl");
  writeFileSync(seeds, `${readFileSync(SEEDS_PATH, "utf8").split("\n").slice(0, 40).join("\n")}\n`);
  const args = (out: string, url: string, extra: string[]) => ["evolve", "--in", seeds, "--out", out, "--rounds", "2", "--base-url", url, "--api-key", "x", "--model", "sim", ...extra];
  await withSimulator({ seed: 11, batchDelayMs: 60 }, async (sim) => {
    const online = await runCli(args(join(work, "online"), sim.url, []));
    expect(online.code, online.stderr).toBe(0);
    const batch = await runCli(args(join(work, "batch"), sim.url, ["--mode", "batch", "--batch-poll", "0.1"]));
    expect(batch.code, batch.stderr).toBe(0);
    expect(readFileSync(join(work, "batch", "data.jsonl"), "utf8")).toBe(readFileSync(join(work, "online", "data.jsonl"), "utf8"));
    expect(readFileSync(join(work, "batch", "meta.jsonl"), "utf8")).toBe(readFileSync(join(work, "online", "meta.jsonl"), "utf8"));

    // Two rounds of evolve → judge → answer, plus re-asked judges: a handful of waves, none larger than the pool.
    const waves = readJournal(join(work, "batch")).filter((line) => line.type === "wave");
    expect(waves.length).toBeGreaterThanOrEqual(6);
    expect(waves.length).toBeLessThanOrEqual(10);
    expect(waves.every((w) => w.lines! <= 40)).toBe(true);
    expect(sim.batchStats().needlessResubmissions).toBe(0);
  });
});
