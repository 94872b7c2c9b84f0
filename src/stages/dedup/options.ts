/** Options of the streamed dedup that the stage's settings gain (the lead wires them into the stage definition). */
import { availableParallelism } from "node:os";
import { z } from "zod";

export const DedupScaleOptions = z.object({
  /** Worker threads that parse, fingerprint and MinHash chunks of records (default: available cores; 1 = in-thread). */
  threads: z.number().int().min(1).max(256).optional(),
  /** Keep the MinHash index's shingles in a temp file instead of memory (default: only for inputs over 1 GiB). */
  shinglesOnDisk: z.boolean().optional(),
});
export type DedupScaleOptions = z.infer<typeof DedupScaleOptions>;

/** Inputs above this many bytes (≈ 2M Alpaca-sized records) keep their shingles on disk unless told otherwise. */
export const SHINGLES_ON_DISK_ABOVE_BYTES = 1 << 30;

export function defaultThreads(): number {
  return availableParallelism();
}
