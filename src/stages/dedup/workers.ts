/**
 * Chunk preparation on N worker threads, answers handed back in the order asked for. With one
 * thread (or when the worker file is missing, as when running the TypeScript sources) the same
 * `ChunkPreparer` runs in-thread, so the results are identical either way.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { UserError } from "../../errors.js";
import { ChunkPreparer, type ChunkInput, type PrepareSettings, type PreparedChunk } from "./prepare.js";

export interface WorkerRequest {
  id: number;
  input: ChunkInput;
}

export type WorkerReply = { id: number; chunk: PreparedChunk } | { id: number; error: string; userError: boolean };

interface Pending {
  resolve: (chunk: PreparedChunk) => void;
  reject: (error: Error) => void;
}

const WORKER_FILE = new URL("./worker.js", import.meta.url);

export interface Preparer {
  /** Prepare a chunk; bytes given are transferred to the worker (the caller must not reuse them). */
  prepare(input: ChunkInput): Promise<PreparedChunk>;
  close(): Promise<void>;
}

/** `threads` ≤ 1 (or no built worker file): in-thread. */
export function createPreparer(settings: PrepareSettings, threads: number): Preparer {
  if (threads <= 1 || !existsSync(fileURLToPath(WORKER_FILE))) return new InThreadPreparer(settings);
  return new WorkerPool(settings, threads);
}

class InThreadPreparer implements Preparer {
  private readonly preparer: ChunkPreparer;

  constructor(settings: PrepareSettings) {
    this.preparer = new ChunkPreparer(settings);
  }

  prepare(input: ChunkInput): Promise<PreparedChunk> {
    try {
      return Promise.resolve(this.preparer.prepare(input));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

class WorkerPool implements Preparer {
  private readonly workers: Worker[];
  private readonly busy: number[];
  private readonly pending = new Map<number, Pending & { worker: number }>();
  private nextId = 0;
  private failure: Error | undefined;

  constructor(settings: PrepareSettings, threads: number) {
    this.workers = Array.from({ length: threads }, (_, index) => this.start(settings, index));
    this.busy = this.workers.map(() => 0);
  }

  prepare(input: ChunkInput): Promise<PreparedChunk> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    // The least busy worker; ties to the lowest index.
    const worker = this.busy.indexOf(Math.min(...this.busy));
    this.busy[worker]!++;
    const request: WorkerRequest = { id, input };
    const transfer = "bytes" in input ? [input.bytes.buffer as ArrayBuffer] : [];
    return new Promise<PreparedChunk>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker });
      this.workers[worker]!.postMessage(request, transfer);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  private start(settings: PrepareSettings, index: number): Worker {
    const worker = new Worker(WORKER_FILE, { workerData: settings });
    worker.on("message", (reply: WorkerReply) => this.settle(reply));
    worker.on("error", (error) => this.fail(new Error(`dedup worker ${index} failed: ${error.message}`)));
    worker.on("exit", (code) => {
      if (code !== 0) this.fail(new Error(`dedup worker ${index} exited with code ${code}`));
    });
    return worker;
  }

  private settle(reply: WorkerReply): void {
    const pending = this.pending.get(reply.id);
    if (pending === undefined) return;
    this.pending.delete(reply.id);
    this.busy[pending.worker]!--;
    if ("chunk" in reply) pending.resolve(reply.chunk);
    else pending.reject(reply.userError ? new UserError(reply.error) : new Error(reply.error));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}
