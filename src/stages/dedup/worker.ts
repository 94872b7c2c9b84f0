/**
 * Worker-thread entry of the dedup preparation: receives chunks, answers with `PreparedChunk`s
 * (typed arrays transferred, not copied). Pure work only: no files, no decisions.
 */
import { parentPort, workerData } from "node:worker_threads";
import { UserError } from "../../errors.js";
import { ChunkPreparer, PrepareSettings, transferablesOf, type ChunkInput } from "./prepare.js";
import type { WorkerReply, WorkerRequest } from "./workers.js";

const port = parentPort;
if (port === null) throw new Error("dedup worker: must run in a worker thread");
const preparer = new ChunkPreparer(PrepareSettings.parse(workerData));

port.on("message", ({ id, input }: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    const chunk = preparer.prepare(input satisfies ChunkInput);
    reply = { id, chunk };
    port.postMessage(reply, transferablesOf(chunk));
  } catch (error) {
    reply = { id, error: error instanceof Error ? error.message : String(error), userError: error instanceof UserError };
    port.postMessage(reply);
  }
});
