/**
 * The batch queue: a `ChatTransport` that, instead of POSTing each chat request, collects the
 * requests that missed the response cache into waves and runs each wave through the Batch API.
 *
 *   enqueue → (idle, or at the file limits) → one JSONL file → upload (purpose "batch") → create batch → poll
 *   → read output and error files → match lines by custom_id → resolve the waiting requests
 *
 * The LLM client above it (`client.ts`) stays what it is: it checks the cache, counts tokens and
 * cost, and caches every reply this queue hands back, so stages cannot tell the modes apart.
 *
 * Every batch carries the run's fingerprint and its wave in `metadata`, and is recorded in the run
 * directory's `batches.jsonl`. A restarted run first adopts its batches (recorded, or found by
 * listing the endpoint's batches for one created just before a kill): replies of finished ones are
 * served from their files, running ones are polled, and their lines are never submitted again.
 */
import { setImmediate as nextTurn } from "node:timers/promises";
import { APIError } from "openai";
import { sha256Hex } from "../../hash.js";
import { parseJsonOrUndefined } from "../../io/json.js";
import type { BackoffPolicy } from "../retry.js";
import type { ChatTransport } from "../transport.js";
import type { LlmSettings } from "../types.js";
import { createBatchApi, type BatchApi } from "./api.js";
import { BatchJournal } from "./journal.js";
import { BatchObject, InputLine, METADATA_RUN, METADATA_WAVE, ResultLine, TERMINAL_STATUSES } from "./schemas.js";
import { BatchSettings } from "./settings.js";

export interface BatchQueueOptions {
  settings: LlmSettings;
  /** The run directory: `batches.jsonl` lives here. */
  runDir: string;
  /** Identifies the run's work (stage + options); batches carrying another fingerprint are not ours. */
  fingerprint: string;
  /** Aborted on Ctrl-C: no new wave is submitted. */
  signal?: AbortSignal;
  /** The progress line: each open batch's status and counts, when they change. */
  onStatus?: (line: string) => void;
  onWarning?: (message: string) => void;
  backoff?: Partial<BackoffPolicy>;
}

export interface BatchStats {
  waves: number;
  batchesCreated: number;
  batchesAdopted: number;
  linesSubmitted: number;
  /** Lines submitted again after they failed or expired. */
  linesResubmitted: number;
  linesFailed: number;
  /** Replies taken from batches an earlier attempt of this run created. */
  repliesAdopted: number;
  openBatches: string[];
}

export interface BatchQueue extends ChatTransport {
  stats(): BatchStats;
  /**
   * After Ctrl-C: cancel the open batches (with `cancelOnAbort`) or leave them running; resolves
   * with one sentence saying which.
   */
  interrupt(): Promise<string | undefined>;
}

type Outcome = { ok: true; completion: unknown } | { ok: false; error: Error };

interface Caller {
  resolve(completion: unknown): void;
  reject(error: Error): void;
}

interface LineState {
  id: string;
  /** Unknown for a line adopted from a finished batch (it is never resubmitted). */
  body?: Record<string, unknown>;
  bytes: number;
  failures: number;
  batches: string[];
  callers: Caller[];
  /** A reply nobody has asked for yet (adopted from an earlier attempt's batch). */
  outcome?: Outcome;
  fromBatch?: string;
}

interface OpenBatch {
  id: string;
  wave: number;
  lineIds: string[];
  status: string;
  counts?: { total: number; completed: number; failed: number };
  /** Failed attempts at reading its result files. */
  readFailures: number;
}

/** What a line whose batch could not be submitted or read is told. */
class BatchLineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BatchLineError";
  }
}

const LISTING_SLACK_SECONDS = 3600;
const CANCEL_WAIT_MS = 10_000;
/** Control calls (upload, create, poll) get longer than a chat request: uploads can be 200 MB. */
const CONTROL_TIMEOUT_MS = 600_000;
/** Reading a finished batch's result files is tried this often before its lines count as failed. */
const MAX_RESULT_READS = 3;
const NON_RETRYABLE_LINE_STATUSES = new Set([400, 401, 403, 404, 422]);

