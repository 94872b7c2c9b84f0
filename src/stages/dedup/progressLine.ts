/** The streamed dedup's progress line: records, rate, share of the input read, ETA (from bytes). */
import { formatDuration } from "../../runtime/progress.js";
import type { DedupProgress } from "./stream.js";

export function formatDedupProgress(progress: DedupProgress, elapsedSeconds: number): string {
  const rate = progress.records / Math.max(elapsedSeconds, 1e-3);
  const share = progress.totalBytes > 0 ? progress.bytesRead / progress.totalBytes : 1;
  const eta = share > 0 && share < 1 ? formatDuration((elapsedSeconds * (1 - share)) / share) : "0s";
  return [
    "[dedup]",
    `${progress.records} records`,
    `${(100 * share).toFixed(1)}%`,
    `kept ${progress.kept}`,
    `dropped ${progress.dropped}`,
    `${Math.round(rate)} records/s`,
    `ETA ${eta}`,
    `elapsed ${formatDuration(elapsedSeconds)}`,
  ].join("  ");
}
