/**
 * Lineage of evolved records and the pool it implies. Every accepted record's meta carries
 * enough to rebuild, after a crash, exactly which version of each pool item the next round
 * evolves: the pool index, the round, and the record itself (data.jsonl) as the new version.
 */
import { z } from "zod";
import type { RunState } from "../../io/runDir.js";
import { ALL_OPERATIONS, type Family, type Operation } from "./operations.js";
import { givenPromptOf } from "./prompts.js";

export const EvolveLineage = z.object({
  kind: z.enum(["original", "evolved"]),
  /** Position of the root record in the input file (0-based): the pool slot this lineage lives in. */
  poolIndex: z.number().int().nonnegative(),
  rootId: z.string(),
  /** The record this one was evolved from (null for an original). */
  parentId: z.string().nullable(),
  /** 0 for originals; evolution rounds count from 1. */
  round: z.number().int().nonnegative(),
  operation: z.enum(ALL_OPERATIONS).nullable(),
  family: z.enum(["general", "code"]),
  /** Successful evolutions on the path from the root: the parent's depth + 1. */
  depth: z.number().int().nonnegative(),
  /** The answer's finish reason ("length" = cut off); null when no answer was generated. */
  finishReason: z.string().nullable(),
});
export type EvolveLineage = z.infer<typeof EvolveLineage>;

/** A pool item as the next round sees it. */
export interface PoolVersion {
  id: string;
  givenPrompt: string;
  depth: number;
  round: number;
}

export interface PoolRoot {
  index: number;
  id: string;
  givenPrompt: string;
  family: Family;
}

export function rootVersion(root: PoolRoot): PoolVersion {
  return { id: root.id, givenPrompt: root.givenPrompt, depth: 0, round: 0 };
}

/** For each pool index, its committed evolutions in round order (the last one is the current version). */
export function committedEvolutions(state: RunState): Map<number, PoolVersion[]> {
  const byIndex = new Map<number, PoolVersion[]>();
  for (const { record, meta } of state.accepted) {
    const lineage = EvolveLineage.safeParse(meta);
    if (!lineage.success || lineage.data.kind !== "evolved") continue;
    const versions = byIndex.get(lineage.data.poolIndex) ?? [];
    versions.push({ id: meta.id, givenPrompt: givenPromptOf(record), depth: lineage.data.depth, round: lineage.data.round });
    byIndex.set(lineage.data.poolIndex, versions);
  }
  for (const versions of byIndex.values()) versions.sort((a, b) => a.round - b.round);
  return byIndex;
}

/** The version of a pool item after `round` from committed work alone. */
export function committedVersionAfter(root: PoolRoot, evolutions: ReadonlyMap<number, PoolVersion[]>, round: number): PoolVersion {
  const passed = (evolutions.get(root.index) ?? []).filter((v) => v.round <= round);
  return passed[passed.length - 1] ?? rootVersion(root);
}

export function lineageOf(root: PoolRoot, parent: PoolVersion, round: number, operation: Operation): Omit<EvolveLineage, "kind" | "depth" | "finishReason"> {
  return { poolIndex: root.index, rootId: root.id, parentId: parent.id, round, operation, family: root.family };
}
