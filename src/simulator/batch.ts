/**
 * The SIMULATOR's Batch and Files API — part of the TEST DOUBLE, never a model. It implements what
 * instructforge's batch mode uses of OpenAI's API, with the documented rules and statuses:
 *
 *   POST /v1/files (multipart, purpose "batch")   GET /v1/files/{id}   GET /v1/files/{id}/content
 *   POST /v1/batches   GET /v1/batches (limit, after; newest first)   GET /v1/batches/{id}
 *   POST /v1/batches/{id}/cancel
 *
 * A batch goes validating → in_progress → finalizing → completed (or failed at validation,
 * expired, cancelling → cancelled), each phase lasting `delayMs / 3`. Each line is answered by the
 * simulator's own chat endpoint over loopback HTTP, so every reply, profile and fault is exactly
 * what an online request gets. Output lines are written in a shuffled order: clients must match by
 * custom_id. Injected faults: `failRate` of line submissions end in the error file with HTTP 500,
 * `expireRate` are left unprocessed and the batch ends `expired`.
 *
 * Every submitted custom_id is recorded with the outcome of each submission, so tests can check
 * that nothing was submitted again unless its earlier submission had failed.
 */
import type http from "node:http";
import { z } from "zod";
import { parseJsonOrUndefined } from "../io/json.js";
import { readBodyBytes, sendJson } from "./http.js";
import { createRng, deriveSeed, shuffled } from "./rng.js";

export interface BatchSimOptions {
  seed: number;
  /** Total processing time of a batch, spread over its three phases. */
  delayMs: number;
  /** Share of line submissions that fail (HTTP 500 in the error file). */
  failRate: number;
  /** Share of line submissions left unprocessed: their batch ends `expired`. */
  expireRate: number;
  /** When set, every call must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** The simulator's own chat endpoint; it answers each line. */
  chatUrl: () => string;
}

export type LineOutcome = "pending" | "completed" | "failed" | "expired" | "cancelled" | "rejected";

export interface BatchSimStats {
  filesUploaded: number;
  batchesCreated: number;
  batchesByStatus: Record<string, number>;
  linesSubmitted: number;
  linesFailed: number;
  linesExpired: number;
  /** Submissions of a custom_id whose earlier submission was pending or had completed: should stay 0. */
  needlessResubmissions: number;
  /** custom_ids submitted more than once. */
  resubmittedIds: number;
  /** Per custom_id, the outcome of each of its submissions, in order. */
  submissions: Record<string, LineOutcome[]>;
}

export interface BatchService {
  /** Handles the request when it is a Files/Batches route; returns false otherwise. */
  handle(req: http.IncomingMessage, res: http.ServerResponse, path: string): boolean;
  stats(): BatchSimStats;
  reset(): void;
  close(): void;
}

const MAX_UPLOAD_BYTES = 210 * 1024 * 1024;
const MAX_LINES = 50_000;
const LINE_CONCURRENCY = 8;
const LINE_TIMEOUT_MS = 30_000;

interface StoredFile {
  id: string;
  purpose: string;
  filename: string;
  bytes: Buffer;
  createdAt: number;
}

interface SimLine {
  customId: string;
  body: Record<string, unknown>;
  /** Index of this submission among the custom_id's submissions. */
  submission: number;
}

interface SimBatch {
  id: string;
  status: string;
  endpoint: string;
  inputFileId: string;
  outputFileId: string | null;
  errorFileId: string | null;
  createdAt: number;
  times: Record<string, number>;
  metadata: Record<string, string> | null;
  lines: SimLine[];
  errors: Array<{ code: string; message: string; line: number | null }>;
  counts: { total: number; completed: number; failed: number };
  output: unknown[];
  errorLines: unknown[];
}

const CreateBody = z.object({
  input_file_id: z.string(),
  endpoint: z.string(),
  completion_window: z.string(),
  metadata: z.record(z.string(), z.string()).nullish(),
});

const InputLineShape = z.object({
  custom_id: z.string().min(1),
  method: z.string(),
  url: z.string(),
  body: z.record(z.string(), z.unknown()),
});

