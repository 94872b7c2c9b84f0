/**
 * Worker-thread entry of the second ROUGE-L shard (`rougeShards.ts`): adds the kept texts it is
 * sent, checks the chunk against its shard, answers with the hit found for each text.
 */
import { parentPort, workerData } from "node:worker_threads";
import { z } from "zod";
import { RougeShard, ShardRequest, unpack, type ShardReply } from "./rougeShards.js";

const port = parentPort;
if (port === null) throw new Error("ROUGE-L worker: must run in a worker thread");
const shard = new RougeShard(z.object({ threshold: z.number() }).parse(workerData).threshold, 1);

port.on("message", (message: unknown) => {
  let reply: ShardReply;
  try {
    const request = ShardRequest.parse(message);
    unpack(request.add).forEach((tokens, i) => shard.add(tokens, request.addIds[i]!));
    const texts = unpack(request.check);
    const ids = new Int32Array(texts.length).fill(-1);
    const scores = new Float64Array(texts.length);
    texts.forEach((tokens, i) => {
      const hit = shard.check(tokens);
      if (hit === undefined) return;
      ids[i] = hit.id;
      scores[i] = hit.score;
    });
    reply = { ids, scores };
    port.postMessage(reply, [ids.buffer, scores.buffer]);
  } catch (error) {
    reply = { error: error instanceof Error ? error.message : String(error) };
    port.postMessage(reply);
  }
});
