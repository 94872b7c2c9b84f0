/**
 * On-disk response cache: a re-run of the same pipeline replays every reply without a single HTTP
 * request. Entries are content-addressed (sha256 of everything that shapes a reply), one JSON file
 * each under 256 shard directories (`ab/abcdef….json`) so no directory grows huge.
 *
 * Writes go to a temp file that is then renamed: a crash mid-write leaves at worst a stray temp
 * file, never a half-written entry under the real name. Anything unreadable is simply a miss.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import type { ChatReply, ChatRequest } from "./types.js";

const FORMAT = "instructforge-llm-cache/1";

const CachedReply = z.object({
  text: z.string(),
  finishReason: z.enum(["stop", "length", "content_filter", "tool_calls", "function_call", "unknown"]),
  usage: z.object({ promptTokens: z.number().nonnegative(), completionTokens: z.number().nonnegative() }),
});
export type CachedReply = z.infer<typeof CachedReply>;

const CacheEntry = z.object({
  format: z.literal(FORMAT),
  key: z.string(),
  model: z.string(),
  createdAt: z.string(),
  reply: CachedReply,
});

/** Everything that can change a reply, in a fixed order; `null` stands for "not set". */
export function cacheKey(model: string, request: ChatRequest): string {
  const identity = [
    FORMAT,
    model,
    request.messages.map((m) => [m.role, m.content]),
    request.temperature ?? null,
    request.top_p ?? null,
    request.max_tokens ?? null,
    request.stop ?? null,
    request.json ?? false,
    request.sampleIndex ?? 0,
  ];
  return createHash("sha256").update(JSON.stringify(identity)).digest("hex");
}

export class ResponseCache {
  private readonly createdShards = new Set<string>();

  constructor(readonly dir: string) {}

  private fileFor(key: string): { shard: string; file: string } {
    const shard = path.join(this.dir, key.slice(0, 2));
    return { shard, file: path.join(shard, `${key}.json`) };
  }

  /** The stored reply, or undefined for a miss (absent, corrupt, or written by another format). */
  async get(key: string): Promise<CachedReply | undefined> {
    let raw: string;
    try {
      raw = await readFile(this.fileFor(key).file, "utf8");
    } catch {
      return undefined;
    }
    const entry = CacheEntry.safeParse(parseJsonOrUndefined(raw));
    return entry.success && entry.data.key === key ? entry.data.reply : undefined;
  }

  async put(key: string, model: string, reply: Pick<ChatReply, "text" | "finishReason" | "usage">): Promise<void> {
    const { shard, file } = this.fileFor(key);
    if (!this.createdShards.has(shard)) {
      await mkdir(shard, { recursive: true });
      this.createdShards.add(shard);
    }
    const entry = {
      format: FORMAT,
      key,
      model,
      createdAt: new Date().toISOString(),
      reply: { text: reply.text, finishReason: reply.finishReason, usage: reply.usage },
    };
    // Unique temp name: concurrent writers of the same key never share a temp file.
    const temp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    try {
      await writeFile(temp, JSON.stringify(entry));
      await rename(temp, file);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }
}

function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
