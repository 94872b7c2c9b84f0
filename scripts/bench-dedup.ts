/**
 * Dedup benchmark. Deterministic generated corpora (scripts/corpus.ts); prints one table with
 * every target, its figure and the ratio to it, then the side-by-side comparison.
 *
 *   npm run build && npm run bench:dedup
 *   DATASKETCH=/work/ext/datasketch npm run bench:dedup     # + datasketch (Python, numpy, scipy) side by side
 *   DEDUP_BASELINE_CLI=/path/to/older/dist/src/cli.js …     # + an earlier build on the 52K corpus, same run
 *   DEDUP_BASELINE_1M=1 …                                   # … and on the 1M one
 *   DEDUP_10M_FILE=/path/to/10m.jsonl …                     # the 10M row on a corpus already written
 *   DEDUP_BENCH_SKIP=rouge1m,10m …                          # leave out the long rows
 *   PYTHON=/usr/bin/python3 (default)
 *
 * Rows: the dedup stage on code_alpaca_2k (when present); the ROUGE-L 0.7 exact greedy filter on
 * 52K and 1M instructions (52K against the naive all-pairs DP on a subset; 1M as streamed dedup
 * runs it, two shards on two threads, and record by record on one); `instructforge dedup`
 * (MinHash LSH 0.8 + exact, ROUGE-L off) end to end as a child process on 52K and 1M whole
 * records and on 10M streamed from a temp file. Child times are wall clock from GNU time, with
 * CPU seconds beside them: the machine is shared, so compare figures measured in the same run.
 */
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { dedupRecords } from "../src/stages/dedup/index.js";
import { ChunkedRouge, createRougeShards } from "../src/stages/dedup/rougeShards.js";
import { RougeFilter } from "../src/text/rougeFilter.js";
import { instructions, wholeRecordParts } from "./corpus.js";
import { naiveFilter } from "./naiveRouge.js";

const CODE_ALPACA = "/work/shared/data/code_alpaca_2k.json";
const NAIVE_SUBSET = 2000;
const CLI = join(import.meta.dirname, "../src/cli.js");
const DATASKETCH = process.env.DATASKETCH;
const PYTHON = process.env.PYTHON ?? "/usr/bin/python3";
const BASELINE_CLI = process.env.DEDUP_BASELINE_CLI;
const SKIP = new Set((process.env.DEDUP_BENCH_SKIP ?? "").split(",").filter(Boolean));
const DATASKETCH_DRIVER = join(import.meta.dirname, "../../scripts/datasketch_dedup.py");
const work = mkdtempSync(join(tmpdir(), "bench-dedup-"));

interface Row {
  task: string;
  records: number;
  seconds: number;
  cpuSeconds?: number;
  target: string;
  /** Figure ÷ target (≤ 1 meets it) for time, and for memory when there is a memory target. */
  vsTarget: string;
  kept: string;
  peakRssMiB: number;
  note: string;
}

const rows: Row[] = [];
const notes: string[] = [];

function ownPeakRssMiB(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

function timed<T>(fn: () => T): { value: T; seconds: number } {
  const started = performance.now();
  const value = fn();
  return { value, seconds: (performance.now() - started) / 1000 };
}

async function timedAsync<T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const started = performance.now();
  const value = await fn();
  return { value, seconds: (performance.now() - started) / 1000 };
}

const ratio = (figure: number, target: number): string => `${(figure / target).toFixed(2)}`;

