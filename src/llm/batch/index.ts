/**
 * The LLM client a stage runs with, in either mode: online (one HTTP request per chat call) or
 * batch (the same client on top of the batch queue). The harness calls this instead of
 * `createLlmClient` and gets, besides the client, what it needs for the manifest and for Ctrl-C.
 */
import { createLlmClient, type LlmClientOptions } from "../client.js";
import type { LlmClient, LlmSettings } from "../types.js";
import { BatchJournal } from "./journal.js";
import { createBatchQueue, type BatchStats } from "./queue.js";

export { BatchSettings, LlmMode, BATCH_PRICE_FACTOR } from "./settings.js";
export type { BatchStats } from "./queue.js";

export interface StageLlmOptions extends LlmClientOptions {
  runDir: string;
  /** The run's fingerprint (the harness's: stage, work-defining options, input, prompts, model); batches are tagged with it. */
  fingerprint: string;
  signal?: AbortSignal;
  /** One line of batch progress (status and counts of each open batch). */
  onStatus?: (line: string) => void;
}

export interface StageLlm {
  client: LlmClient;
  /** Batch mode only: batches, waves and resubmitted lines, for the manifest. */
  batchStats(): BatchStats | undefined;
  /**
   * Batch mode only, after an interrupt: cancel or leave the open batches (per `--cancel-batches`);
   * resolves with what was done, in one sentence.
   */
  interrupt?: () => Promise<string | undefined>;
  /** Stop timers; the stage is over. */
  close(): void;
}

export function createStageLlm(settings: LlmSettings, options: StageLlmOptions): StageLlm {
  if (settings.mode !== "batch") {
    const left = uncollectedBatches(options.runDir);
    if (left.length > 0) {
      options.onStatus?.(
        `warning: ${left.length} ${left.length === 1 ? "batch" : "batches"} of an earlier --mode batch attempt (${left.join(", ")}) may hold replies not yet collected; ` +
          "re-run with --mode batch to collect them instead of paying for those requests again",
      );
    }
    return { client: createLlmClient(settings, options), batchStats: () => undefined, close: () => undefined };
  }
  // Stages keep 2 × concurrency units going: that is one wave, and all of it must reach the queue.
  const waveSettings: LlmSettings = { ...settings, concurrency: settings.concurrency * 2 };
  const queue = createBatchQueue({
    settings: waveSettings,
    runDir: options.runDir,
    fingerprint: options.fingerprint,
    signal: options.signal,
    onStatus: options.onStatus,
    onWarning: options.onWarning ?? ((message) => options.onStatus?.(`warning: ${message}`)),
    backoff: options.backoff,
  });
  return {
    client: createLlmClient(waveSettings, { ...options, transport: queue }),
    batchStats: () => queue.stats(),
    interrupt: () => queue.interrupt(),
    close: () => queue.close(),
  };
}

/** Batches recorded in the run directory and never marked collected. */
function uncollectedBatches(runDir: string): string[] {
  try {
    const state = new BatchJournal(runDir).read();
    return state.recorded.map((entry) => entry.batchId).filter((id) => !state.collected.has(id));
  } catch {
    return []; // an unreadable journal only matters to batch mode, which reports it
  }
}
