/**
 * ROUGE-L for streamed dedup, on two threads. The kept instructions are split by token count
 * between two shards (`RougeIndex`es: even counts here, odd ones on a worker when there are two
 * threads). A chunk of instructions is tokenized once, checked against both shards at once, each
 * answering for its own lengths, and then decided in input order (`ChunkedRouge`): against what
 * was kept before the chunk (the shards' answer) and, when that finds nothing, against what the
 * chunk itself kept before it (a small index of its own). Both halves are exact, so the
 * keep/drop decisions are those of one filter over everything in order; and since both shards
 * exist whatever the thread count, so is every reported witness.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { z } from "zod";
import { RougeIndex } from "../../text/rougeIndex.js";
import { tokenize, Vocabulary } from "../../text/tokenize.js";

/** A kept text scoring above the threshold: its id (kept position) and score. */
export interface ShardHit {
  id: number;
  score: number;
}

const SHARDS = 2;

/** Token-id texts end to end: text i is tokens[starts[i] .. starts[i + 1]). */
const PackedTexts = z.object({ tokens: z.instanceof(Int32Array), starts: z.instanceof(Int32Array) });
type PackedTexts = z.infer<typeof PackedTexts>;

/** What the worker shard is sent per chunk: the kept texts to add first (with their ids), then the texts to check. */
export const ShardRequest = z.object({ add: PackedTexts, addIds: z.instanceof(Int32Array), check: PackedTexts });
export type ShardRequest = z.infer<typeof ShardRequest>;

/** The worker's answer, one entry per checked text (id -1: none found). */
export const ShardReply = z.union([z.object({ ids: z.instanceof(Int32Array), scores: z.instanceof(Float64Array) }), z.object({ error: z.string() })]);
export type ShardReply = z.infer<typeof ShardReply>;

/** One shard: the kept texts whose token count is `which` modulo SHARDS. */
export class RougeShard {
  private readonly index: RougeIndex;
  private readonly ids: number[] = [];

  constructor(
    threshold: number,
    private readonly which: number,
  ) {
    this.index = new RougeIndex(threshold, { share: 1 / SHARDS });
  }

  /** Is a text of these tokens this shard's? */
  holds(tokens: Int32Array): boolean {
    return tokens.length % SHARDS === this.which;
  }

  add(tokens: Int32Array, id: number): void {
    if (!this.holds(tokens)) return;
    this.index.add(tokens);
    this.ids.push(id);
  }

  check(tokens: Int32Array): ShardHit | undefined {
    const found = this.index.firstAbove(tokens);
    return found && { id: this.ids[found.index]!, score: found.score };
  }
}

export function pack(texts: readonly Int32Array[]): PackedTexts {
  const starts = new Int32Array(texts.length + 1);
  texts.forEach((text, i) => (starts[i + 1] = starts[i]! + text.length));
  const tokens = new Int32Array(starts[texts.length]!);
  texts.forEach((text, i) => tokens.set(text, starts[i]!));
  return { tokens, starts };
}

export function unpack({ tokens, starts }: PackedTexts): Int32Array[] {
  return Array.from({ length: starts.length - 1 }, (_, i) => tokens.subarray(starts[i]!, starts[i + 1]!));
}

export interface RougeShards {
  /** For each text, a kept text above the threshold among those added before this call. */
  check(texts: readonly Int32Array[]): Promise<Array<ShardHit | undefined>>;
  /** Add a kept text (ids in kept order). */
  add(tokens: Int32Array, id: number): void;
  close(): Promise<void>;
}

const WORKER_FILE = new URL("./rougeWorker.js", import.meta.url);

/** Shard 0 here, shard 1 on a worker thread when `threads` ≥ 2 and the worker is built; else both here. */
export function createRougeShards(threshold: number, threads: number): RougeShards {
  if (threads < 2 || !existsSync(fileURLToPath(WORKER_FILE))) return new InThreadShards(threshold);
  return new WorkerShards(threshold);
}

/** The hit reported when both shards found one: the higher score, then the earlier kept text. */
function preferred(a: ShardHit | undefined, b: ShardHit | undefined): ShardHit | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  return b.score > a.score || (b.score === a.score && b.id < a.id) ? b : a;
}

class InThreadShards implements RougeShards {
  private readonly shards: RougeShard[];

  constructor(threshold: number) {
    this.shards = Array.from({ length: SHARDS }, (_, which) => new RougeShard(threshold, which));
  }

  check(texts: readonly Int32Array[]): Promise<Array<ShardHit | undefined>> {
    return Promise.resolve(texts.map((text) => this.shards.map((shard) => shard.check(text)).reduce(preferred)));
  }

