/**
 * The harness every stage runs inside: it opens the run directory (resuming if it holds earlier
 * work), builds the LLM client on the run's cache, draws progress, turns Ctrl-C into a clean
 * stop, and writes the final manifest. Stages only supply their loop.
 */
import { createStageLlm } from "../llm/batch/index.js";
import type { LlmClient, LlmSettings } from "../llm/types.js";
import { RunDirectory } from "../io/runDir.js";
import { createProgress } from "./progress.js";
import { describeEndpoint, type EndpointInfo } from "./endpoint.js";

export interface StageRunOptions {
  outDir: string;
  stage: string;
  /** The options that define the work, stored in the manifest (never secrets). */
  config: Record<string, unknown>;
  /** Omit for stages that make no LLM calls. */
  llm?: LlmSettings;
  label?: string;
}

export interface StageRun {
  runDir: RunDirectory;
  /** The LLM client; throws when the stage was opened without LLM settings. */
  readonly llm: LlmClient;
  /** Aborted on SIGINT/SIGTERM: stop launching work. */
  signal: AbortSignal;
  /** Redraw the progress line (done units or records, out of target). */
  progress(done: number, target?: number): void;
  endpoint?: EndpointInfo;
}

const MANIFEST_EVERY_MS = 2000;

export async function withStageRun<T>(options: StageRunOptions, body: (run: StageRun) => Promise<T>): Promise<T> {
  const runDir = RunDirectory.open({ outDir: options.outDir, stage: options.stage, config: options.config });
  const controller = new AbortController();
  const stageLlm = options.llm
    ? createStageLlm(options.llm, {
        cacheDir: runDir.cacheDir,
        runDir: runDir.dir,
        work: { stage: options.stage, config: options.config },
        signal: controller.signal,
        onStatus: (line) => process.stderr.write(`instructforge: ${line}\n`),
      })
    : undefined;
  const client = stageLlm?.client;
  const endpoint = options.llm ? await describeEndpoint(options.llm) : undefined;
  /** Set on Ctrl-C while open batches are being cancelled: the process exits when it is done. */
  let stopping: Promise<never> | undefined;
  const bar = createProgress({ label: options.label ?? options.stage });
  let lastDone = 0;
  let lastTarget: number | undefined;

  const snapshot = () => ({
    done: lastDone,
    target: lastTarget,
    accepted: runDir.accepted,
    rejected: runDir.rejected,
    tokens: client ? client.totals().promptTokens + client.totals().completionTokens : undefined,
    costUsd: client?.totals().costUsd,
  });
  const recordTotals = (): void => runDir.updateManifest({ endpoint, llm: client?.totals(), batch: stageLlm?.batchStats() });
  const manifestTimer = setInterval(() => {
    recordTotals();
    runDir.writeManifest("running");
  }, MANIFEST_EVERY_MS);
  manifestTimer.unref();

  const stopOnSignal = (signal: NodeJS.Signals): void => {
    controller.abort();
    clearInterval(manifestTimer);
    recordTotals();
    runDir.close("interrupted");
    bar.finish(snapshot());
    process.stderr.write(
      `\ninstructforge: ${signal === "SIGINT" ? "interrupted" : "stopped"} — ${runDir.accepted} records are saved in ${runDir.dir}.\n` +
        "Re-run the same command to resume; finished requests are replayed from the cache, not paid again.\n",
    );
    const interrupting = stageLlm?.interrupt?.();
    if (!interrupting) process.exit(130);
    stopping = interrupting
      .then((note) => void (note && process.stderr.write(`instructforge: ${note}\n`)), () => undefined)
      .then(() => process.exit(130));
  };
  process.once("SIGINT", stopOnSignal);
  process.once("SIGTERM", stopOnSignal);

  const run: StageRun = {
    runDir,
    get llm(): LlmClient {
      if (!client) throw new Error(`stage ${options.stage} was opened without LLM settings`);
      return client;
    },
    signal: controller.signal,
    progress(done, target) {
      lastDone = done;
      lastTarget = target;
      bar.update(snapshot());
    },
    endpoint,
  };

  if (endpoint?.simulator) {
    process.stderr.write(`instructforge: ${endpoint.note}\n`);
  }
  if (runDir.state.resumed) {
    process.stderr.write(`instructforge: resuming ${runDir.dir} at unit ${runDir.state.nextUnit} (${runDir.accepted} records already kept)\n`);
  }

  try {
    const result = await body(run).catch(async (error: unknown) => {
      if (stopping) await stopping;
      throw error;
    });
    if (stopping) await stopping;
    recordTotals();
    runDir.close("complete");
    bar.finish(snapshot());
    return result;
  } catch (error) {
    recordTotals();
    try {
      runDir.close("failed");
    } catch {
      /* the original error matters more than a failed manifest write */
    }
    throw error;
  } finally {
    stageLlm?.close();
    clearInterval(manifestTimer);
    process.removeListener("SIGINT", stopOnSignal);
    process.removeListener("SIGTERM", stopOnSignal);
  }
}