/** A child process, measured by GNU time (wall, CPU, peak RSS). */
function measured(command: string, args: string[]): { seconds: number; cpuSeconds: number; peakRssMiB: number; stdout: string; stderr: string } {
  const timeFile = join(work, "time.txt");
  const result = spawnSync("/usr/bin/time", ["-o", timeFile, "-f", "%e %U %S %M", command, ...args], { encoding: "utf8", maxBuffer: 1 << 28 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${result.status}): ${result.stderr}`);
  const [wall, user, system, maxKiB] = readFileSync(timeFile, "utf8").trim().split(/\s+/).slice(-4).map(Number) as [number, number, number, number];
  return { seconds: wall, cpuSeconds: user + system, peakRssMiB: Math.round(maxKiB / 1024), stdout: result.stdout, stderr: result.stderr };
}

/** `count` whole records; above a million, in parts of a million with seeds seed, seed + 1, … (same as scripts/corpus.ts's `wholeRecordParts`). */
function writeCorpus(path: string, count: number, seed: number): void {
  const fd = openSync(path, "w");
  let buffer = "";
  for (const record of wholeRecordParts(count, seed)) {
    buffer += `${JSON.stringify(record)}\n`;
    if (buffer.length > 1 << 22) {
      writeSync(fd, buffer);
      buffer = "";
    }
  }
  writeSync(fd, buffer);
  closeSync(fd);
}

function runDedupCli(cli: string, input: string, extra: string[] = []): ReturnType<typeof measured> & { kept: number } {
  const run = measured(process.execPath, [cli, "dedup", "--in", input, "--out", join(work, "kept.jsonl"), "--rouge-l", "0", ...extra]);
  const kept = Number(/→ (\d+) kept/.exec(run.stderr)?.[1] ?? NaN);
  return { ...run, kept };
}

function runDatasketch(input: string, droppedFile: string): ReturnType<typeof measured> & { kept: number; bands: number; rows: number } {
  const run = measured(PYTHON, [DATASKETCH_DRIVER, DATASKETCH!, input, droppedFile]);
  const reply = JSON.parse(run.stdout.trim().split("\n").pop()!) as { kept: number; bands: number; rows: number };
  return { ...run, ...reply };
}

async function benchCodeAlpaca(): Promise<void> {
  if (!existsSync(CODE_ALPACA)) {
    notes.push(`code_alpaca_2k row skipped: ${CODE_ALPACA} not present`);
    return;
  }
  const records = (JSON.parse(readFileSync(CODE_ALPACA, "utf8")) as Array<{ instruction: string; input?: string; output?: string }>).map((r) => ({
    record: { instruction: r.instruction, input: r.input ?? "", output: r.output ?? "" },
  }));
  const result = await timedAsync(() => dedupRecords(records));
  const byMethod = new Map<string, number>();
  for (const dropped of result.value.dropped) byMethod.set(dropped.method, (byMethod.get(dropped.method) ?? 0) + 1);
  rows.push({
    task: "dedup stage (in memory), code_alpaca_2k",
    records: records.length,
    seconds: result.seconds,
    target: "",
    vsTarget: "",
    kept: String(result.value.kept.length),
    peakRssMiB: ownPeakRssMiB(),
    note: [...byMethod].map(([method, count]) => `${method} ${count}`).join(", ") || "nothing dropped",
  });
}

function rougeKept(texts: Iterable<string>): { kept: number; records: number } {
  const filter = new RougeFilter<number>({ threshold: 0.7 });
  let records = 0;
  let kept = 0;
  for (const text of texts) if (filter.checkAndAdd(text, records++).keep) kept++;
  return { kept, records };
}

function benchRouge52k(texts: string[]): void {
  const fast = timed(() => rougeKept(texts));
  const subset = texts.slice(0, NAIVE_SUBSET);
  const naive = timed(() => naiveFilter(subset, 0.7));
  const fastSubset = timed(() => rougeKept(subset));
  const scale = (texts.length / NAIVE_SUBSET) ** 2;
  rows.push({ task: "ROUGE-L 0.7 exact greedy filter", records: texts.length, seconds: fast.seconds, target: "", vsTarget: "", kept: String(fast.value.kept), peakRssMiB: ownPeakRssMiB(), note: "" });
  rows.push({
    task: `  naive all-pairs DP, first ${NAIVE_SUBSET}`,
    records: NAIVE_SUBSET,
    seconds: naive.seconds,
    target: "",
    vsTarget: "",
    kept: `${naive.value} (fast: ${fastSubset.value.kept})`,
    peakRssMiB: ownPeakRssMiB(),
    note: `same ${NAIVE_SUBSET}: fast ${fastSubset.seconds.toFixed(3)} s, ${(naive.seconds / fastSubset.seconds).toFixed(0)}× faster; naive ×${scale.toFixed(0)} (N²) ≈ ${(naive.seconds * scale).toFixed(0)} s for ${texts.length}`,
  });
}

/** The greedy filter as streamed dedup runs it: chunks of 2,000, two shards (one per thread when `threads` is 2). */
async function rougeKeptChunked(texts: readonly string[], threads: number): Promise<{ kept: number; records: number }> {
  const rouge = new ChunkedRouge(createRougeShards(0.7, threads), 0.7);
  let kept = 0;
  for (let start = 0; start < texts.length; start += 2000) {
    const chunk = texts.slice(start, start + 2000);
    await rouge.begin(chunk);
    chunk.forEach((text, at) => {
      if (rouge.find(at) === undefined) rouge.keep(kept++, text, at);
    });
  }
  await rouge.close();
  return { kept, records: texts.length };
}

async function benchRouge1m(): Promise<void> {
  if (SKIP.has("rouge1m")) return void notes.push("ROUGE-L 1M row skipped (DEDUP_BENCH_SKIP)");
  const texts = [...instructions(1_000_000, 99)]; // generated first: the rows time the filter, not the corpus
  const cpuBefore = process.cpuUsage();
  const { value: chunked, seconds } = await timedAsync(() => rougeKeptChunked(texts, 2));
  const cpu = process.cpuUsage(cpuBefore);
  const rss = ownPeakRssMiB();
  const single = timed(() => rougeKept(texts));
  rows.push({
    task: "ROUGE-L 0.7 exact greedy filter, 2 threads",
    records: chunked.records,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    target: "≤ 60 s, ≤ 1536 MiB",
    vsTarget: `${ratio(seconds, 60)} / ${ratio(rss, 1536)}`,
    kept: String(chunked.kept),
    peakRssMiB: rss,
    note: `dedup's chunked shards (src/stages/dedup/rougeShards.ts); decisions checked against the all-pairs DP by the tests; peak RSS includes the 1M texts held in memory`,
  });
  rows.push({
    task: "  same, 1 thread, record by record",
    records: single.value.records,
    seconds: single.seconds,
    target: "",
    vsTarget: "",
    kept: `${single.value.kept}${single.value.kept === chunked.kept ? " (same)" : " (DIFFERENT)"}`,
    peakRssMiB: ownPeakRssMiB(),
    note: `RougeFilter (generate's filter); 2 threads are ${(single.seconds / seconds).toFixed(2)}× faster; peak RSS: the process's, both rows`,
  });
}