const now = () => Math.floor(Date.now() / 1000);

export function createBatchService(options: BatchSimOptions): BatchService {
  const files = new Map<string, StoredFile>();
  const batches = new Map<string, SimBatch>();
  const timers = new Set<NodeJS.Timeout>();
  let submissions = new Map<string, LineOutcome[]>();
  let counters = { filesUploaded: 0, batchesCreated: 0, linesSubmitted: 0, linesFailed: 0, linesExpired: 0, needlessResubmissions: 0 };
  let nextId = 1;
  const phaseMs = Math.max(0, options.delayMs) / 3;
  const newId = (prefix: string) => `${prefix}-sim-${(nextId++).toString(36).padStart(6, "0")}`;

  function later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  }

  // ---- files -------------------------------------------------------------------------------

  function storeFile(purpose: string, filename: string, bytes: Buffer): StoredFile {
    const file = { id: newId("file"), purpose, filename, bytes, createdAt: now() };
    files.set(file.id, file);
    return file;
  }

  function fileObject(file: StoredFile) {
    return { id: file.id, object: "file", bytes: file.bytes.length, created_at: file.createdAt, filename: file.filename, purpose: file.purpose, status: "processed" };
  }

  async function uploadFile(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = await readBodyBytes(req, MAX_UPLOAD_BYTES);
    if (!raw) return sendError(res, 413, "file too large (the Batch API takes at most 200 MB)");
    let form: FormData;
    try {
      form = await new Response(raw, { headers: { "content-type": req.headers["content-type"] ?? "" } }).formData();
    } catch {
      return sendError(res, 400, "expected a multipart/form-data body with 'purpose' and 'file'");
    }
    const purpose = form.get("purpose");
    const file = form.get("file");
    if (typeof purpose !== "string" || !purpose) return sendError(res, 400, "missing 'purpose'", "purpose");
    if (!(file instanceof Blob)) return sendError(res, 400, "missing 'file'", "file");
    const filename = file instanceof File ? file.name : "upload.jsonl";
    counters.filesUploaded++;
    sendJson(res, 200, fileObject(storeFile(purpose, filename, Buffer.from(await file.arrayBuffer()))));
  }

  // ---- batches -----------------------------------------------------------------------------

  function batchObject(batch: SimBatch) {
    return {
      id: batch.id,
      object: "batch",
      endpoint: batch.endpoint,
      errors: batch.errors.length ? { object: "list", data: batch.errors.map((e) => ({ ...e, param: null })) } : null,
      input_file_id: batch.inputFileId,
      completion_window: "24h",
      status: batch.status,
      output_file_id: batch.outputFileId,
      error_file_id: batch.errorFileId,
      created_at: batch.createdAt,
      in_progress_at: batch.times.in_progress ?? null,
      expires_at: batch.createdAt + 86_400,
      finalizing_at: batch.times.finalizing ?? null,
      completed_at: batch.times.completed ?? null,
      failed_at: batch.times.failed ?? null,
      expired_at: batch.times.expired ?? null,
      cancelling_at: batch.times.cancelling ?? null,
      cancelled_at: batch.times.cancelled ?? null,
      request_counts: batch.counts,
      metadata: batch.metadata,
    };
  }

  async function createBatch(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = await readBodyBytes(req, 1024 * 1024);
    const parsed = CreateBody.safeParse(parseJsonOrUndefined(raw?.toString("utf8") ?? ""));
    if (!parsed.success) return sendError(res, 400, `invalid request body: ${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message}`);
    const body = parsed.data;
    if (body.completion_window !== "24h") return sendError(res, 400, "completion_window must be '24h'", "completion_window");
    if (body.endpoint !== "/v1/chat/completions") return sendError(res, 400, "this simulator batches only /v1/chat/completions", "endpoint");
    const metadataProblem = checkMetadata(body.metadata ?? undefined);
    if (metadataProblem) return sendError(res, 400, metadataProblem, "metadata");
    const file = files.get(body.input_file_id);
    if (!file) return sendError(res, 404, `no file ${body.input_file_id}`, "input_file_id");
    if (file.purpose !== "batch") return sendError(res, 400, `file ${file.id} was uploaded with purpose '${file.purpose}', not 'batch'`, "input_file_id");

    const { lines, errors } = readInputFile(file.bytes, body.endpoint);
    const batch: SimBatch = {
      id: newId("batch"),
      status: "validating",
      endpoint: body.endpoint,
      inputFileId: file.id,
      outputFileId: null,
      errorFileId: null,
      createdAt: now(),
      times: {},
      metadata: body.metadata ?? null,
      lines,
      errors,
      counts: { total: 0, completed: 0, failed: 0 },
      output: [],
      errorLines: [],
    };
    batches.set(batch.id, batch);
    counters.batchesCreated++;
    recordSubmissions(batch);
    later(phaseMs, () => validate(batch));
    sendJson(res, 200, batchObject(batch));
  }

  function checkMetadata(metadata: Record<string, string> | undefined): string | undefined {
    if (!metadata) return undefined;
    const entries = Object.entries(metadata);
    if (entries.length > 16) return "metadata holds at most 16 pairs";
    const bad = entries.find(([key, value]) => key.length > 64 || value.length > 512);
    return bad ? `metadata key '${bad[0]}': keys are at most 64 characters, values at most 512` : undefined;
  }

  /** The documented input rules: JSON lines, unique custom_id, POST to the batch's endpoint, one model. */
  function readInputFile(bytes: Buffer, endpoint: string): { lines: SimLine[]; errors: SimBatch["errors"] } {
    const lines: SimLine[] = [];
    const errors: SimBatch["errors"] = [];
    const seen = new Set<string>();
    let model: unknown;
    bytes
      .toString("utf8")
      .split("\n")
      .forEach((text, index) => {
        if (text.trim() === "") return;
        const line = InputLineShape.safeParse(parseJsonOrUndefined(text));
        const at = index + 1;
        if (!line.success) return errors.push({ code: "invalid_json_line", message: "not a batch request line", line: at });
        const { custom_id: customId, method, url, body } = line.data;
        if (seen.has(customId)) return errors.push({ code: "duplicate_custom_id", message: `custom_id '${customId}' appears twice`, line: at });
        if (method !== "POST" || url !== endpoint) return errors.push({ code: "invalid_url", message: `expected POST ${endpoint}`, line: at });
        model ??= body.model;
        if (body.model !== model) return errors.push({ code: "mismatched_model", message: "every line of a batch must use the same model", line: at });
        seen.add(customId);
        lines.push({ customId, body, submission: 0 });
      });
    if (lines.length > MAX_LINES) errors.push({ code: "too_many_requests", message: `at most ${MAX_LINES} requests per batch`, line: null });
    if (lines.length === 0 && errors.length === 0) errors.push({ code: "empty_file", message: "the input file holds no requests", line: null });
    return { lines, errors };
  }

  function recordSubmissions(batch: SimBatch): void {
    for (const line of batch.lines) {
      const history = submissions.get(line.customId) ?? [];
      if (history.some((outcome) => outcome === "pending" || outcome === "completed")) counters.needlessResubmissions++;
      line.submission = history.length;
      history.push("pending");
      submissions.set(line.customId, history);
      counters.linesSubmitted++;
    }
  }

  function setOutcome(line: SimLine, outcome: LineOutcome): void {
    const history = submissions.get(line.customId);
    if (history) history[line.submission] = outcome;
  }

  function validate(batch: SimBatch): void {
    if (batch.status !== "validating") return;
    if (batch.errors.length > 0) {
      batch.status = "failed";
      batch.times.failed = now();
      for (const line of batch.lines) setOutcome(line, "rejected");
      return;
    }
    batch.status = "in_progress";
    batch.times.in_progress = now();
    batch.counts.total = batch.lines.length;
    const started = Date.now();
    void processLines(batch).then(() => later(Math.max(0, phaseMs - (Date.now() - started)), () => finishProcessing(batch)));
  }

  async function processLines(batch: SimBatch): Promise<void> {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < batch.lines.length && batch.status === "in_progress") {
        const line = batch.lines[next++]!;
        const fate = createRng(deriveSeed(options.seed, "batch-line", line.customId, line.submission)).next();
        if (fate < options.expireRate) continue; // left for the expiry
        if (fate < options.expireRate + options.failRate) {
          failLine(batch, line, 500, { error: { message: "simulated batch line failure (test double)", type: "server_error", code: null } });
          continue;
        }
        const { status, body } = await answerLine(line);
        if (status === 200) {
          batch.output.push({ id: `batch_req_${line.customId.slice(0, 16)}_${line.submission}`, custom_id: line.customId, response: { status_code: 200, request_id: `req-sim-${nextId++}`, body }, error: null });
          batch.counts.completed++;
          setOutcome(line, "completed");
        } else {
          failLine(batch, line, status, body);
        }
      }
    };
    await Promise.all(Array.from({ length: LINE_CONCURRENCY }, worker));
  }

  function failLine(batch: SimBatch, line: SimLine, status: number, body: unknown): void {
    batch.errorLines.push({ id: `batch_req_${line.customId.slice(0, 16)}_${line.submission}`, custom_id: line.customId, response: { status_code: status, request_id: `req-sim-${nextId++}`, body }, error: null });
    batch.counts.failed++;
    counters.linesFailed++;
    setOutcome(line, "failed");
  }

  async function answerLine(line: SimLine): Promise<{ status: number; body: unknown }> {
    try {
      const response = await fetch(options.chatUrl(), {
        method: "POST",
        headers: { "content-type": "application/json", ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}) },
        body: JSON.stringify(line.body),
        signal: AbortSignal.timeout(LINE_TIMEOUT_MS),
      });
      return { status: response.status, body: parseJsonOrUndefined(await response.text()) ?? null };
    } catch {
      return { status: 500, body: { error: { message: "the simulator's chat endpoint did not answer (test double)", type: "server_error", code: null } } };
    }
  }

  /** Lines never processed end in the error file with the reason their batch gives. */
  function closeUnprocessed(batch: SimBatch, outcome: "expired" | "cancelled"): void {
    const done = new Set<string>();
    for (const line of [...batch.output, ...batch.errorLines]) done.add((line as { custom_id: string }).custom_id);
    const code = outcome === "expired" ? "batch_expired" : "batch_cancelled";
    const message = outcome === "expired" ? "This request could not be executed before the completion window expired." : "This request was not executed because the batch was cancelled.";
    for (const line of batch.lines) {
      if (done.has(line.customId)) continue;
      batch.errorLines.push({ id: `batch_req_${line.customId.slice(0, 16)}_${line.submission}`, custom_id: line.customId, response: null, error: { code, message } });
      setOutcome(line, outcome);
      if (outcome === "expired") counters.linesExpired++;
    }
  }

  function writeResultFiles(batch: SimBatch): void {
    const rng = createRng(deriveSeed(options.seed, "batch-output-order", batch.id));
    const jsonl = (values: unknown[]) => Buffer.from(values.map((v) => `${JSON.stringify(v)}\n`).join(""), "utf8");
    if (batch.output.length) batch.outputFileId = storeFile("batch_output", `${batch.id}_output.jsonl`, jsonl(shuffled(batch.output, rng))).id;
    if (batch.errorLines.length) batch.errorFileId = storeFile("batch_output", `${batch.id}_error.jsonl`, jsonl(shuffled(batch.errorLines, rng))).id;
  }

  function finishProcessing(batch: SimBatch): void {
    if (batch.status !== "in_progress") return;
    const processed = batch.counts.completed + batch.counts.failed;
    if (processed < batch.lines.length) {
      closeUnprocessed(batch, "expired");
      writeResultFiles(batch);
      batch.status = "expired";
      batch.times.expired = now();
      return;
    }
    batch.status = "finalizing";
    batch.times.finalizing = now();
    later(phaseMs, () => {
      writeResultFiles(batch);
      batch.status = "completed";
      batch.times.completed = now();
    });
  }

  function cancelBatch(res: http.ServerResponse, batch: SimBatch): void {
    if (!["validating", "in_progress", "finalizing"].includes(batch.status)) {
      return sendError(res, 400, `cannot cancel a batch whose status is ${batch.status}`);
    }
    batch.status = "cancelling";
    batch.times.cancelling = now();
    later(phaseMs, () => {
      closeUnprocessed(batch, "cancelled");
      writeResultFiles(batch);
      batch.status = "cancelled";
      batch.times.cancelled = now();
    });
    sendJson(res, 200, batchObject(batch));
  }

  function listBatches(res: http.ServerResponse, query: URLSearchParams): void {
    const limit = Math.min(100, Math.max(1, Number(query.get("limit") ?? 20) || 20));
    const newestFirst = [...batches.values()].reverse();
    const after = query.get("after");
    const start = after ? newestFirst.findIndex((b) => b.id === after) + 1 : 0;
    const page = newestFirst.slice(start, start + limit);
    sendJson(res, 200, {
      object: "list",
      data: page.map(batchObject),
      first_id: page[0]?.id ?? null,
      last_id: page[page.length - 1]?.id ?? null,
      has_more: start + limit < newestFirst.length,
    });
  }

  // ---- routing -----------------------------------------------------------------------------

  async function route(req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<void> {
    if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      return sendError(res, 401, "Incorrect API key provided (simulator).", null, "invalid_api_key");
    }
    const query = new URL(req.url ?? "/", "http://localhost").searchParams;
    const [, , kind, id, action] = path.split("/"); // "", "v1", "files"|"batches", id, action
    if (kind === "files") {
      if (req.method === "POST" && !id) return uploadFile(req, res);
      const file = id ? files.get(id) : undefined;
      if (req.method === "GET" && id && !file) return sendError(res, 404, `no file ${id}`);
      if (req.method === "GET" && file && !action) return sendJson(res, 200, fileObject(file));
      if (req.method === "GET" && file && action === "content") {
        res.writeHead(200, { "content-type": "application/octet-stream", "content-length": file.bytes.length });
        res.end(file.bytes);
        return;
      }
    } else {
      if (req.method === "POST" && !id) return createBatch(req, res);
      if (req.method === "GET" && !id) return listBatches(res, query);
      const batch = id ? batches.get(id) : undefined;
      if (id && !batch) return sendError(res, 404, `no batch ${id}`);
      if (req.method === "GET" && batch && !action) return sendJson(res, 200, batchObject(batch));
      if (req.method === "POST" && batch && action === "cancel") return cancelBatch(res, batch);
    }
    sendError(res, 404, `no route ${req.method} ${path} on the simulator (test double)`);
  }

  return {
    handle(req, res, path) {
      if (!/^\/v1\/(files|batches)(\/|$)/.test(path)) return false;
      route(req, res, path).catch((error: unknown) => {
        if (!res.headersSent) sendError(res, 500, `simulator error: ${String(error)}`, null, null, "server_error");
      });
      return true;
    },
    stats() {
      const batchesByStatus: Record<string, number> = {};
      for (const batch of batches.values()) batchesByStatus[batch.status] = (batchesByStatus[batch.status] ?? 0) + 1;
      const record = Object.fromEntries([...submissions].map(([id, outcomes]) => [id, [...outcomes]]));
      const resubmittedIds = [...submissions.values()].filter((outcomes) => outcomes.length > 1).length;
      return { ...counters, batchesByStatus, resubmittedIds, submissions: record };
    },
    reset() {
      submissions = new Map();
      counters = { filesUploaded: 0, batchesCreated: 0, linesSubmitted: 0, linesFailed: 0, linesExpired: 0, needlessResubmissions: 0 };
    },
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const batch of batches.values()) if (!["completed", "failed", "expired", "cancelled"].includes(batch.status)) batch.status = "cancelled";
    },
  };
}

function sendError(res: http.ServerResponse, status: number, message: string, param: string | null = null, code: string | null = null, type = "invalid_request_error"): void {
  sendJson(res, status, { error: { message, type, param, code } });
}

