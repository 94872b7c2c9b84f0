/**
 * A record's whole history, gathered across the directory's stages by record id: the seed
 * examples its root was generated from, each evolution step (operation, round, word diff to the
 * version before), its judge and complexity scores, the sibling attempts eliminated on the way
 * and why, and every stage that kept it. Lineage fields are read from the meta of every stage
 * that holds the record (today's flat fields, or the carried-forward `history` namespaces).
 */
import { isAbsolute, resolve } from "node:path";
import { readRecordFile } from "../io/records.js";
import type { ReviewMark } from "../io/review.js";
import type { AlpacaRecord } from "../schemas.js";
import { wordDiff, type DiffPart } from "../text/wordDiff.js";
import { RejectionDetail, ViewMeta } from "./lines.js";
import { KEPT, REJECTED, type RowKind } from "./rows.js";
import type { RowRef, RunIndex, StageIndex } from "./runIndex.js";

export interface RefView {
  stage: number;
  kind: "kept" | "rejected";
  line: number;
}

export interface LineageStep {
  id: string;
  stage: string;
  ref?: RefView;
  round?: number;
  operation?: string;
  depth?: number;
  instruction: string;
  input: string;
  /** Word diff of instruction (and input) against the step before; absent on the first step. */
  instructionDiff?: DiffPart[];
  inputDiff?: DiffPart[];
}

export interface Eliminated {
  stage: string;
  ref: RefView;
  reason: string;
  round?: number;
  operation?: string;
  instruction: string;
  input: string;
  detail: Record<string, unknown>;
}

export interface SeedExample {
  id: string;
  instruction: string;
  input: string;
  output: string;
  /** False when the id was not found in the seed file or the directory. */
  found: boolean;
}

export interface RecordView {
  ref: RefView;
  stage: string;
  id?: string;
  record: AlpacaRecord;
  reason?: string;
  detail?: Record<string, unknown>;
  /** The record's meta as each stage that kept it wrote it, raw. */
  meta: Array<{ stage: string; meta: unknown }>;
  scores: { quality?: number; qualityRationale?: string; complexity?: number; rankScore?: number; avgSimilarity?: number };
  mostSimilar: Array<{ instruction: string; score: number }>;
  keptIn: Array<{ stage: string; ref: RefView }>;
  lineage: LineageStep[];
  seeds: SeedExample[];
  eliminated: Eliminated[];
  review?: ReviewMark;
}

const MAX_STEPS = 64;

export function refView(stage: number, kind: RowKind, line: number): RefView {
  return { stage, kind: kind === KEPT ? "kept" : "rejected", line };
}

export async function recordView(index: RunIndex, ref: RowRef, seeds: SeedLookup): Promise<RecordView | undefined> {
  const stage = index.stages[ref.stage];
  if (!stage) return undefined;
  const base = ref.kind === KEPT ? keptBase(index, stage, ref.line) : rejectedBase(index, stage, ref.line);
  if (!base) return undefined;
  const lineageOf = base.lineage;
  const bornIn = base.id ? index.keptCopies(base.id)[0]?.stage.name : undefined; // the stage that made it, not one that copied it
  const last = { id: base.id ?? "", stage: bornIn ?? stage.name, ref: refView(ref.stage, ref.kind, ref.line), ...stepFields(lineageOf), instruction: base.record.instruction, input: base.record.input };
  const steps = lineage(index, last, lineageOf.parentId);
  const rootId = lineageOf.rootId ?? steps[0]?.id;
  const rootMeta = rootId ? mergedMeta(index, rootId).meta : {};
  const examples = rootMeta.examples ?? (ref.kind === KEPT ? base.merged.examples : undefined) ?? [];
  return {
    ref: refView(ref.stage, ref.kind, ref.line),
    stage: stage.name,
    id: base.id,
    record: base.record,
    reason: base.reason,
    detail: base.detail,
    meta: base.metaLines,
    scores: {
      quality: base.merged.qualityScore,
      qualityRationale: base.merged.qualityRationale,
      complexity: base.merged.complexity,
      rankScore: base.merged.rankScore,
      avgSimilarity: base.merged.avg_similarity_score ?? rootMeta.avg_similarity_score,
    },
    mostSimilar: Object.entries(base.merged.most_similar_instructions ?? rootMeta.most_similar_instructions ?? {})
      .map(([instruction, score]) => ({ instruction, score }))
      .sort((a, b) => b.score - a.score),
    keptIn: base.id ? index.keptCopies(base.id).map((copy) => ({ stage: copy.stage.name, ref: refView(copy.stage.number, KEPT, copy.line) })) : [],
    lineage: steps,
    seeds: await seeds.resolve(index, examples),
    eliminated: rootId ? eliminatedAttempts(index, rootId, ref) : [],
    review: index.markOf(base.id),
  };
}

