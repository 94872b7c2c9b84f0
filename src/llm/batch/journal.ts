/**
 * `batches.jsonl` in the run directory: what this run did with the Batch API, appended and fsynced
 * line by line, so a restarted run knows which batches are its own.
 *
 *   {"type":"wave", ...}       written BEFORE the file is uploaded: from here on a batch may exist
 *   {"type":"batch", ...}      the batch id, as soon as the create call returned it
 *   {"type":"collected", ...}  every reply of that batch is in the response cache
 *
 * A kill between creating a batch and recording it leaves a "wave" line with no "batch" line; the
 * restarted run then finds the batch by listing the endpoint's batches (its metadata names the run).
 */
import { closeSync, fsyncSync, openSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { inputError } from "../../errors.js";
import { writeError, writeFileAtomic } from "../../io/atomic.js";
import { readJsonLines, toJsonLines } from "../../io/jsonl.js";
import { writeAll } from "../../io/writeAll.js";

export const JOURNAL_FILE = "batches.jsonl";

const WaveEntry = z.object({ type: z.literal("wave"), wave: z.number().int(), lines: z.number().int(), fingerprint: z.string(), at: z.string() });
const BatchEntry = z.object({
  type: z.literal("batch"),
  wave: z.number().int(),
  batchId: z.string(),
  inputFileId: z.string(),
  lines: z.number().int(),
  at: z.string(),
});
const CollectedEntry = z.object({ type: z.literal("collected"), batchId: z.string(), at: z.string() });
export const JournalEntry = z.discriminatedUnion("type", [WaveEntry, BatchEntry, CollectedEntry]);
export type JournalEntry = z.infer<typeof JournalEntry>;
type Unstamped<T> = T extends unknown ? Omit<T, "at"> : never;

export interface JournalState {
  /** Highest wave number started so far (0 when none). */
  lastWave: number;
  /** When the first wave was started: no batch of this run is older. */
  firstWaveAt?: Date;
  recorded: Array<z.infer<typeof BatchEntry>>;
  collected: Set<string>;
}

export class BatchJournal {
  readonly path: string;

  constructor(runDir: string) {
    this.path = join(runDir, JOURNAL_FILE);
  }

  /** Everything recorded so far; a torn last line (a kill mid-write) is dropped. */
  read(): JournalState {
    const { values, tornTail } = readJsonLines(this.path);
    // The next append must not continue a torn line: cut it away first.
    if (tornTail) writeFileAtomic(this.path, toJsonLines(values));
    const state: JournalState = { lastWave: 0, recorded: [], collected: new Set() };
    values.forEach((value, index) => {
      const entry = JournalEntry.safeParse(value);
      if (!entry.success) throw inputError(this.path, index + 1, `not a batch record (${entry.error.issues[0]?.message ?? "invalid"})`);
      const data = entry.data;
      if (data.type === "wave") {
        state.lastWave = Math.max(state.lastWave, data.wave);
        const at = new Date(data.at);
        if (!state.firstWaveAt || at < state.firstWaveAt) state.firstWaveAt = at;
      } else if (data.type === "batch") state.recorded.push(data);
      else state.collected.add(data.batchId);
    });
    return state;
  }

  /** Append one entry and fsync it: it must survive a kill right after this returns. */
  append(entry: Unstamped<JournalEntry>): void {
    const line = toJsonLines([{ ...entry, at: new Date().toISOString() }]);
    let fd: number | undefined;
    try {
      fd = openSync(this.path, "a");
      writeAll(fd, Buffer.from(line, "utf8"));
      fsyncSync(fd);
    } catch (error) {
      throw writeError(this.path, error);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
}
