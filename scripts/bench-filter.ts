/**
 * Bench for the filter stage's heuristic rules on real public data: how many records each rule
 * drops (with 3 samples each, for a reviewer to judge), the time for all rules, and a linearity
 * check on 1×, 4× and 16× copies. Data files that are absent are skipped with a message.
 *
 *   npm run build && npm run bench:filter [-- FILE…]
 */
import { existsSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { readRecordFile } from "../src/io/records.js";
import type { AlpacaRecord } from "../src/schemas.js";
import { FilterThresholds, RULE_NAMES, type RuleName } from "../src/stages/filter/config.js";
import { firstFailedRule, type RuleContext } from "../src/stages/filter/rules/index.js";

const DEFAULT_FILES = ["/work/shared/data/code_alpaca_2k.json", "/work/shared/data/carbonz0_zh-data-part-00.json"];
const SAMPLES = 3;

interface Drop {
  record: AlpacaRecord;
  evidence: Record<string, unknown>;
}

function runRules(records: readonly AlpacaRecord[], context: RuleContext): Map<RuleName, Drop[]> {
  const drops = new Map<RuleName, Drop[]>(RULE_NAMES.map((name) => [name, []]));
  for (const record of records) {
    const failure = firstFailedRule(record, RULE_NAMES, context);
    if (failure) drops.get(failure.rule)!.push({ record, evidence: failure.evidence });
  }
  return drops;
}

function timeRules(records: readonly AlpacaRecord[], context: RuleContext): number {
  const started = performance.now();
  runRules(records, context);
  return performance.now() - started;
}

function short(text: string, max = 150): string {
  const flat = JSON.stringify(text);
  return flat.length <= max ? flat : `${flat.slice(0, max)}…"`;
}

async function benchFile(path: string): Promise<void> {
  if (!existsSync(path)) {
    console.log(`\n== ${path}: absent, skipped`);
    return;
  }
  const records = (await readRecordFile(path)).items.map((item) => item.record);
  const context: RuleContext = { lang: "auto", thresholds: FilterThresholds.parse({}) };
  runRules(records.slice(0, 200), context); // warm up the JIT and the lazy OpenCC dictionary
  const started = performance.now();
  const drops = runRules(records, context);
  const elapsed = performance.now() - started;

  const dropped = [...drops.values()].reduce((sum, list) => sum + list.length, 0);
  console.log(`\n== ${path}: ${records.length} records, ${dropped} dropped (${((100 * dropped) / records.length).toFixed(1)}%), rules took ${elapsed.toFixed(0)} ms`);
  for (const [rule, list] of drops) {
    console.log(`\n  ${rule}: ${list.length}`);
    for (const { record, evidence } of list.slice(0, SAMPLES)) {
      console.log(`    - instruction ${short(record.instruction, 100)}`);
      if (record.input) console.log(`      input       ${short(record.input, 100)}`);
      console.log(`      output      ${short(record.output)}`);
      console.log(`      evidence    ${JSON.stringify(evidence)}`);
    }
  }

  console.log("\n  linearity (same data repeated):");
  let baseline: number | undefined;
  for (const copies of [1, 4, 16]) {
    const data = Array.from({ length: copies }, () => records).flat();
    const ms = timeRules(data, context);
    const perRecordUs = (1000 * ms) / data.length;
    baseline ??= perRecordUs;
    console.log(`    ${String(copies).padStart(2)}× ${String(data.length).padStart(7)} records  ${ms.toFixed(0).padStart(6)} ms  ${perRecordUs.toFixed(1)} µs/record  (${(perRecordUs / baseline).toFixed(2)}× the 1× rate)`);
  }
}

const files = process.argv.slice(2).length > 0 ? process.argv.slice(2) : DEFAULT_FILES;
for (const file of files) await benchFile(file);