interface Base {
  id?: string;
  record: AlpacaRecord;
  reason?: string;
  detail?: Record<string, unknown>;
  merged: ViewMeta;
  metaLines: Array<{ stage: string; meta: unknown }>;
  lineage: { parentId?: string; rootId?: string; round?: number; operation?: string; depth?: number };
}

function keptBase(index: RunIndex, stage: StageIndex, line: number): Base | undefined {
  const record = index.readKept(stage, line);
  if (!record) return undefined;
  const id = stage.kept.ids[line];
  const { meta, lines, origin } = id ? mergedMeta(index, id) : { meta: {}, lines: [], origin: {} };
  return { id, record, merged: meta, metaLines: lines, lineage: lineageFields(meta, origin) };
}

function rejectedBase(index: RunIndex, stage: StageIndex, line: number): Base | undefined {
  const rejection = index.readRejected(stage, line);
  if (!rejection) return undefined;
  const record = { instruction: rejection.record.instruction ?? "", input: rejection.record.input ?? "", output: rejection.record.output ?? "" };
  const detail = RejectionDetail.safeParse(rejection.detail ?? {}).data ?? {};
  const id = stage.rejected.ids[line];
  return {
    id,
    record,
    reason: rejection.reason,
    detail: rejection.detail ?? {},
    merged: id ? mergedMeta(index, id).meta : {},
    metaLines: [],
    lineage: { parentId: detail.parentId, rootId: detail.rootId, round: detail.round, operation: detail.operation },
  };
}

/**
 * The record's parent is named by the stage that made it (`origin`: its own meta line, history not
 * folded in): evolve's parentId, or translate's source_id (a translation's parent is its source).
 * Upstream stages' fields in `merged` fill in what that line does not say.
 */
function lineageFields(meta: ViewMeta, origin: ViewMeta = meta): Base["lineage"] {
  const translatedFrom = origin.source_id;
  return {
    parentId: origin.parentId ?? translatedFrom ?? meta.parentId ?? undefined,
    rootId: meta.rootId ?? undefined,
    round: origin.round ?? (translatedFrom ? undefined : meta.round),
    operation: origin.operation ?? (translatedFrom ? "translate" : (meta.operation ?? undefined)),
    depth: meta.depth,
  };
}

/** The meta of every stage that kept `id`, later stages' defined fields over earlier ones. */
function mergedMeta(index: RunIndex, id: string): { meta: ViewMeta; lines: Array<{ stage: string; meta: unknown }>; origin: ViewMeta } {
  const meta: Record<string, unknown> = {};
  const lines: Array<{ stage: string; meta: unknown }> = [];
  let origin: ViewMeta | undefined;
  for (const copy of index.keptCopies(id)) {
    const read = index.readMeta(copy.stage, copy.line);
    if (!read) continue;
    origin ??= ViewMeta.safeParse(typeof read.raw === "object" && read.raw !== null ? { ...read.raw, history: undefined } : {}).data;
    lines.push({ stage: copy.stage.name, meta: read.raw });
    for (const [key, value] of Object.entries(read.meta)) if (value !== undefined && value !== null) meta[key] = value;
  }
  return { meta: meta as ViewMeta, lines, origin: origin ?? {} };
}