/** 52K whole records: ours and datasketch alternated (ours, theirs, ours, theirs), plus the baseline build when given. */
function benchSideBySide(): void {
  const input = join(work, "whole-52k.jsonl");
  writeCorpus(input, 52_000, 2024);
  const ours: Array<ReturnType<typeof runDedupCli>> = [];
  const theirs: Array<ReturnType<typeof runDatasketch>> = [];
  const baseline: Array<ReturnType<typeof runDedupCli>> = [];
  for (let round = 0; round < 2; round++) {
    ours.push(runDedupCli(CLI, input));
    if (DATASKETCH) theirs.push(runDatasketch(input, join(work, "datasketch-dropped.txt")));
    if (BASELINE_CLI) baseline.push(runDedupCli(BASELINE_CLI, input));
  }
  ours.forEach((run, round) => {
    const versus = theirs[round];
    rows.push({
      task: `dedup CLI, MinHash 0.8 + exact, whole records (run ${round + 1})`,
      records: 52_000,
      seconds: run.seconds,
      cpuSeconds: run.cpuSeconds,
      target: versus ? "≥ 4× datasketch" : "≥ 4× datasketch (not run)",
      vsTarget: versus ? `${(versus.seconds / run.seconds).toFixed(2)}× (${(4 / (versus.seconds / run.seconds)).toFixed(2)})` : "",
      kept: String(run.kept),
      peakRssMiB: run.peakRssMiB,
      note: `${cpus().length} cores`,
    });
    if (versus) {
      rows.push({ task: `  datasketch MinHash.bulk + MinHashLSH (run ${round + 1})`, records: 52_000, seconds: versus.seconds, cpuSeconds: versus.cpuSeconds, target: "", vsTarget: "", kept: String(versus.kept), peakRssMiB: versus.peakRssMiB, note: `${versus.bands} bands × ${versus.rows} rows, 1 core` });
    }
  });
  baseline.forEach((run, round) => {
    rows.push({ task: `  baseline build (run ${round + 1})`, records: 52_000, seconds: run.seconds, cpuSeconds: run.cpuSeconds, target: "", vsTarget: `${(run.seconds / ours[round]!.seconds).toFixed(2)}× our time`, kept: String(run.kept), peakRssMiB: run.peakRssMiB, note: BASELINE_CLI ?? "" });
  });
  if (!DATASKETCH) notes.push("datasketch rows skipped: set DATASKETCH to a datasketch source tree (Python with numpy and scipy) to run it side by side");
  else notes.push(agreement(input, join(work, "datasketch-dropped.txt")));
}

/** How far the two kept sets agree, from the dropped line numbers of each. */
function agreement(input: string, datasketchDropped: string): string {
  const rejected = join(work, "rejected.jsonl");
  runDedupCli(CLI, input, ["--rejected", rejected]);
  const ours = new Set(readFileSync(rejected, "utf8").trim().split("\n").map((line) => (JSON.parse(line) as { detail: { line: number } }).detail.line));
  const theirs = new Set(readFileSync(datasketchDropped, "utf8").trim().split("\n").map(Number));
  const total = 52_000;
  const onlyOurs = [...ours].filter((line) => !theirs.has(line)).length;
  const onlyTheirs = [...theirs].filter((line) => !ours.has(line)).length;
  const keptBoth = total - ours.size - onlyTheirs;
  const keptUnion = total - (ours.size - onlyOurs);
  return (
    `agreement on 52K: same decision for ${(100 * (1 - (onlyOurs + onlyTheirs) / total)).toFixed(2)}% of records; ` +
    `kept sets' Jaccard ${(keptBoth / keptUnion).toFixed(4)}; dropped by both ${ours.size - onlyOurs}, only by us ${onlyOurs}, only by datasketch ${onlyTheirs} ` +
    `(datasketch drops on any band collision, unconfirmed, and its 9 × 13 bands miss more pairs just above 0.8; we confirm each candidate on exact shingle Jaccard ≥ 0.8)`
  );
}

