/**
 * `jsonValues` reaches the translate stage from both entry points: the CLI flag `--json-values`
 * and the pipeline config key `translate.jsonValues`, run as subprocesses against the in-process
 * SIMULATOR (a test double). A field that is all JSON stays byte-identical with `none`, and its
 * prose values are translated by default.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type RunningSimulator } from "../../src/simulator/server.js";
import { runCli, TEST_KEY } from "../pipeline/helpers.js";
import { hanShareOf, readRun, tempDir, writeRecords } from "./helpers.js";

const PROFILE = JSON.stringify({ name: "Alice", bio: "Loves hiking and painting in the mountains.", age: 30 }, null, 2);
const RECORDS = [{ instruction: "Summarise the profile below in one sentence.", input: PROFILE, output: "Alice is thirty and loves hiking and painting." }];

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({ seed: 5 });
});
afterAll(async () => {
  await sim.close();
});

const llmArgs = () => ["--base-url", sim.url, "--api-key", TEST_KEY];
const bioOf = (input: string) => (JSON.parse(input) as { bio: string }).bio;

describe("translate --json-values", () => {
  it("'none' keeps a JSON field byte-identical; the default translates its prose values", async () => {
    const dir = tempDir();
    const inPath = writeRecords(dir, RECORDS);
    const none = await runCli(["translate", "--in", inPath, "--to", "zh", "--out", join(dir, "none"), "--json-values", "none", ...llmArgs()]);
    expect(none.code, none.stderr).toBe(0);
    expect(readRun(join(dir, "none")).data[0]!.input).toBe(PROFILE);
    expect(readRun(join(dir, "none")).manifest.config).toMatchObject({ jsonValues: "none" });

    const prose = await runCli(["translate", "--in", inPath, "--to", "zh", "--out", join(dir, "prose"), ...llmArgs()]);
    expect(prose.code, prose.stderr).toBe(0);
    expect(hanShareOf(bioOf(readRun(join(dir, "prose")).data[0]!.input))).toBeGreaterThan(0.5);
  });

  it("refuses an unknown mode with one clear line", async () => {
    const dir = tempDir();
    const result = await runCli(["translate", "--in", writeRecords(dir, RECORDS), "--to", "zh", "--out", join(dir, "out"), "--json-values", "some", ...llmArgs()]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/--json-values must be one of prose, all, none, got 'some'/);
  });
});

describe("translate.jsonValues in a pipeline config", () => {
  it("reaches the stage: 'none' keeps the JSON field byte-identical", async () => {
    const dir = tempDir();
    writeRecords(dir, RECORDS, "records.json");
    const config = join(dir, "zh.yaml");
    writeFileSync(config, "lang: zh\ninput: records.json\nstages:\n  - translate:\n      jsonValues: none\n");
    const result = await runCli(["run", "--config", config, "--out", join(dir, "run"), ...llmArgs()]);
    expect(result.code, result.stderr).toBe(0);
    expect(readRun(join(dir, "run", "01-translate")).data[0]!.input).toBe(PROFILE);
  });

  it("refuses an unknown mode, naming the line", async () => {
    const dir = tempDir();
    writeRecords(dir, RECORDS, "records.json");
    const config = join(dir, "zh.yaml");
    writeFileSync(config, "lang: zh\ninput: records.json\nstages:\n  - translate:\n      jsonValues: some\n");
    const result = await runCli(["run", "--config", config, "--out", join(dir, "run"), ...llmArgs()]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/zh\.yaml:5: .*jsonValues.*one of prose, all, none/);
  });
});
