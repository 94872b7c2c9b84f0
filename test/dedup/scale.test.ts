import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dedupFile } from "../../src/stages/dedup/stream.js";
import { perturb, randomChinese, randomInt, randomSentence, seededRandom } from "../text/random.js";

const CLI = join(process.cwd(), "dist/src/cli.js");
const dir = mkdtempSync(join(tmpdir(), "dedup-scale-"));

interface Rec {
  instruction: string;
  input: string;
  output: string;
}

/** Whole records with planted exact and near duplicates (edits anywhere in the record). */
function corpus(seed: number, count: number, chinese: boolean): Rec[] {
  const random = seededRandom(seed);
  const text = (min: number, max: number): string => (chinese ? randomChinese(random, min, max).join("") : randomSentence(random, min, max, 3000).join(" "));
  const records: Rec[] = [];
  for (let i = 0; i < count; i++) {
    const roll = random();
    const base = records.length > 0 && roll < 0.25 ? records[Math.floor(random() * records.length)]! : undefined;
    if (base === undefined) records.push({ instruction: text(4, 30), input: random() < 0.5 ? "" : text(3, 40), output: text(5, 80) });
    else if (roll < 0.05) records.push({ ...base, instruction: base.instruction.toUpperCase() });
    else {
      const split = (s: string): string[] => (chinese ? [...s] : s.split(" "));
      const fresh = (): string => (chinese ? randomChinese(random, 1, 1)[0]! : randomSentence(random, 1, 1, 3000)[0]!);
      const join = (parts: string[]): string => parts.join(chinese ? "" : " ");
      records.push({ instruction: join(perturb(random, split(base.instruction), randomInt(random, 0, 3), fresh)), input: base.input, output: join(perturb(random, split(base.output), randomInt(random, 0, 3), fresh)) });
    }
  }
  return records;
}

const jsonl = (records: readonly Rec[]): string => records.map((r) => `${JSON.stringify(r)}\n`).join("");

function runCli(args: string[]): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, "dedup", ...args], { encoding: "utf8" });
  return { status: result.status, stderr: result.stderr };
}

/** Kept and rejected files of one CLI run with `threads`. */
function dedupWithThreads(input: string, threads: number, extra: string[] = []): { kept: string; rejected: string } {
  const out = join(dir, `out-${threads}-${input.split("/").pop()}`);
  const rejected = join(dir, `rejected-${threads}-${input.split("/").pop()}.jsonl`);
  const result = runCli(["--in", input, "--out", out, "--rejected", rejected, "--threads", String(threads), ...extra]);
  expect(result.status, result.stderr).toBe(0);
  return { kept: readFileSync(out, "utf8"), rejected: readFileSync(rejected, "utf8") };
}

