/** `instructforge dedup`: drop exact, MinHash and ROUGE-L duplicates from a record file. */
import type { Command } from "commander";
import { UserError } from "../errors.js";
import { writeFileAtomic } from "../io/atomic.js";
import { readRecordFile, type RecordFile, type RecordItem } from "../io/records.js";
import type { RejectedRecord } from "../schemas.js";
import { dedupRecords, type DedupField, type DedupResult } from "../stages/dedup/index.js";
import { action } from "./action.js";

interface DedupCliOptions {
  in: string;
  out: string;
  rougeL: string;
  minhash: string;
  field: string;
  seeds?: string;
  rejected?: string;
}

export function register(program: Command): void {
  program
    .command("dedup")
    .description("drop duplicates: exact, then MinHash LSH near-duplicates, then ROUGE-L on the instruction (Self-Instruct's rule)")
    .requiredOption("--in <file>", "records to deduplicate (Alpaca JSON array, Alpaca JSONL or seed-task JSONL)")
    .requiredOption("--out <file>", "kept records, in the input's format and order, objects untouched")
    .option("--rouge-l <threshold>", "drop when ROUGE-L F1 of the instruction with a kept one is > threshold; 0 = off", "0.7")
    .option("--minhash <threshold>", "drop when shingle Jaccard with a kept record is ≥ threshold; 0 = off", "0.8")
    .option("--field <field>", "what exact and MinHash dedup compare: record (instruction+input+output) or instruction", "record")
    .option("--seeds <file>", "seed tasks every record is also compared with (kept first, never written)")
    .option("--rejected <file>", "write dropped records as JSONL, each with the kept record it duplicates, method and score")
    .action(action((options: DedupCliOptions) => runDedup(options)));
}

async function runDedup(options: DedupCliOptions): Promise<void> {
  const rougeL = parseThreshold("--rouge-l", options.rougeL);
  const minhash = parseThreshold("--minhash", options.minhash);
  const field = parseField(options.field);
  const input = await readRecordFile(options.in);
  const seeds = options.seeds === undefined ? undefined : await readRecordFile(options.seeds);
  const started = performance.now();
  const result = dedupRecords(input.items, { rougeL, minhash, field, seeds: seeds?.items });
  const seconds = (performance.now() - started) / 1000;
  writeFileAtomic(options.out, formatLike(input, result.kept));
  if (options.rejected !== undefined) writeFileAtomic(options.rejected, rejectedLines(input, result, seeds).join(""));
  process.stderr.write(summary(input.items.length, result, seconds));
}

function parseThreshold(flag: string, value: string): number {
  const number = Number(value);
  if (value.trim() === "" || !Number.isFinite(number) || number < 0 || number > 1) {
    throw new UserError(`${flag} must be a number between 0 and 1 (0 turns it off), got '${value}'`);
  }
  return number;
}

function parseField(value: string): DedupField {
  if (value === "record" || value === "instruction") return value;
  throw new UserError(`--field must be 'record' or 'instruction', got '${value}'`);
}

/** The kept objects exactly as read, in the input's own format. */
function formatLike(input: RecordFile, kept: readonly RecordItem[]): string {
  const raws = kept.map((item) => item.raw);
  if (input.format === "alpaca-json") return `${JSON.stringify(raws, null, 2)}\n`;
  return raws.map((raw) => `${JSON.stringify(raw)}\n`).join("");
}

function rejectedLines(input: RecordFile, result: DedupResult<RecordItem>, seeds: RecordFile | undefined): string[] {
  return result.dropped.map(({ item, method, duplicateOf, score }) => {
    const original = duplicateOf.source === "seed" ? seeds?.items[duplicateOf.index] : input.items[duplicateOf.index];
    const rejected: RejectedRecord = {
      stage: "dedup",
      reason: method,
      record: item.record,
      detail: {
        line: item.line,
        method,
        score,
        duplicateOf: {
          source: duplicateOf.source,
          file: duplicateOf.source === "seed" ? seeds?.path : input.path,
          line: original?.line,
          ...(original?.seedId !== undefined ? { seedId: original.seedId } : {}),
          text: duplicateOf.text,
        },
      },
    };
    return `${JSON.stringify(rejected)}\n`;
  });
}

function summary(total: number, result: DedupResult<RecordItem>, seconds: number): string {
  const byMethod = { exact: 0, minhash: 0, "rouge-l": 0 };
  for (const dropped of result.dropped) byMethod[dropped.method]++;
  return (
    `dedup: ${total} records → ${result.kept.length} kept, ${result.dropped.length} dropped ` +
    `(exact ${byMethod.exact}, minhash ${byMethod.minhash}, rouge-l ${byMethod["rouge-l"]}) in ${seconds.toFixed(2)} s\n`
  );
}
