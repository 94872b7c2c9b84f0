/** The dedup stage in the pipeline: its options, its run directory and its estimate. */
import { z } from "zod";
import { readRecordFile } from "../../io/records.js";
import { readSiblingMeta } from "../../io/siblingMeta.js";
import { ASSUMED, keepShare } from "../../pipeline/estimateKit.js";
import { inputOf, type StageCall } from "../../pipeline/stageCalls.js";
import { withStageRun } from "../../runtime/stageRun.js";
import { recordId } from "../../schemas.js";
import { defineStage } from "../definition.js";
import { between, oneOf, path, upTo } from "../optionParts.js";
import { dedupRecords } from "./index.js";
import { defaultThreads } from "./options.js";

export const DedupOptions = z.strictObject({
  /** Drop when ROUGE-L F1 of the instruction with a kept one is above this; 0 turns it off. */
  rougeL: between(0, 1).optional(),
  /** Drop when shingle Jaccard with a kept record is at least this; 0 turns it off. */
  minhash: between(0, 1).optional(),
  field: oneOf(["record", "instruction"]).optional(),
  /** Seed tasks every record is also compared with. */
  seeds: path().optional(),
  /**
   * Threads, as `dedup --threads` (default: available cores); in the pipeline they run half of
   * ROUGE-L on a worker. Never part of the fingerprint: any count gives the same output, so a
   * resume with another count is the same run.
   */
  threads: upTo(256).optional(),
});
type DedupOptions = z.infer<typeof DedupOptions>;

/**
 * dedup is a pure function over a whole file; the pipeline gives it a run directory of its own
 * (one unit: all or nothing) so it resumes, reports and hands meta on like the other stages.
 * Why not the streamed, threaded dedupFile (stream.ts) here: it writes its own kept and rejected
 * files, with rejection details by file and line (no `duplicateOf.index`), while the run directory
 * commits one unit of records in memory with the upstream meta of each kept record by id. Using it
 * would change what 02-dedup/rejected.jsonl says; the in-memory pass keeps it as it was. It
 * still uses the threads: ROUGE-L, the costly step, runs half on a worker (`dedupRecords`).
 */
async function run(options: DedupOptions, call: StageCall): Promise<void> {
  const inPath = inputOf(call);
  const { items } = await readRecordFile(inPath, { allowEmpty: true });
  const seeds = options.seeds === undefined ? undefined : (await readRecordFile(options.seeds)).items;
  const upstreamMeta = firstMetaById(inPath);
  const { seeds: seedsFile, threads, ...work } = options;
  const fingerprint = { options: work, files: { input: inPath, seeds: seedsFile } };
  await withStageRun({ outDir: call.outDir, stage: "dedup", config: { ...options }, fingerprint, upstream: inPath, context: call.context }, async (run) => {
    if (run.runDir.state.nextUnit > 0) return;
    const result = await dedupRecords(items, { ...work, seeds, threads: threads ?? defaultThreads() });
    run.runDir.commit(0, {
      accepted: result.kept.map((item) => ({ record: item.record, meta: upstreamMeta.get(recordId(item.record)) })),
      rejected: result.dropped.map(({ item, method, duplicateOf, score }) => ({
        reason: method,
        record: item.record,
        detail: { score, duplicateOf: { source: duplicateOf.source, index: duplicateOf.index, text: duplicateOf.text } },
      })),
    });
    run.progress(items.length, items.length);
  });
}

/** Meta fields a previous stage recorded (finishReason, lineage …), by record id, to hand on. */
function firstMetaById(dataPath: string): Map<string, Record<string, unknown>> {
  const byId = new Map<string, Record<string, unknown>>();
  for (const { id, stage: _stage, unit: _unit, ...rest } of readSiblingMeta(dataPath, "dedup hands its metadata on")) {
    if (!byId.has(id)) byId.set(id, rest);
  }
  return byId;
}

export const dedupStage = defineStage({
  name: "dedup",
  summary: "exact → MinHash LSH (whole record) → ROUGE-L (instruction), greedy in input order; no model",
  options: DedupOptions,
  paths: ["seeds"],
  tuning: ["threads"],
  readsRecords: true,
  callsModel: () => false,
  run,
  estimate: (_options, recordsIn, _context, previous) =>
    Promise.resolve(keepShare("dedup", recordsIn, previous === "generate" ? ASSUMED.dedupKeptAfterGenerate : ASSUMED.dedupKept, "no LLM calls")),
});