describe.skipIf(!existsSync(CLI))("streamed dedup on worker threads (built CLI; run `npm run build` first)", () => {
  it("gives byte-identical kept and rejected files with 1 and 3 threads, English JSONL over several chunks, with seeds", () => {
    const records = corpus(31, 9000, false);
    const input = join(dir, "english.jsonl");
    writeFileSync(input, jsonl(records));
    expect(readFileSync(input).length).toBeGreaterThan(2 * (1 << 20)); // more than two 1 MiB chunks
    const seeds = join(dir, "seeds.jsonl");
    writeFileSync(seeds, jsonl(records.slice(0, 20).map((r) => ({ ...r, output: `${r.output} seed` }))));
    const single = dedupWithThreads(input, 1, ["--seeds", seeds]);
    const multi = dedupWithThreads(input, 3, ["--seeds", seeds]);
    expect(multi.kept).toBe(single.kept);
    expect(multi.rejected).toBe(single.rejected);
    const reasons = single.rejected.trim().split("\n").map((line) => (JSON.parse(line) as { reason: string }).reason);
    for (const reason of ["exact", "minhash", "rouge-l"]) expect(reasons).toContain(reason);
    expect(single.kept.split("\n").length - 1 + reasons.length).toBe(records.length);
  }, 300_000);

  it("gives byte-identical files with 1 and 2 threads on Chinese, as JSONL and as a JSON array", () => {
    const records = corpus(32, 6000, true);
    const lines = join(dir, "chinese.jsonl");
    writeFileSync(lines, jsonl(records));
    const array = join(dir, "chinese.json");
    writeFileSync(array, JSON.stringify(records, null, 2));
    const single = dedupWithThreads(lines, 1);
    expect(dedupWithThreads(lines, 2)).toEqual(single);
    const singleArray = dedupWithThreads(array, 1);
    expect(dedupWithThreads(array, 2)).toEqual(singleArray);
    // The array output is what JSON.stringify(kept, null, 2) gives, and holds the same records as the JSONL run.
    const kept = JSON.parse(singleArray.kept) as Rec[];
    expect(singleArray.kept).toBe(`${JSON.stringify(kept, null, 2)}\n`);
    expect(kept).toEqual(single.kept.trim().split("\n").map((line) => JSON.parse(line) as Rec));
    expect(kept.length).toBeLessThan(records.length - 500);
  }, 300_000);

  it.skipIf(!existsSync("/proc/self/status"))("streams 100K records in bounded memory: peak RSS below the input's size", async () => {
    // 100K records of ~4 KB (about 400 MB) drawn from 3,000 distinct ones: the index stays small, the input does not.
    // The padding is punctuation, which the tokenizer skips, so the run stays quick.
    const distinct = corpus(33, 3000, false).map((r) => ({ ...r, output: `${r.output} ${"-".repeat(3600)}` }));
    const random = seededRandom(34);
    const input = join(dir, "big.jsonl");
    const lines: string[] = [];
    for (let i = 0; i < 100_000; i++) lines.push(`${JSON.stringify(distinct[Math.floor(random() * distinct.length)])}\n`);
    writeFileSync(input, lines.join(""));
    const inputMiB = readFileSync(input).length / (1 << 20);
    expect(inputMiB).toBeGreaterThan(350);
    const child = spawn(process.execPath, [CLI, "dedup", "--in", input, "--out", join(dir, "big-out.jsonl"), "--rouge-l", "0", "--threads", "2"], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (data: Buffer) => (stderr += data.toString()));
    let peakKiB = 0;
    const sample = (): void => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
        peakKiB = Math.max(peakKiB, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
      } catch {
        /* the child has just exited */
      }
    };
    const sampler = setInterval(sample, 10);
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    clearInterval(sampler);
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/100000 records → \d+ kept/);
    expect(peakKiB).toBeGreaterThan(0);
    // Loading the input holds it twice over (bytes, then objects: 964 MB here before streaming); the streamed run
    // holds chunks in flight and the index (288 MB, most of it Node, the CLI's modules and two worker isolates).
    process.stdout.write(`streamed 100K records (${inputMiB.toFixed(0)} MiB): peak RSS ${(peakKiB / 1024).toFixed(0)} MiB\n`);
    expect(peakKiB / 1024).toBeLessThan(inputMiB);
  }, 300_000);
});

describe("dedupFile", () => {
  it("keeps the same records whether the index keeps its shingles in memory or in a temp file", async () => {
    const input = join(dir, "disk.jsonl");
    writeFileSync(input, jsonl(corpus(35, 3000, false)));
    const run = async (shinglesOnDisk: boolean): Promise<string> => {
      const out = join(dir, `disk-out-${shinglesOnDisk}.jsonl`);
      const summary = await dedupFile({ in: input, out, rougeL: 0, minhash: 0.8, field: "record", threads: 1, shinglesOnDisk });
      expect(summary.byMethod.minhash).toBeGreaterThan(50);
      return readFileSync(out, "utf8");
    };
    expect(await run(true)).toBe(await run(false));
  });

  it("leaves no output and names the line when a record deep in the file is bad", async () => {
    const input = join(dir, "late-error.jsonl");
    writeFileSync(input, `${jsonl(corpus(36, 4000, false))}{"instruction": ""}\n`);
    const out = join(dir, "late-error-out.jsonl");
    await expect(dedupFile({ in: input, out, rougeL: 0.7, minhash: 0.8, field: "record", threads: 1 })).rejects.toThrow(`${input}:4001: field 'instruction'`);
    expect(existsSync(out)).toBe(false);
  });
});