function benchCliAtScale(count: number, seed: number, label: string, target: string, targetSeconds: number, targetMiB: number): void {
  const input = join(work, `whole-${count}.jsonl`);
  const generated = timed(() => writeCorpus(input, count, seed));
  const size = statSync(input).size;
  const run = runDedupCli(CLI, input);
  rmSync(input);
  rows.push({
    task: label,
    records: count,
    seconds: run.seconds,
    cpuSeconds: run.cpuSeconds,
    target,
    vsTarget: `${ratio(run.seconds, targetSeconds)} / ${ratio(run.peakRssMiB, targetMiB)}`,
    kept: String(run.kept),
    peakRssMiB: run.peakRssMiB,
    note: `${Math.round(count / run.seconds)} records/s; input ${(size / (1 << 30)).toFixed(2)} GiB (generated in ${generated.seconds.toFixed(0)} s, not timed)`,
  });
}

/** The 10M row on a corpus written earlier (scripts/corpus.ts's `wholeRecordParts(10_000_000, 7)`, e.g. by a previous bench run's generator). */
function benchCliOnFile(input: string, count: number): void {
  const run = runDedupCli(CLI, input);
  rows.push({
    task: "dedup CLI, MinHash 0.8 + exact, streamed",
    records: count,
    seconds: run.seconds,
    cpuSeconds: run.cpuSeconds,
    target: "≤ 180 s, ≤ 4096 MiB",
    vsTarget: `${ratio(run.seconds, 180)} / ${ratio(run.peakRssMiB, 4096)}`,
    kept: String(run.kept),
    peakRssMiB: run.peakRssMiB,
    note: `${Math.round(count / run.seconds)} records/s; input ${(statSync(input).size / (1 << 30)).toFixed(2)} GiB (${input})`,
  });
}

function benchCli1m(): void {
  benchCliAtScale(1_000_000, 99, "dedup CLI, MinHash 0.8 + exact, whole records", "≤ 15 s, ≤ 1024 MiB", 15, 1024);
  if (BASELINE_CLI && process.env.DEDUP_BASELINE_1M === "1") {
    const input = join(work, "whole-1m-baseline.jsonl");
    writeCorpus(input, 1_000_000, 99);
    const run = runDedupCli(BASELINE_CLI, input);
    rmSync(input);
    rows.push({ task: "  baseline build", records: 1_000_000, seconds: run.seconds, cpuSeconds: run.cpuSeconds, target: "", vsTarget: "", kept: String(run.kept), peakRssMiB: run.peakRssMiB, note: BASELINE_CLI });
  }
}

function benchCli10m(): void {
  if (SKIP.has("10m")) return void notes.push("10M row skipped (DEDUP_BENCH_SKIP)");
  if (process.env.DEDUP_10M_FILE) return void benchCliOnFile(process.env.DEDUP_10M_FILE, 10_000_000);
  benchCliAtScale(10_000_000, 7, "dedup CLI, MinHash 0.8 + exact, streamed", "≤ 180 s, ≤ 4096 MiB", 180, 4096);
}

function printTable(): void {
  const header = ["task", "records", "wall s", "CPU s", "target", "figure ÷ target", "kept", "peak RSS MiB", "note"];
  const lines = rows.map((row) => [row.task, String(row.records), row.seconds.toFixed(2), row.cpuSeconds?.toFixed(2) ?? "", row.target, row.vsTarget, row.kept, String(row.peakRssMiB), row.note]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]!.length)));
  const format = (cells: string[]): string => cells.map((cell, column) => cell.padEnd(widths[column]!)).join(" | ").trimEnd();
  process.stdout.write(`${format(header)}\n${widths.map((width) => "-".repeat(width)).join("-|-")}\n${lines.map(format).join("\n")}\n`);
  for (const note of notes) process.stdout.write(`- ${note}\n`);
}

try {
  await benchCodeAlpaca();
  benchRouge52k([...instructions(52_000, 2024)]);
  benchSideBySide();
  benchCli1m();
  benchCli10m();
  await benchRouge1m();
} finally {
  rmSync(work, { recursive: true, force: true });
}
printTable();
const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
process.stdout.write(`(in-process rows: peak RSS is this process's maximum so far. Node ${process.version}; load average at the end ${load}.)\n`);
