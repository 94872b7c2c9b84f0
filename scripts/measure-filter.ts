/**
 * What each heuristic filter rule drops from real public data in `../shared/data` (read in place,
 * never copied): Code Alpaca 2K, the 10K Chinese machine translation (carbonz0 part 00) and
 * BELLE's 1,000-question eval set. For every rule: the records it drops on its own, the records
 * it is the first to drop in rule order (what the stage reports), its drops by cause, and a few
 * samples, so that false positives are visible. Prints a markdown table for the README.
 *
 *   npm run measure:filter [-- --samples 3] [--data DIR]
 *
 * Skips with a note when the data directory is absent.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { readRecordFile } from "../src/io/records.js";
import type { AlpacaRecord } from "../src/schemas.js";
import { FilterThresholds, RULE_NAMES, type RuleName } from "../src/stages/filter/config.js";
import { firstFailedRule, RULES, type RuleContext } from "../src/stages/filter/rules/index.js";
import { REPO_ROOT } from "../test/reliability/harness.js";

interface Dataset {
  name: string;
  file: string;
  load(path: string): Promise<AlpacaRecord[]>;
}

const alpaca = async (path: string): Promise<AlpacaRecord[]> => (await readRecordFile(path)).items.map((item) => item.record);

/** BELLE's eval set: one `{question, std_answer, class}` per line. */
const belle = async (path: string): Promise<AlpacaRecord[]> =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const row = JSON.parse(line) as { question?: unknown; std_answer?: unknown };
      return { instruction: String(row.question ?? ""), input: "", output: String(row.std_answer ?? "") };
    });

const DATASETS: readonly Dataset[] = [
  { name: "Code Alpaca 2K", file: "code_alpaca_2k.json", load: alpaca },
  { name: "carbonz0 zh part 00 (10K)", file: "carbonz0_zh-data-part-00.json", load: alpaca },
  { name: "BELLE eval set (1K zh)", file: "belle_eval_set.json", load: belle },
];

interface RuleTally {
  alone: number;
  first: number;
  causes: Map<string, number>;
  samples: Array<{ record: AlpacaRecord; evidence: Record<string, unknown> }>;
}

/** The evidence field that says which check of a rule fired, when it has one. */
function causeOf(evidence: Record<string, unknown>): string {
  const cause = evidence.cause ?? evidence.kind;
  return typeof cause === "string" ? cause : "—";
}

function measure(records: readonly AlpacaRecord[], context: RuleContext, samples: number): Map<RuleName, RuleTally> {
  const tallies = new Map<RuleName, RuleTally>(RULE_NAMES.map((rule) => [rule, { alone: 0, first: 0, causes: new Map(), samples: [] }]));
  for (const record of records) {
    for (const rule of RULE_NAMES) {
      const verdict = RULES[rule](record, context);
      if (verdict.pass) continue;
      const tally = tallies.get(rule)!;
      tally.alone++;
      const cause = causeOf(verdict.evidence);
      tally.causes.set(cause, (tally.causes.get(cause) ?? 0) + 1);
      if (tally.samples.length < samples) tally.samples.push({ record, evidence: verdict.evidence });
    }
    const first = firstFailedRule(record, RULE_NAMES, context);
    if (first) tallies.get(first.rule)!.first++;
  }
  return tallies;
}

const quote = (text: string, max: number): string => {
  const flat = JSON.stringify(text);
  return flat.length <= max ? flat : `${flat.slice(0, max)}…"`;
};

function printSamples(name: string, tallies: Map<RuleName, RuleTally>): void {
  console.log(`\n## ${name}: samples`);
  for (const [rule, tally] of tallies) {
    if (tally.alone === 0) continue;
    const causes = [...tally.causes].map(([cause, n]) => `${cause} ${n}`).join(", ");
    console.log(`\n### ${rule}: ${tally.alone} alone, ${tally.first} first (${causes})`);
    for (const { record, evidence } of tally.samples) {
      console.log(`- instruction ${quote(record.instruction, 110)}`);
      if (record.input) console.log(`  input       ${quote(record.input, 110)}`);
      console.log(`  output      ${quote(record.output, 160)}`);
      console.log(`  evidence    ${JSON.stringify(evidence).slice(0, 200)}`);
    }
  }
}

function printTable(results: ReadonlyArray<{ name: string; records: number; tallies: Map<RuleName, RuleTally> }>): void {
  console.log(`\n## Table (each cell: dropped by the rule on its own / first to drop it in rule order)\n`);
  console.log(`| rule | ${results.map((r) => `${r.name} (${r.records.toLocaleString("en-US")})`).join(" | ")} |`);
  console.log(`|---|${results.map(() => "---").join("|")}|`);
  for (const rule of RULE_NAMES) {
    const cells = results.map(({ tallies }) => {
      const tally = tallies.get(rule)!;
      const causes = tally.causes.size > 1 || (tally.causes.size === 1 && !tally.causes.has("—")) ? ` (${[...tally.causes].map(([cause, n]) => `${cause} ${n}`).join(", ")})` : "";
      return `${tally.alone} / ${tally.first}${causes}`;
    });
    console.log(`| \`${rule}\` | ${cells.join(" | ")} |`);
  }
  const totals = results.map(({ tallies }) => [...tallies.values()].reduce((sum, t) => sum + t.first, 0));
  console.log(`| any rule | ${totals.map((n, i) => `${n} (${((100 * n) / results[i]!.records).toFixed(1)}%)`).join(" | ")} |`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { samples: { type: "string", default: "3" }, data: { type: "string" } } });
  const dataDir = resolve(values.data ?? process.env.INSTRUCTFORGE_SHARED_DATA ?? join(REPO_ROOT, "../shared/data"));
  if (!existsSync(dataDir)) {
    console.log(`measure-filter: ${dataDir} is absent; nothing to measure (pass --data DIR or set INSTRUCTFORGE_SHARED_DATA)`);
    return;
  }
  const context: RuleContext = { lang: "auto", thresholds: FilterThresholds.parse({}) };
  const results: Array<{ name: string; records: number; tallies: Map<RuleName, RuleTally> }> = [];
  for (const dataset of DATASETS) {
    const path = join(dataDir, dataset.file);
    if (!existsSync(path)) {
      console.log(`measure-filter: ${path} is absent, skipped`);
      continue;
    }
    const records = await dataset.load(path);
    const tallies = measure(records, context, Number(values.samples));
    printSamples(dataset.name, tallies);
    results.push({ name: dataset.name, records: records.length, tallies });
  }
  if (results.length > 0) printTable(results);
}

await main();