function stepFields(fields: Base["lineage"]): Pick<LineageStep, "round" | "operation" | "depth"> {
  return { round: fields.round, operation: fields.operation, depth: fields.depth };
}

/** Root first, this record last: each step's parent found by id in the directory's stages. */
function lineage(index: RunIndex, last: LineageStep, lastParentId: string | undefined): LineageStep[] {
  const steps: LineageStep[] = [last];
  const seen = new Set([last.id]);
  let parentId = lastParentId;
  while (parentId && !seen.has(parentId) && steps.length < MAX_STEPS) {
    seen.add(parentId);
    const copy = index.keptCopies(parentId)[0];
    const record = copy ? index.readKept(copy.stage, copy.line) : undefined;
    if (!copy || !record) {
      steps.push({ id: parentId, stage: "?", instruction: "", input: "" });
      break;
    }
    const parentMeta = mergedMeta(index, parentId);
    const fields = lineageFields(parentMeta.meta, parentMeta.origin);
    steps.push({ id: parentId, stage: copy.stage.name, ref: refView(copy.stage.number, KEPT, copy.line), ...stepFields(fields), instruction: record.instruction, input: record.input });
    parentId = fields.parentId;
  }
  const ordered = steps.reverse();
  return ordered.map((step, i) => {
    if (i === 0) return step;
    const before = ordered[i - 1]!;
    return { ...step, instructionDiff: wordDiff(before.instruction, step.instruction), inputDiff: before.input === step.input ? undefined : wordDiff(before.input, step.input) };
  });
}

function eliminatedAttempts(index: RunIndex, rootId: string, self: RowRef): Eliminated[] {
  const out: Eliminated[] = [];
  for (const stage of index.stages) {
    for (const line of stage.rejectedByRoot.get(rootId) ?? []) {
      if (self.kind === REJECTED && self.stage === stage.number && self.line === line) continue;
      const rejection = index.readRejected(stage, line);
      if (!rejection) continue;
      const detail = RejectionDetail.safeParse(rejection.detail ?? {}).data ?? {};
      out.push({
        stage: stage.name,
        ref: refView(stage.number, REJECTED, line),
        reason: rejection.reason,
        round: detail.round,
        operation: detail.operation,
        instruction: rejection.record.instruction ?? "",
        input: rejection.record.input ?? "",
        detail: rejection.detail ?? {},
      });
    }
  }
  return out.sort((a, b) => (a.round ?? 0) - (b.round ?? 0));
}

/** Seed tasks by id, from the seed file named in the generate stage's manifest (read once). */
export class SeedLookup {
  private seeds: Map<string, AlpacaRecord> | undefined;
  private loadedFrom: string | undefined;

  async resolve(index: RunIndex, ids: readonly string[]): Promise<SeedExample[]> {
    if (ids.length === 0) return [];
    const seeds = await this.load(index);
    return ids.map((id) => {
      const seed = seeds.get(id);
      if (seed) return { id, ...seed, found: true };
      const copy = index.keptCopies(id)[0]; // a machine-generated example (--machine-examples)
      const record = copy ? index.readKept(copy.stage, copy.line) : undefined;
      return record ? { id, ...record, found: true } : { id, instruction: "", input: "", output: "", found: false };
    });
  }

  private async load(index: RunIndex): Promise<Map<string, AlpacaRecord>> {
    const generate = index.stages.find((stage) => stage.stageName === "generate");
    const configured = generate?.manifest?.config?.seeds;
    const path = typeof configured === "string" ? (isAbsolute(configured) ? configured : resolve(generate!.dir, configured)) : undefined;
    if (this.seeds && this.loadedFrom === path) return this.seeds;
    this.seeds = new Map();
    this.loadedFrom = path;
    if (!path) return this.seeds;
    try {
      for (const item of (await readRecordFile(path)).items) if (item.seedId) this.seeds.set(item.seedId, item.record);
    } catch {
      /* a moved or damaged seed file: the examples show their ids only */
    }
    return this.seeds;
  }
}
