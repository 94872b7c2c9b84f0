/**
 * On-disk response cache: a re-run of the same pipeline replays every reply without a single HTTP
 * request. Entries are content-addressed: the key is the sha256 of everything that shapes a reply.
 *
 * Layout: append-only segment files, `cache/replies-<ms>-<pid>-<random>.log`. Each cache instance
 * (one stage in one process) appends to a segment of its own, created on its first write, so no
 * two writers ever share a file. One entry is one frame, written with a single write call:
 *
 *   "IFC1" | payload bytes (u32 LE) | crc32 of key + payload (u32 LE) | key (32 bytes) | payload
 *
 * The payload is the JSON entry `{format, key, model, createdAt, reply}`. Why a log rather than a
 * file per entry: a file per reply cost mkdir/open/write/close/rename in the threadpool for every
 * request (about 0.3 ms of CPU per reply); a frame is one write to an open file.
 *
 * Crash safety without a temp file: a process killed mid-write leaves at most a torn last frame in
 * its own segment; its length runs past the end of the file, so reading stops there and the entry is
 * a miss. A frame whose checksum, key or JSON does not match is a miss too, never a reply: anything
 * unreadable is simply requested again and appended anew. Of several frames of one key, the newest
 * that reads back whole wins (segments are read in name, that is creation, order).
 *
 * Directories written by earlier versions (one `ab/<key>.json` file per entry) are still read.
 */
import { randomBytes } from "node:crypto";
import { closeSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, readSync } from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { z } from "zod";
import { sha256Hex } from "../hash.js";
import { parseJsonOrUndefined } from "../io/json.js";
import { writeAll } from "../io/writeAll.js";
import type { ChatReply, ChatRequest } from "./types.js";

/** Part of every key: changing it invalidates every cached reply. */
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
    // Appended only when set, so the keys of requests without a schema are those of earlier versions.
    ...(request.jsonSchema ? [request.jsonSchema] : []),
  ];
  return sha256Hex(JSON.stringify(identity));
}

/**
 * The sampling seed sent with a request: the first 31 bits of its cache key (never 0). The key
 * covers messages, decoding settings and sampleIndex, so two different requests of a run get
 * different seeds (servers that honour `seed` — llama.cpp, vLLM, Ollama — would otherwise return
 * the same sample to every request sharing one), a retry with a new sampleIndex gets a new seed,
 * and a resumed run sends the very same seed again. 31 bits because llama.cpp reads the seed as
 * an unsigned 32-bit number with 0xFFFFFFFF meaning "random" and others as a signed int; two keys
 * share a seed with odds of about n²/2³² for n requests (1 in 4,000 for 1,000 requests).
 */
export function seedFromKey(key: string): number {
  return Number.parseInt(key.slice(0, 8), 16) % 0x7fffffff || 1;
}

const FRAME_MAGIC = 0x31434649; // "IFC1" read as a little-endian u32
const KEY_BYTES = 32;
const HEADER_BYTES = 4 + 4 + 4 + KEY_BYTES;
const SEGMENT_NAME = /^replies-.*\.log$/;
const LEGACY_SHARD_NAME = /^[0-9a-f]{2}$/;
const KEY_SHAPE = /^[0-9a-f]{64}$/;
/** Bytes read at a time while indexing a segment (frames are a few KB). */
const SCAN_CHUNK_BYTES = 1 << 20;
/** An idle cache closes its segment; the next write reopens it. */
const IDLE_CLOSE_MS = 1000;

interface FrameLocation {
  segment: string;
  /** Byte offset of the frame's header. */
  offset: number;
  payloadBytes: number;
  /** An earlier frame of the same key, tried when this one does not read back whole. */
  older?: FrameLocation;
}

export class ResponseCache {
  private index: Map<string, FrameLocation> | undefined;
  private hasLegacyEntries = false;
  private segment: string | undefined;
  private segmentFd: number | undefined;
  /** Bytes of whole frames in our segment: a failed write is cut back to this. */
  private segmentBytes = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(readonly dir: string) {}

