/**
 * Disk full (issue #9): `generate` into a 256 KiB tmpfs must stop with one clear message
 * ("cannot write … the disk is full"), a non-zero exit and a resumable state: copied to a roomy
 * place and re-run, it completes with N records, no duplicates and no torn lines. Also a
 * read-only mount: a clear "cannot write" message, nothing half-written.
 * Needs root (mount); skipped otherwise. Every mount is unmounted in afterAll.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type RunningSimulator } from "../../src/simulator/server.js";
import { recordId, type AlpacaRecord } from "../../src/schemas.js";
import { isRoot, llmArgs, looksLikeStackTrace, makeTempDir, readJsonlStrict, readManifest, removeDir, runCli, SEEDS_PATH, type CliResult } from "./harness.js";

const workDir = makeTempDir("disk-full");
const smallDisk = join(workDir, "small");
const readOnly = join(workDir, "read-only");
const mounted: string[] = [];

function tryMount(dir: string, options: string): boolean {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", options, "tmpfs", dir], { stdio: "pipe" });
    mounted.push(dir);
    return true;
  } catch {
    return false;
  }
}

const canMount = isRoot() && tryMount(smallDisk, "size=256k") && tryMount(readOnly, "size=64k,ro");
let sim: RunningSimulator;
const NUM = 2000;

beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
});

afterAll(async () => {
  await sim?.close();
  for (const dir of mounted.reverse()) execFileSync("umount", [dir], { stdio: "pipe" });
  removeDir(workDir);
});

const generate = (out: string) => ["generate", "--seeds", SEEDS_PATH, "--num", String(NUM), "--out", out, ...llmArgs(sim.url)];

describe.skipIf(!canMount)("a full disk and a read-only disk (tmpfs mounts, root only)", () => {
  let full: CliResult | undefined;
  const fullRun = async (): Promise<CliResult> => (full ??= await runCli(generate(join(smallDisk, "run"))));

  it("generate into a full disk stops with one clear message and a non-zero exit, no stack trace", async () => {
    const result = await fullRun();
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    expect(result.stderr).toMatch(/cannot write .*: the disk is full/);
    expect(looksLikeStackTrace(result.stderr), result.stderr).toBe(false);
  }, 60_000);

  it("the full disk's run directory, copied somewhere roomy, resumes to N records without duplicates or torn lines", async () => {
    await fullRun();
    const roomy = join(workDir, "roomy");
    cpSync(join(smallDisk, "run"), roomy, { recursive: true });
    const resumed = await runCli(generate(roomy));
    expect(resumed.code, resumed.stderr.slice(-800)).toBe(0);
    const data = readJsonlStrict(join(roomy, "data.jsonl"));
    expect(data.problems).toEqual([]);
    expect(data.values).toHaveLength(NUM);
    const ids = (data.values as AlpacaRecord[]).map(recordId);
    expect(new Set(ids).size).toBe(NUM);
    const meta = readJsonlStrict(join(roomy, "meta.jsonl"));
    expect(meta.problems).toEqual([]);
    expect(new Set(meta.values.map((m) => (m as { id: string }).id))).toEqual(new Set(ids));
    expect((readManifest(roomy) as { counts: { accepted: number } }).counts.accepted).toBe(NUM);
  }, 60_000);

  it("generate into a read-only disk: one 'cannot write' message, nothing written", async () => {
    const result = await runCli(generate(join(readOnly, "run")));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/cannot write .*read-only\/run: (permission denied|read-only)/);
    expect(result.stderr.trim().split("\n").filter((l) => !l.startsWith("["))).toHaveLength(1);
    expect(looksLikeStackTrace(result.stderr)).toBe(false);
  });
});
