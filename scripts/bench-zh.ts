/**
 * Bench for the Chinese side of the pipeline on real public data.
 *
 *  1. BELLE's eval set (`{question, std_answer, class}` per line) through the filter stage's
 *     heuristic rules (lang zh) and the ROUGE-L novelty filter (CJK tokenizer): counts and time.
 *  2. carbonz0 part 00, a plain machine translation of Alpaca: how many records the translate
 *     stage's audit flags (translated code, language-specific tasks, Traditional characters),
 *     with samples a reviewer can judge.
 *  3. The hand-reviewed hikariming translation through the same audit, as the control.
 *
 * Absent files are skipped with a message.   npm run build && node dist/scripts/bench-zh.js
 */
import { existsSync, readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { readRecordFile } from "../src/io/records.js";
import type { AlpacaRecord } from "../src/schemas.js";
import { FilterThresholds, RULE_NAMES } from "../src/stages/filter/config.js";
import { firstFailedRule, type RuleContext } from "../src/stages/filter/rules/index.js";
import { auditChineseRecord } from "../src/stages/translate/audit.js";
import { RougeFilter } from "../src/text/rougeFilter.js";
import { hanShare } from "../src/text/language.js";
import * as OpenCC from "opencc-js";

const DATA = "/work/shared/data";
const BELLE = `${DATA}/belle_eval_set.json`;
const CARBONZ0 = `${DATA}/carbonz0_zh-data-part-00.json`;
const HIKARIMING = `${DATA}/hikariming_alpaca_data-0-3252-zh.json`;
const SAMPLES = 3;

function short(text: string, max = 110): string {
  const flat = JSON.stringify(text);
  return flat.length <= max ? flat : `${flat.slice(0, max)}…"`;
}

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function readBelle(path: string): Array<{ record: AlpacaRecord; cls: string }> {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as { question: string; std_answer: string; class: string })
    .map((row) => ({ record: { instruction: row.question, input: "", output: row.std_answer }, cls: row.class }));
}

function benchBelle(): void {
  if (!existsSync(BELLE)) {
    console.log(`\n== ${BELLE}: absent, skipped`);
    return;
  }
  const rows = readBelle(BELLE);
  const records = rows.map((row) => row.record);
  console.log(`\n== BELLE eval set: ${records.length} records, ${new Set(rows.map((r) => r.cls)).size} classes`);
  const chinese = records.filter((r) => hanShare(r.instruction) >= 0.2).length;
  console.log(`Han share ≥ 0.2 in the instruction: ${chinese}/${records.length}`);

  const context: RuleContext = { lang: "zh", thresholds: FilterThresholds.parse({}) };
  let started = performance.now();
  const drops = new Map<string, AlpacaRecord[]>();
  for (const record of records) {
    const failure = firstFailedRule(record, RULE_NAMES, context);
    if (failure) drops.set(failure.rule, [...(drops.get(failure.rule) ?? []), record]);
  }
  const rulesMs = performance.now() - started;
  const dropped = [...drops.values()].reduce((sum, list) => sum + list.length, 0);
  console.log(`filter rules (lang zh): ${records.length - dropped} kept, ${dropped} dropped in ${rulesMs.toFixed(0)} ms`);
  for (const [rule, list] of drops) {
    console.log(`  ${rule}: ${list.length}`);
    for (const record of list.slice(0, SAMPLES)) console.log(`    - ${short(record.instruction)} → ${short(record.output, 80)}`);
  }

  started = performance.now();
  const rouge = new RougeFilter<number>({ threshold: 0.7 });
  const near: Array<{ text: string; of: string; score: number }> = [];
  records.forEach((record, index) => {
    const verdict = rouge.checkAndAdd(record.instruction, index);
    if (!verdict.keep && verdict.similar) near.push({ text: record.instruction, of: verdict.similar.text, score: verdict.similar.score });
  });
  const rougeMs = performance.now() - started;
  console.log(`ROUGE-L > 0.7 on instructions (CJK per-character tokens): ${near.length} dropped of ${records.length} in ${rougeMs.toFixed(0)} ms`);
  for (const pair of near.slice(0, SAMPLES)) console.log(`    - ${short(pair.text, 60)} ~ ${short(pair.of, 60)} (${pair.score.toFixed(2)})`);
}

async function auditFile(label: string, path: string): Promise<void> {
  if (!existsSync(path)) {
    console.log(`\n== ${path}: absent, skipped`);
    return;
  }
  const records = (await readRecordFile(path)).items.map((item) => item.record);
  const started = performance.now();
  const counts = new Map<string, number>();
  const samples = new Map<string, string[]>();
  let flaggedRecords = 0;
  for (const record of records) {
    const findings = auditChineseRecord(record);
    if (findings.length > 0) flaggedRecords++;
    for (const finding of findings) {
      const family = finding.issue.startsWith("language_specific:") ? "language_specific" : finding.issue;
      increment(counts, family);
      if (family === "language_specific") increment(counts, finding.issue);
      const list = samples.get(finding.issue) ?? [];
      if (list.length < SAMPLES) list.push(`${short(record.instruction, 70)}  [${finding.evidence.slice(0, 90)}]`);
      samples.set(finding.issue, list);
    }
  }
  const ms = performance.now() - started;
  // What converting every record with phrase-level 'twp' would rewrite (the reason it is gated).
  const blindConvert = OpenCC.Converter({ from: "twp", to: "cn" });
  const blindTwp = records.filter((r) => blindConvert(`${r.instruction}\n${r.input}\n${r.output}`) !== `${r.instruction}\n${r.input}\n${r.output}`).length;
  console.log(`\n== ${label}: ${records.length} records, ${flaggedRecords} flagged (${((100 * flaggedRecords) / records.length).toFixed(1)}%) in ${ms.toFixed(0)} ms`);
  for (const family of ["translated_code", "language_specific", "traditional"]) {
    console.log(`  ${family}: ${counts.get(family) ?? 0}`);
    const issues = family === "language_specific" ? [...counts.keys()].filter((k) => k.startsWith("language_specific:")).sort() : [family];
    for (const issue of issues) {
      if (issue !== family) console.log(`    ${issue}: ${counts.get(issue)}`);
      for (const sample of samples.get(issue) ?? []) console.log(`      - ${sample}`);
    }
  }
  console.log(`  (for comparison: OpenCC 'twp' → 'cn' applied to every record would rewrite ${blindTwp} of them, Simplified text included)`);
}

benchBelle();
await auditFile("carbonz0 part 00 (plain machine translation)", CARBONZ0);
await auditFile("hikariming 0-3252 (hand-reviewed translation, control)", HIKARIMING);