  /** The stored reply, or undefined for a miss (absent, torn, corrupt, or written by another format). */
  get(key: string): CachedReply | undefined {
    for (let location = this.loadedIndex().get(key); location; location = location.older) {
      const reply = readFrame(location, key);
      if (reply) return reply;
    }
    return this.hasLegacyEntries ? readLegacyEntry(this.dir, key) : undefined;
  }

  /** Append one entry. Throws when the disk refuses it; the segment is left holding whole frames only. */
  put(key: string, model: string, reply: Pick<ChatReply, "text" | "finishReason" | "usage">): void {
    if (!KEY_SHAPE.test(key)) throw new Error(`not a cache key: ${key}`);
    const entry = {
      format: FORMAT,
      key,
      model,
      createdAt: new Date().toISOString(),
      reply: { text: reply.text, finishReason: reply.finishReason, usage: reply.usage },
    };
    const frame = encodeFrame(key, JSON.stringify(entry));
    const fd = this.openSegment();
    const offset = this.segmentBytes;
    try {
      writeAll(fd, frame);
    } catch (error) {
      this.cutBackAfterFailedWrite(fd, offset);
      throw error;
    }
    this.segmentBytes += frame.length;
    this.index?.set(key, { segment: this.segment!, offset, payloadBytes: frame.length - HEADER_BYTES, older: this.index.get(key) });
  }

  private loadedIndex(): Map<string, FrameLocation> {
    if (this.index) return this.index;
    const index = new Map<string, FrameLocation>();
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      names = []; // no cache yet, or unreadable: every request is a miss
    }
    for (const name of names.filter((n) => SEGMENT_NAME.test(n)).sort()) {
      for (const { key, location } of scanSegment(path.join(this.dir, name))) index.set(key, { ...location, older: index.get(key) });
    }
    this.hasLegacyEntries = names.some((n) => LEGACY_SHARD_NAME.test(n));
    this.index = index;
    return index;
  }

  private openSegment(): number {
    if (this.segmentFd === undefined) {
      if (this.segment === undefined) {
        mkdirSync(this.dir, { recursive: true });
        this.segment = path.join(this.dir, `replies-${Date.now()}-${process.pid}-${randomBytes(4).toString("hex")}.log`);
      }
      // "a": every write lands at the end; the file is ours alone, so segmentBytes tracks its size.
      this.segmentFd = openSync(this.segment, "a");
    }
    this.idleTimer ??= setTimeout(() => this.closeSegment(), IDLE_CLOSE_MS).unref();
    this.idleTimer.refresh();
    return this.segmentFd;
  }

  private closeSegment(): void {
    if (this.segmentFd !== undefined) closeSync(this.segmentFd);
    this.segmentFd = undefined;
  }

  /** A partial frame must not stay in front of later ones: cut it off, or give up this segment. */
  private cutBackAfterFailedWrite(fd: number, wholeFramesBytes: number): void {
    try {
      ftruncateSync(fd, wholeFramesBytes);
    } catch {
      try {
        closeSync(fd);
      } catch {
        /* already unusable */
      }
      this.segmentFd = undefined;
      this.segment = undefined;
      this.segmentBytes = 0;
    }
  }
}

/** Complete frames in a cache directory, plus entry files of the older layout (for tests and tools). */
export function countCacheEntries(dir: string): number {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  let count = 0;
  for (const name of names) {
    if (SEGMENT_NAME.test(name)) count += scanSegment(path.join(dir, name)).length;
    else if (LEGACY_SHARD_NAME.test(name)) count += readdirSync(path.join(dir, name)).filter((n) => /^[0-9a-f]{64}\.json$/.test(n)).length;
  }
  return count;
}

