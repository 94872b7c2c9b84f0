/** `instructforge dedup`: drop exact, MinHash and ROUGE-L duplicates from a record file. */
import type { Command } from "commander";
import { existsSync, statSync } from "node:fs";
import { UserError } from "../errors.js";
import { readRecordFile } from "../io/records.js";
import type { DedupField } from "../stages/dedup/index.js";
import { DedupScaleOptions, defaultThreads, SHINGLES_ON_DISK_ABOVE_BYTES } from "../stages/dedup/options.js";
import { formatDedupProgress } from "../stages/dedup/progressLine.js";
import { dedupFile, type DedupProgress } from "../stages/dedup/stream.js";
import { action } from "./action.js";

interface DedupCliOptions {
  in: string;
  out: string;
  rougeL: string;
  minhash: string;
  field: string;
  seeds?: string;
  rejected?: string;
  threads?: string;
}

export function register(program: Command): void {
  program
    .command("dedup")
    .description("drop duplicates: exact, then MinHash LSH near-duplicates, then ROUGE-L on the instruction (Self-Instruct's rule)")
    .requiredOption("--in <file>", "records to deduplicate (Alpaca JSON array, Alpaca JSONL or seed-task JSONL); JSONL is streamed")
    .requiredOption("--out <file>", "kept records, in the input's format and order, objects untouched")
    .option("--rouge-l <threshold>", "drop when ROUGE-L F1 of the instruction with a kept one is > threshold; 0 = off", "0.7")
    .option("--minhash <threshold>", "drop when shingle Jaccard with a kept record is ≥ threshold; 0 = off", "0.8")
    .option("--field <field>", "what exact and MinHash dedup compare: record (instruction+input+output) or instruction", "record")
    .option("--seeds <file>", "seed tasks every record is also compared with (kept first, never written)")
    .option("--rejected <file>", "write dropped records as JSONL, each with the kept record it duplicates, method and score")
    .option("--threads <n>", "worker threads for parsing, MinHash and ROUGE-L (default: available cores; 1 = none); same output for any n")
    .action(action((options: DedupCliOptions) => runDedup(options)));
}

async function runDedup(options: DedupCliOptions): Promise<void> {
  const rougeL = parseThreshold("--rouge-l", options.rougeL);
  const minhash = parseThreshold("--minhash", options.minhash);
  const field = parseField(options.field);
  const threads = options.threads === undefined ? defaultThreads() : parseThreads(options.threads);
  const seeds = options.seeds === undefined ? undefined : await readRecordFile(options.seeds);
  const started = performance.now();
  const progress = progressPrinter(started);
  const shinglesOnDisk = existsSync(options.in) && statSync(options.in).size > SHINGLES_ON_DISK_ABOVE_BYTES;
  const summary = await dedupFile({ in: options.in, out: options.out, rejected: options.rejected, rougeL, minhash, field, seeds, threads, shinglesOnDisk, onProgress: progress.update });
  progress.finish();
  const seconds = (performance.now() - started) / 1000;
  const { exact, minhash: near, "rouge-l": rouge } = summary.byMethod;
  process.stderr.write(
    `dedup: ${summary.records} records → ${summary.kept} kept, ${summary.dropped} dropped ` +
      `(exact ${exact}, minhash ${near}, rouge-l ${rouge}) in ${seconds.toFixed(2)} s\n`,
  );
}

function parseThreshold(flag: string, value: string): number {
  const number = Number(value);
  if (value.trim() === "" || !Number.isFinite(number) || number < 0 || number > 1) {
    throw new UserError(`${flag} must be a number between 0 and 1 (0 turns it off), got '${value}'`);
  }
  return number;
}

function parseThreads(value: string): number {
  const parsed = DedupScaleOptions.shape.threads.safeParse(Number(value));
  if (value.trim() === "" || !parsed.success || parsed.data === undefined) throw new UserError(`--threads must be a whole number from 1 to 256, got '${value}'`);
  return parsed.data;
}

function parseField(value: string): DedupField {
  if (value === "record" || value === "instruction") return value;
  throw new UserError(`--field must be 'record' or 'instruction', got '${value}'`);
}

/** The progress line on stderr: redrawn on a TTY, every 5 s (INSTRUCTFORGE_PROGRESS_MS) otherwise; only for runs that take a while. */
function progressPrinter(started: number): { update: (progress: DedupProgress) => void; finish: () => void } {
  const tty = Boolean(process.stderr.isTTY);
  const interval = Number(process.env.INSTRUCTFORGE_PROGRESS_MS ?? (tty ? 200 : 5000));
  let last = started;
  let printed = false;
  return {
    update(progress) {
      const now = performance.now();
      if (now - last < interval) return;
      last = now;
      printed = true;
      const line = formatDedupProgress(progress, (now - started) / 1000);
      process.stderr.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
    },
    finish() {
      if (printed && tty) process.stderr.write("\r\x1b[2K");
    },
  };
}