  add(tokens: Int32Array, id: number): void {
    for (const shard of this.shards) shard.add(tokens, id);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * Shard 0 here, shard 1 on a worker. Adds are queued and applied by both at the next check, while
 * the other thread works too (the decisions between checks are this thread's alone).
 */
class WorkerShards implements RougeShards {
  private readonly local: RougeShard;
  private readonly worker: Worker;
  private added: Int32Array[] = [];
  private addedIds: number[] = [];
  private addedHere: Int32Array[] = [];
  private addedIdsHere: number[] = [];
  private waiting: { resolve: (reply: ShardReply) => void; reject: (error: Error) => void } | undefined;
  private failure: Error | undefined;

  constructor(threshold: number) {
    this.local = new RougeShard(threshold, 0);
    this.worker = new Worker(WORKER_FILE, { workerData: { threshold } });
    this.worker.on("message", (message: unknown) => this.settle(message));
    this.worker.on("error", (error) => this.fail(new Error(`ROUGE-L worker failed: ${error.message}`)));
    this.worker.on("exit", (code) => {
      if (code !== 0) this.fail(new Error(`ROUGE-L worker exited with code ${code}`));
    });
  }

  async check(texts: readonly Int32Array[]): Promise<Array<ShardHit | undefined>> {
    if (this.failure) throw this.failure;
    const request: ShardRequest = { add: pack(this.added), addIds: Int32Array.from(this.addedIds), check: pack(texts) };
    this.added = [];
    this.addedIds = [];
    const answered = new Promise<ShardReply>((resolve, reject) => (this.waiting = { resolve, reject }));
    this.worker.postMessage(request, [request.add.tokens.buffer, request.add.starts.buffer, request.addIds.buffer, request.check.tokens.buffer, request.check.starts.buffer]);
    // While the worker adds and checks its half:
    this.addedHere.forEach((tokens, i) => this.local.add(tokens, this.addedIdsHere[i]!));
    this.addedHere = [];
    this.addedIdsHere = [];
    const here = texts.map((text) => this.local.check(text));
    const reply = await answered;
    if ("error" in reply) throw new Error(`ROUGE-L worker: ${reply.error}`);
    return here.map((hit, i) => preferred(hit, reply.ids[i]! < 0 ? undefined : { id: reply.ids[i]!, score: reply.scores[i]! }));
  }

  add(tokens: Int32Array, id: number): void {
    const here = this.local.holds(tokens); // the worker's shard holds the others
    (here ? this.addedHere : this.added).push(tokens);
    (here ? this.addedIdsHere : this.addedIds).push(id);
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }

  private settle(message: unknown): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    const reply = ShardReply.safeParse(message);
    if (!reply.success) this.fail(new Error(`ROUGE-L worker sent an unexpected reply: ${reply.error.message}`));
    else waiting?.resolve(reply.data);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.waiting?.reject(error);
    this.waiting = undefined;
  }
}

/** A kept instruction scoring above the threshold. */
export interface RougeWitness extends ShardHit {
  text: string;
}

/**
 * The ordered half, chunk by chunk: `begin` tokenizes a chunk and checks it against what was
 * kept before it (both shards at once); `find` then decides its texts in order, falling back to
 * the texts the chunk kept before (`keep`).
 */
export class ChunkedRouge {
  private readonly vocabulary = new Vocabulary();
  /** Kept instructions by id, for the witness reported. */
  private readonly texts: string[] = [];
  private chunkTokens: Int32Array[] = [];
  private againstKept: Array<ShardHit | undefined> = [];
  /** What the current chunk kept so far (a fresh index per chunk). */
  private local: RougeIndex;
  private localIds: number[] = [];

  constructor(
    private readonly shards: RougeShards,
    private readonly threshold: number,
  ) {
    this.local = new RougeIndex(threshold);
  }

  /** Tokenize a chunk's instructions (undefined: none) and check them against everything kept so far. */
  async begin(instructions: ReadonlyArray<string | undefined>): Promise<void> {
    this.chunkTokens = instructions.map((text) => this.tokenIds(text ?? ""));
    this.againstKept = await this.shards.check(this.chunkTokens);
    this.local = new RougeIndex(this.threshold);
    this.localIds = [];
  }

  /** The chunk's text at `at`: a kept text above the threshold from before the chunk, else from earlier in it. */
  find(at: number): RougeWitness | undefined {
    let hit = this.againstKept[at];
    if (hit === undefined) {
      const found = this.local.firstAbove(this.chunkTokens[at]!);
      hit = found && { id: this.localIds[found.index]!, score: found.score };
    }
    return hit && { ...hit, text: this.texts[hit.id]! };
  }

  /** Keep the chunk's text at `at` (or, before any chunk, a seed's `instruction`) as kept record `id`. */
  keep(id: number, instruction: string, at?: number): void {
    this.texts[id] = instruction;
    if (at === undefined) {
      this.shards.add(this.tokenIds(instruction), id); // a seed: the next chunk's check sees it
      return;
    }
    const tokens = this.chunkTokens[at]!;
    this.local.add(tokens);
    this.localIds.push(id);
    this.shards.add(tokens, id);
  }

  close(): Promise<void> {
    return this.shards.close();
  }

  /** Token ids, interned (a token only queries ever had matches nothing, as an unknown one would). */
  private tokenIds(text: string): Int32Array {
    return this.vocabulary.encodeAscii(text, true) ?? this.vocabulary.encode(tokenize(text));
  }
}