function encodeFrame(key: string, json: string): Buffer {
  const payloadBytes = Buffer.byteLength(json);
  const frame = Buffer.allocUnsafe(HEADER_BYTES + payloadBytes);
  frame.writeUInt32LE(FRAME_MAGIC, 0);
  frame.writeUInt32LE(payloadBytes, 4);
  frame.write(key, 12, KEY_BYTES, "hex");
  frame.write(json, HEADER_BYTES, payloadBytes, "utf8");
  frame.writeUInt32LE(crc32(frame.subarray(12)), 8);
  return frame;
}

/**
 * Every frame whose bytes are all present, in file order. Stops at the first header that is not a
 * frame (a torn or damaged tail); checksums are checked when an entry is read, not here.
 */
function scanSegment(file: string): Array<{ key: string; location: FrameLocation }> {
  const frames: Array<{ key: string; location: FrameLocation }> = [];
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch {
    return frames;
  }
  try {
    const chunk = Buffer.allocUnsafe(SCAN_CHUNK_BYTES);
    let chunkStart = 0;
    let chunkBytes = readSync(fd, chunk, 0, SCAN_CHUNK_BYTES, 0);
    let offset = 0;
    for (;;) {
      if (offset + HEADER_BYTES > chunkStart + chunkBytes) {
        // The next header is not (wholly) in this chunk: read on from it.
        chunkStart = offset;
        chunkBytes = readSync(fd, chunk, 0, SCAN_CHUNK_BYTES, chunkStart);
        if (chunkBytes < HEADER_BYTES) break;
      }
      const at = offset - chunkStart;
      if (chunk.readUInt32LE(at) !== FRAME_MAGIC) break;
      const payloadBytes = chunk.readUInt32LE(at + 4);
      const end = offset + HEADER_BYTES + payloadBytes;
      if (end > chunkStart + chunkBytes && !fileReaches(fd, end)) break; // torn last frame
      frames.push({ key: chunk.toString("hex", at + 12, at + HEADER_BYTES), location: { segment: file, offset, payloadBytes } });
      offset = end;
    }
  } catch {
    /* unreadable from here on: what was read stays usable */
  } finally {
    closeSync(fd);
  }
  return frames;
}

/** Does the file hold a byte at position `end - 1`? */
function fileReaches(fd: number, end: number): boolean {
  return readSync(fd, Buffer.allocUnsafe(1), 0, 1, end - 1) === 1;
}

function readFrame(location: FrameLocation, key: string): CachedReply | undefined {
  const frameBytes = HEADER_BYTES + location.payloadBytes;
  const frame = Buffer.allocUnsafe(frameBytes);
  let fd: number | undefined;
  try {
    fd = openSync(location.segment, "r");
    if (readSync(fd, frame, 0, frameBytes, location.offset) !== frameBytes) return undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (frame.readUInt32LE(0) !== FRAME_MAGIC || frame.readUInt32LE(4) !== location.payloadBytes) return undefined;
  if (frame.readUInt32LE(8) !== crc32(frame.subarray(12))) return undefined;
  return validEntry(frame.toString("utf8", HEADER_BYTES), key);
}

function readLegacyEntry(dir: string, key: string): CachedReply | undefined {
  try {
    return validEntry(readFileSync(path.join(dir, key.slice(0, 2), `${key}.json`), "utf8"), key);
  } catch {
    return undefined;
  }
}

function validEntry(json: string, key: string): CachedReply | undefined {
  const entry = CacheEntry.safeParse(parseJsonOrUndefined(json));
  return entry.success && entry.data.key === key ? entry.data.reply : undefined;
}

/** zlib.crc32 arrived in Node 20.15; older releases compute the same checksum in JavaScript. */
const crc32: (bytes: Uint8Array) => number = typeof zlib.crc32 === "function" ? (bytes) => zlib.crc32(bytes) : crc32InJavaScript;

let crcTable: Uint32Array | undefined;
function crc32InJavaScript(bytes: Uint8Array): number {
  crcTable ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let crc = 0xffffffff;
  for (const byte of bytes) crc = crcTable[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
