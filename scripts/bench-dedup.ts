/**
 * Dedup benchmark: ROUGE-L greedy filter over 52K generated instructions (vs the naive all-pairs
 * filter on a subset, extrapolated by N²), MinHash LSH over 52K and 1M records, and the whole
 * dedup stage on code_alpaca_2k when that file is present. Deterministic corpus; prints a table.
 */
import { existsSync, readFileSync } from "node:fs";
import { dedupRecords } from "../src/stages/dedup/index.js";
import { ExactIndex } from "../src/text/exact.js";
import { MinHashLsh } from "../src/text/lsh.js";
import { RougeFilter } from "../src/text/rougeFilter.js";
import { instructions } from "./corpus.js";
import { naiveFilter } from "./naiveRouge.js";

const CODE_ALPACA = "/work/shared/data/code_alpaca_2k.json";
const NAIVE_SUBSET = 2000;

interface Row {
  task: string;
  records: number;
  seconds: number;
  target: string;
  kept: string;
  peakRssMiB: number;
  note: string;
}

const rows: Row[] = [];

function peakRssMiB(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

function timed<T>(fn: () => T): { value: T; seconds: number } {
  const started = performance.now();
  const value = fn();
  return { value, seconds: (performance.now() - started) / 1000 };
}

function benchRouge(texts: string[]): void {
  const fast = timed(() => {
    const filter = new RougeFilter<number>({ threshold: 0.7 });
    return texts.filter((text, i) => filter.checkAndAdd(text, i).keep).length;
  });
  rows.push({ task: "ROUGE-L 0.7 greedy filter", records: texts.length, seconds: fast.seconds, target: "< 10 s", kept: String(fast.value), peakRssMiB: peakRssMiB(), note: "" });
  const subset = texts.slice(0, NAIVE_SUBSET);
  const naive = timed(() => naiveFilter(subset, 0.7));
  const fastSubset = timed(() => {
    const filter = new RougeFilter<number>({ threshold: 0.7 });
    return subset.filter((text, i) => filter.checkAndAdd(text, i).keep).length;
  });
  const scale = (texts.length / NAIVE_SUBSET) ** 2;
  const naiveExtrapolated = naive.seconds * scale;
  rows.push({
    task: `  naive all-pairs DP, first ${NAIVE_SUBSET}`,
    records: NAIVE_SUBSET,
    seconds: naive.seconds,
    target: "",
    kept: `${naive.value} (fast: ${fastSubset.value})`,
    peakRssMiB: peakRssMiB(),
    note: `same ${NAIVE_SUBSET}: fast ${fastSubset.seconds.toFixed(3)} s → ${(naive.seconds / fastSubset.seconds).toFixed(0)}× faster; ` +
      `naive ×${scale.toFixed(0)} (N²) ≈ ${naiveExtrapolated.toFixed(0)} s for ${texts.length} → ${(naiveExtrapolated / fast.seconds).toFixed(0)}× faster`,
  });
}

/** Exact + MinHash LSH as the stage runs them, streaming so the texts are never all held. */
function benchLsh(label: string, texts: Iterable<string>, target: string): void {
  const result = timed(() => {
    const exact = new ExactIndex<number>();
    const lsh = new MinHashLsh<number>({ threshold: 0.8 });
    let records = 0;
    let kept = 0;
    for (const text of texts) {
      const id = records++;
      if (exact.find(text) !== undefined || lsh.query(text) !== undefined) continue;
      exact.add(id, text);
      lsh.add(id, text);
      kept++;
    }
    return { records, kept, layout: lsh.layout };
  });
  const { records, kept, layout } = result.value;
  rows.push({ task: label, records, seconds: result.seconds, target, kept: String(kept), peakRssMiB: peakRssMiB(), note: `${layout.bands} bands × ${layout.rows} rows` });
}

function benchCodeAlpaca(): void {
  if (!existsSync(CODE_ALPACA)) {
    rows.push({ task: "dedup stage, code_alpaca_2k", records: 0, seconds: 0, target: "", kept: "-", peakRssMiB: peakRssMiB(), note: `skipped: ${CODE_ALPACA} not present` });
    return;
  }
  const records = (JSON.parse(readFileSync(CODE_ALPACA, "utf8")) as Array<{ instruction: string; input?: string; output?: string }>).map((r) => ({
    record: { instruction: r.instruction, input: r.input ?? "", output: r.output ?? "" },
  }));
  const result = timed(() => dedupRecords(records));
  const byMethod = new Map<string, number>();
  for (const dropped of result.value.dropped) byMethod.set(dropped.method, (byMethod.get(dropped.method) ?? 0) + 1);
  rows.push({
    task: "dedup stage, code_alpaca_2k",
    records: records.length,
    seconds: result.seconds,
    target: "",
    kept: String(result.value.kept.length),
    peakRssMiB: peakRssMiB(),
    note: [...byMethod].map(([method, count]) => `${method} ${count}`).join(", ") || "nothing dropped",
  });
}

function printTable(): void {
  const header = ["task", "records", "seconds", "target", "kept", "peak RSS MiB", "note"];
  const lines = rows.map((row) => [row.task, String(row.records), row.seconds.toFixed(2), row.target, row.kept, String(row.peakRssMiB), row.note]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]!.length)));
  const format = (cells: string[]): string => cells.map((cell, column) => cell.padEnd(widths[column]!)).join(" | ").trimEnd();
  process.stdout.write(`${format(header)}\n${widths.map((width) => "-".repeat(width)).join("-|-")}\n${lines.map(format).join("\n")}\n`);
}

const corpus = [...instructions(52_000, 2024)];
benchCodeAlpaca();
benchRouge(corpus);
benchLsh("MinHash LSH 0.8 (+ exact)", corpus, "< 3 s");
benchLsh("MinHash LSH 0.8 (+ exact), streamed", instructions(1_000_000, 99), "< 60 s, < 2048 MiB");
printTable();
process.stdout.write(`(peak RSS is the process maximum so far; phases run smallest first. Node ${process.version}.)\n`);
