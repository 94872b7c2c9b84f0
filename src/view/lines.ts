/**
 * What the viewer reads from a run directory's lines, as zod schemas that keep unknown fields:
 * meta.jsonl comes from many stage versions, and is growing a `history` of upstream stages'
 * meta namespaced by stage (`{id, stage, …, history: {generate: {…}, evolve: {…}}}`). Every
 * field is optional and a wrong type reads as absent, so one odd line never stops the viewer.
 */
import { z } from "zod";

const optionalString = z.string().optional().catch(undefined);
const optionalNumber = z.number().finite().optional().catch(undefined);

/** The meta fields the viewer uses, wherever they sit (top level or in `history.<stage>`). */
export const ViewMeta = z
  .object({
    id: optionalString,
    stage: optionalString,
    kind: optionalString,
    rootId: z.string().nullable().optional().catch(undefined),
    parentId: z.string().nullable().optional().catch(undefined),
    round: optionalNumber,
    operation: z.string().nullable().optional().catch(undefined),
    depth: optionalNumber,
    examples: z.array(z.string()).optional().catch(undefined),
    most_similar_instructions: z.record(z.string(), z.number()).optional().catch(undefined),
    avg_similarity_score: optionalNumber,
    qualityScore: optionalNumber,
    qualityRationale: optionalString,
    complexity: optionalNumber,
    rankScore: optionalNumber,
    /** translate: the id of the record this one is a translation of. */
    source_id: optionalString,
    history: z.record(z.string(), z.record(z.string(), z.unknown())).optional().catch(undefined),
  })
  .catchall(z.unknown());
export type ViewMeta = z.infer<typeof ViewMeta>;

/**
 * One meta line with its carried-forward history folded in: upstream stages' fields first (in the
 * order they ran), the line's own fields over them. Works for today's flat lines (no history) and
 * for namespaced ones alike.
 */
export function foldedMeta(value: unknown): ViewMeta {
  const line = ViewMeta.safeParse(value);
  if (!line.success) return {};
  const { history, ...own } = line.data;
  if (!history) return line.data;
  const merged: Record<string, unknown> = {};
  for (const fields of Object.values(history)) Object.assign(merged, fields);
  return { ...ViewMeta.parse(merged), ...dropUndefined(own), history };
}

function dropUndefined<T extends Record<string, unknown>>(object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as Partial<T>;
}

export const RejectedLine = z
  .object({
    stage: z.string().catch("?"),
    reason: z.string().catch("unknown"),
    record: z.object({ instruction: z.string(), input: z.string(), output: z.string() }).partial().catch({}),
    detail: z.record(z.string(), z.unknown()).optional().catch(undefined),
    unit: optionalNumber,
  })
  .catchall(z.unknown());
export type RejectedLine = z.infer<typeof RejectedLine>;

/** The evidence fields a rejection's detail may hold that the viewer filters and links on. */
export const RejectionDetail = z
  .object({
    rootId: optionalString,
    parentId: optionalString,
    round: optionalNumber,
    operation: optionalString,
    score: optionalNumber,
    quality: optionalNumber,
    complexity: optionalNumber,
  })
  .catchall(z.unknown());