export function createBatchQueue(options: BatchQueueOptions): BatchQueue {
  const { settings, fingerprint } = options;
  const config = BatchSettings.parse(Object.fromEntries(Object.entries(settings.batch ?? {}).filter(([, v]) => v !== undefined)));
  const api: BatchApi = createBatchApi({
    baseUrl: settings.baseUrl,
    apiKey: settings.apiKey,
    model: settings.model,
    maxRetries: settings.maxRetries,
    timeoutMs: Math.max(settings.timeoutMs, CONTROL_TIMEOUT_MS),
    backoff: options.backoff,
  });
  const journal = new BatchJournal(options.runDir);
  const warn = options.onWarning ?? (() => undefined);
  const waveLimit = settings.concurrency;
  const lines = new Map<string, LineState>();
  const open = new Map<string, OpenBatch>();
  /** Replies not yet handed out, per batch: the batch is "collected" when this reaches 0. */
  const unclaimedByBatch = new Map<string, number>();
  const stats = { waves: 0, batchesCreated: 0, batchesAdopted: 0, linesSubmitted: 0, linesResubmitted: 0, linesFailed: 0, repliesAdopted: 0 };
  let queue: LineState[] = [];
  let queuedBytes = 0;
  let lastWave = 0;
  let idleTimer: NodeJS.Timeout | undefined;
  let pollTimer: NodeJS.Timeout | undefined;
  const pollMinMs = Math.min(config.pollMinMs, config.pollMaxMs);
  let pollDelay = pollMinMs;
  let lastReport = "";
  let ready: Promise<void> | undefined;
  let closed = false;
  const aborted = () => options.signal?.aborted === true;

  options.signal?.addEventListener("abort", () => {
    clearTimeout(idleTimer);
    clearTimeout(pollTimer);
  });

  // ---- requests in -------------------------------------------------------------------------

  async function postChatCompletion(body: unknown, _timeoutMs: number, requestKey?: string): Promise<unknown> {
    await (ready ??= adoptEarlierBatches());
    const id = requestKey ?? sha256Hex(JSON.stringify(body));
    const existing = lines.get(id);
    if (existing?.outcome) return claim(existing);
    if (aborted()) throw new BatchLineError("stopped: no new batch is submitted after an interrupt");
    return new Promise<unknown>((resolve, reject) => {
      if (existing) {
        existing.body ??= asRecord(body);
        existing.callers.push({ resolve, reject });
        return;
      }
      const state: LineState = { id, body: asRecord(body), bytes: 0, failures: 0, batches: [], callers: [{ resolve, reject }] };
      lines.set(id, state);
      enqueue(state);
    });
  }

  /** Hand out a reply that arrived before anyone asked for it. */
  function claim(state: LineState): unknown {
    const outcome = state.outcome!;
    lines.delete(state.id);
    stats.repliesAdopted++;
    if (state.fromBatch) releaseReply(state.fromBatch);
    if (!outcome.ok) throw outcome.error;
    return outcome.completion;
  }

  function enqueue(state: LineState): void {
    state.bytes = Buffer.byteLength(inputLine(state)) + 1;
    // One wave is one input file: it never grows past the file limits.
    if (queue.length > 0 && queuedBytes + state.bytes > config.maxFileBytes) flush();
    queue.push(state);
    queuedBytes += state.bytes;
    if (queue.length >= Math.min(waveLimit, config.maxFileLines)) {
      flush();
      return;
    }
    // A wave is complete once the stage has gone quiet: its units are all waiting for replies.
    clearTimeout(idleTimer);
    idleTimer = setTimeout(flush, config.idleMs);
  }

  function inputLine(state: LineState): string {
    return JSON.stringify({ custom_id: state.id, method: "POST", url: "/v1/chat/completions", body: state.body });
  }

  // ---- waves out ---------------------------------------------------------------------------

  function flush(): void {
    clearTimeout(idleTimer);
    idleTimer = undefined;
    if (queue.length === 0 || aborted() || closed) return;
    const wave = ++lastWave;
    stats.waves++;
    const states = queue;
    queue = [];
    queuedBytes = 0;
    void submitWave(wave, states);
  }

  async function submitWave(wave: number, states: LineState[]): Promise<void> {
    let batch: BatchObject;
    try {
      // Recorded before anything exists remotely: a restart then knows to look for this wave.
      journal.append({ type: "wave", wave, lines: states.length, fingerprint });
      const jsonl = Buffer.from(states.map((s) => `${inputLine(s)}\n`).join(""), "utf8");
      const fileId = await api.uploadFile(jsonl, `instructforge-${fingerprint.slice(0, 12)}-wave${wave}.jsonl`);
      batch = await api.createBatch(fileId, { [METADATA_RUN]: fingerprint, [METADATA_WAVE]: String(wave) });
      journal.append({ type: "batch", wave, batchId: batch.id, inputFileId: fileId, lines: states.length });
    } catch (error) {
      const problem = error instanceof Error ? error.message : String(error);
      for (const state of states) settle(state, { ok: false, error: new BatchLineError(`could not submit wave ${wave} as a batch: ${problem}`) });
      return;
    }
    stats.batchesCreated++;
    stats.linesSubmitted += states.length;
    for (const state of states) state.batches.push(batch.id);
    track(batch, wave, states.map((s) => s.id));
  }

  function track(batch: BatchObject, wave: number, lineIds: string[]): void {
    open.set(batch.id, { id: batch.id, wave, lineIds, status: batch.status, counts: batch.request_counts ?? undefined, readFailures: 0 });
    pollDelay = pollMinMs;
    schedulePoll();
  }

  // ---- polling -----------------------------------------------------------------------------

  function schedulePoll(): void {
    if (pollTimer || open.size === 0 || aborted() || closed) return;
    pollTimer = setTimeout(() => void pollOnce(), pollDelay);
  }

  async function pollOnce(): Promise<void> {
    let changed = false;
    for (const batch of [...open.values()]) {
      if (aborted()) return;
      let latest: BatchObject;
      try {
        latest = await api.retrieveBatch(batch.id);
      } catch (error) {
        warn(`could not check batch ${batch.id}: ${error instanceof Error ? error.message : String(error)}; trying again`);
        continue;
      }
      if (latest.status !== batch.status || JSON.stringify(latest.request_counts) !== JSON.stringify(batch.counts)) changed = true;
      batch.status = latest.status;
      batch.counts = latest.request_counts ?? undefined;
      if (TERMINAL_STATUSES.has(latest.status)) {
        report();
        open.delete(batch.id);
        if (!(await collect(latest, batch.lineIds, batch.readFailures >= MAX_RESULT_READS - 1))) {
          batch.readFailures++;
          open.set(batch.id, batch);
        }
      }
    }
    report();
    pollTimer = undefined;
    // Back off while nothing moves; look again soon after a change.
    pollDelay = changed ? pollMinMs : Math.min(config.pollMaxMs, Math.ceil(pollDelay * 1.5));
    schedulePoll();
  }

  function report(): void {
    if (!options.onStatus || open.size === 0) return;
    const parts = [...open.values()].map((b) => {
      const counts = b.counts ? ` ${b.counts.completed}/${b.counts.total} done${b.counts.failed ? `, ${b.counts.failed} failed` : ""}` : "";
      return `wave ${b.wave} ${b.id} ${b.status}${counts}`;
    });
    const line = `batches: ${parts.join(" | ")}`;
    if (line === lastReport) return;
    lastReport = line;
    options.onStatus(line);
  }

  // ---- results in --------------------------------------------------------------------------

  /**
   * Read a finished batch's output and error files and settle every line it held. Returns false
   * when the files could not be read and `giveUp` is off: the caller tries again later rather
   * than paying for the lines a second time.
   */
  async function collect(batch: BatchObject, knownLineIds: readonly string[], giveUp: boolean): Promise<boolean> {
    let results: Map<string, ResultLine>;
    try {
      results = await readResults(batch);
    } catch (error) {
      const problem = error instanceof Error ? error.message : String(error);
      if (!giveUp) {
        warn(`could not read the results of ${batch.id} (${problem}); trying again`);
        return false;
      }
      for (const id of knownLineIds) retryOrFail(lines.get(id), `the results of ${batch.id} could not be read (${problem})`);
      return true;
    }
    let delivered = 0;
    for (const id of new Set([...knownLineIds, ...results.keys()])) {
      const result = results.get(id);
      let state = lines.get(id);
      if (!state && result?.response?.status_code === 200) {
        // A reply of an earlier attempt's batch that this attempt has not asked for (yet).
        state = { id, bytes: 0, failures: 0, batches: [batch.id], callers: [] };
        lines.set(id, state);
      }
      if (!state) continue;
      if (result?.response?.status_code === 200) {
        if (settle(state, { ok: true, completion: result.response.body }, batch.id)) delivered++;
        continue;
      }
      if (batch.status === "failed") {
        settle(state, { ok: false, error: new BatchLineError(`batch ${batch.id} was rejected by ${settings.baseUrl}: ${batchErrors(batch)}`) });
        continue;
      }
      const status = result?.response?.status_code;
      if (status !== undefined && NON_RETRYABLE_LINE_STATUSES.has(status)) {
        const body = result?.response?.body;
        settle(state, { ok: false, error: APIError.generate(status, typeof body === "object" && body !== null ? body : undefined, undefined, new Headers()) });
        continue;
      }
      retryOrFail(state, describeFailure(batch, result));
    }
    // The replies handed out are cached by the client in the same turn: only then is the batch
    // "collected" and skipped by a restart.
    if (delivered > 0 || (unclaimedByBatch.get(batch.id) ?? 0) === 0) {
      await nextTurn();
      if ((unclaimedByBatch.get(batch.id) ?? 0) === 0) markCollected(batch.id);
    }
    return true;
  }

  async function readResults(batch: BatchObject): Promise<Map<string, ResultLine>> {
    const results = new Map<string, ResultLine>();
    for (const fileId of [batch.output_file_id, batch.error_file_id]) {
      if (!fileId) continue;
      const text = await api.fileContent(fileId);
      let unreadable = 0;
      for (const raw of text.split("\n")) {
        if (raw.trim() === "") continue;
        const line = ResultLine.safeParse(parseJsonOrUndefined(raw));
        if (line.success) results.set(line.data.custom_id, line.data);
        else unreadable++;
      }
      if (unreadable > 0) warn(`${unreadable} unreadable lines in file ${fileId} of batch ${batch.id}; their requests are submitted again`);
    }
    return results;
  }

  /** Deliver an outcome; one nobody waits for yet is kept until asked for. Returns true when delivered. */
  function settle(state: LineState, outcome: Outcome, fromBatch?: string): boolean {
    if (state.callers.length === 0) {
      state.outcome = outcome;
      state.fromBatch = fromBatch;
      if (fromBatch) unclaimedByBatch.set(fromBatch, (unclaimedByBatch.get(fromBatch) ?? 0) + 1);
      return false;
    }
    lines.delete(state.id);
    for (const caller of state.callers) {
      if (outcome.ok) caller.resolve(outcome.completion);
      else caller.reject(outcome.error);
    }
    return true;
  }

  function retryOrFail(state: LineState | undefined, problem: string): void {
    if (!state) return;
    state.failures++;
    stats.linesFailed++;
    if (state.callers.length === 0 || !state.body) {
      // Nobody asked for it in this attempt: if the stage does, it is submitted then.
      lines.delete(state.id);
      return;
    }
    if (state.failures > settings.maxRetries) {
      const tries = `${state.failures} ${state.failures === 1 ? "time" : "times"}`;
      settle(state, { ok: false, error: new BatchLineError(`batch request ${state.id.slice(0, 12)}… failed ${tries} (batches ${state.batches.join(", ")}); last: ${problem}`) });
      return;
    }
    stats.linesResubmitted++;
    enqueue(state);
  }

  function releaseReply(batchId: string): void {
    const left = (unclaimedByBatch.get(batchId) ?? 1) - 1;
    unclaimedByBatch.set(batchId, left);
    if (left === 0) void nextTurn().then(() => markCollected(batchId));
  }

  function markCollected(batchId: string): void {
    unclaimedByBatch.delete(batchId);
    try {
      journal.append({ type: "collected", batchId });
    } catch (error) {
      warn(error instanceof Error ? error.message : String(error));
    }
  }

  // ---- restart -----------------------------------------------------------------------------

  /** Find this run's batches from earlier attempts and take them over. */
  async function adoptEarlierBatches(): Promise<void> {
    const recordedState = journal.read();
    lastWave = recordedState.lastWave;
    if (!recordedState.firstWaveAt) return; // no wave was ever started: no batch can exist
    const ours = await listOwnBatches(Math.floor(recordedState.firstWaveAt.getTime() / 1000) - LISTING_SLACK_SECONDS);
    for (const recorded of recordedState.recorded) {
      if (ours.has(recorded.batchId)) continue;
      try {
        ours.set(recorded.batchId, await api.retrieveBatch(recorded.batchId));
      } catch (error) {
        // Deleted, or from another organisation's key: its lines are requested again if needed.
        warn(`batch ${recorded.batchId} from batches.jsonl cannot be read (${error instanceof Error ? error.message : String(error)}); skipping it`);
      }
    }
    for (const batch of ours.values()) {
      if (recordedState.collected.has(batch.id)) continue;
      stats.batchesAdopted++;
      const wave = Number(batch.metadata?.[METADATA_WAVE] ?? 0);
      if (TERMINAL_STATUSES.has(batch.status)) {
        if (!(await collect(batch, [], false))) track(batch, wave, []);
        continue;
      }
      const lineIds = await adoptRunningLines(batch);
      track(batch, wave, lineIds);
    }
  }

  /** Newest first, down to the run's first wave (less an hour for clock skew). */
  async function listOwnBatches(notBefore: number): Promise<Map<string, BatchObject>> {
    const ours = new Map<string, BatchObject>();
    let after: string | undefined;
    for (;;) {
      const page = await api.listBatches(after);
      for (const batch of page.data) if (batch.metadata?.[METADATA_RUN] === fingerprint) ours.set(batch.id, batch);
      const oldest = Math.min(...page.data.map((b) => b.created_at));
      after = page.last_id ?? page.data[page.data.length - 1]?.id;
      if (!page.has_more || !after || page.data.length === 0 || oldest < notBefore) return ours;
    }
  }

  /** A running batch's lines, read from its input file: they wait for it instead of being sent again. */
  async function adoptRunningLines(batch: BatchObject): Promise<string[]> {
    const text = await api.fileContent(batch.input_file_id);
    const ids: string[] = [];
    for (const raw of text.split("\n")) {
      const line = InputLine.safeParse(parseJsonOrUndefined(raw));
      if (!line.success) continue;
      ids.push(line.data.custom_id);
      lines.set(line.data.custom_id, { id: line.data.custom_id, body: line.data.body, bytes: 0, failures: 0, batches: [batch.id], callers: [] });
    }
    return ids;
  }

  // ---- stopping ----------------------------------------------------------------------------

  async function interrupt(): Promise<string | undefined> {
    const ids = [...open.keys()];
    if (ids.length === 0) return undefined;
    const list = ids.join(", ");
    if (!config.cancelOnAbort) {
      return (
        `${ids.length} ${ids.length === 1 ? "batch is" : "batches are"} left running at ${settings.baseUrl} (${list}); ` +
        "re-run the same command to collect the results (nothing is submitted twice), or pass --cancel-batches to cancel on Ctrl-C"
      );
    }
    const cancelled = await Promise.race([
      Promise.allSettled(ids.map((id) => api.cancelBatch(id))),
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), CANCEL_WAIT_MS).unref()),
    ]);
    const done = cancelled ? ids.filter((_, k) => cancelled[k]?.status === "fulfilled") : [];
    const notDone = ids.filter((id) => !done.includes(id));
    return (
      `asked ${settings.baseUrl} to cancel ${done.length} ${done.length === 1 ? "batch" : "batches"} (${done.join(", ") || "none"})` +
      (notDone.length ? `; could not cancel ${notDone.join(", ")}` : "") +
      "; finished lines stay paid for and are collected by a re-run"
    );
  }

  return {
    postChatCompletion,
    close: () => {
      closed = true;
      clearTimeout(idleTimer);
      clearTimeout(pollTimer);
    },
    interrupt,
    stats: () => ({ ...stats, openBatches: [...open.keys()] }),
  };
}

function asRecord(body: unknown): Record<string, unknown> {
  return typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
}

function batchErrors(batch: BatchObject): string {
  const errors = batch.errors?.data ?? [];
  if (errors.length === 0) return "no reason given";
  return errors
    .slice(0, 3)
    .map((e) => `${e.line ? `line ${e.line}: ` : ""}${e.code ?? "error"}${e.message ? ` (${e.message})` : ""}`)
    .join("; ");
}

function describeFailure(batch: BatchObject, result: ResultLine | undefined): string {
  if (!result) return `missing from the results of ${batch.id} (status ${batch.status})`;
  if (result.error) return `${result.error.code ?? "error"}${result.error.message ? `: ${result.error.message}` : ""} in ${batch.id}`;
  const body = result.response?.body as { error?: { message?: unknown } } | undefined;
  const message = typeof body?.error?.message === "string" ? `: ${body.error.message}` : "";
  return `HTTP ${result.response?.status_code ?? "?"}${message} in ${batch.id}`;
}
