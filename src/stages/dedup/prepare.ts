/**
 * The order-independent half of dedup, for one chunk of records: parse and validate each line,
 * fingerprint the compared text, shingle it and compute its MinHash band keys, and serialise the
 * record as it will be written if kept. Pure (bytes in, typed arrays out), so it runs the same in
 * a worker thread or in-thread; the ordered half (`DuplicateDetector`) only looks things up.
 */
import { isUtf8 } from "node:buffer";
import { z } from "zod";
import { inputError } from "../../errors.js";
import { lineOfFirstInvalidUtf8, parseJsonOrThrow, toItem, type RecordItem } from "../../io/records.js";
import { exactFingerprint } from "../../text/exact.js";
import { LshSketcher, type LshSketch } from "../../text/lsh.js";
import { withRoomUint32 } from "../../text/typedArrays.js";
import { dedupText } from "./text.js";

/** How a chunk is to be prepared: the same for every chunk of a run (and checked when a worker receives it). */
export const PrepareSettings = z.object({
  /** The input's path, for error messages. */
  path: z.string(),
  format: z.enum(["alpaca-json", "alpaca-jsonl", "seed-jsonl", "sharegpt", "openai-messages"]),
  field: z.enum(["record", "instruction"]),
  /** MinHash threshold (0: no sketches). */
  minhash: z.number().min(0).max(1),
  /** Whether the ROUGE-L step needs the instructions. */
  rouge: z.boolean(),
  /** How kept records are written: one JSON line each, or as elements of a pretty-printed array. */
  output: z.enum(["jsonl", "json-array"]),
});
export type PrepareSettings = z.infer<typeof PrepareSettings>;

/** Records as JSONL bytes (whole lines), or entries of a JSON array already split. */
export type ChunkInput = { bytes: Uint8Array; firstLine: number } | { entries: Array<{ line: number; text: string }> };

export interface PreparedChunk {
  count: number;
  /** 1-based line of each record. */
  lines: Int32Array;
  /** JSONL only: each record's line, as byte offsets in the chunk's bytes (start, end). */
  byteRanges: Int32Array;
  /** Exact-match fingerprint of each record's compared text: high, low. */
  fingerprints: Int32Array;
  /** Record i's shingles are shingles[shingleStarts[i] .. shingleStarts[i + 1]). */
  shingleStarts: Int32Array;
  shingles: Uint32Array;
  /** `bands` keys per record. */
  bandKeys: Uint32Array;
  bands: number;
  /** The records as they are written when kept: UTF-8, record i at outputStarts[i] .. outputStarts[i + 1]. */
  output: Uint8Array;
  outputStarts: Int32Array;
  /** The instructions (only when the ROUGE-L step is on). */
  instructions: string[];
  /** Seed-task files only: each record's id. */
  seedIds: string[];
}

/** Everything a chunk needs that is costly to build: one per thread, reused across chunks. */
export class ChunkPreparer {
  private readonly sketcher: LshSketcher | undefined;
  private readonly encoder = new TextEncoder();

  constructor(private readonly settings: PrepareSettings) {
    this.sketcher = settings.minhash > 0 ? new LshSketcher({ threshold: settings.minhash }) : undefined;
  }

  /** Throws a `UserError` naming the file and line of the first bad record. */
  prepare(input: ChunkInput): PreparedChunk {
    const entries = "bytes" in input ? splitLines(this.settings.path, input.bytes, input.firstLine) : input.entries.map((entry) => ({ ...entry, start: 0, end: 0 }));
    const { settings } = this;
    const count = entries.length;
    const bands = this.sketcher?.layout.bands ?? 0;
    const chunk: PreparedChunk = {
      count,
      lines: new Int32Array(count),
      byteRanges: new Int32Array(2 * count),
      fingerprints: new Int32Array(2 * count),
      shingleStarts: new Int32Array(count + 1),
      shingles: new Uint32Array(64 * count),
      bandKeys: new Uint32Array(bands * count),
      bands,
      output: new Uint8Array(0),
      outputStarts: new Int32Array(count + 1),
      instructions: [],
      seedIds: [],
    };
    const serialised: string[] = [];
    entries.forEach((entry, i) => {
      const item = toItem(settings.path, settings.format, { line: entry.line, value: parseJsonOrThrow(settings.path, entry.line, entry.text) });
      chunk.lines[i] = entry.line;
      chunk.byteRanges[2 * i] = entry.start;
      chunk.byteRanges[2 * i + 1] = entry.end;
      const text = dedupText(item.record, settings.field);
      const { high, low } = exactFingerprint(text);
      chunk.fingerprints[2 * i] = high;
      chunk.fingerprints[2 * i + 1] = low;
      this.addSketch(chunk, i, text);
      if (settings.rouge) chunk.instructions.push(item.record.instruction);
      if (item.seedId !== undefined) chunk.seedIds.push(item.seedId);
      serialised.push(serialise(item, settings.output));
    });
    chunk.shingles = chunk.shingles.slice(0, chunk.shingleStarts[count]);
    this.encodeOutput(chunk, serialised);
    return chunk;
  }

  private addSketch(chunk: PreparedChunk, i: number, text: string): void {
    const start = chunk.shingleStarts[i]!;
    if (this.sketcher === undefined) {
      chunk.shingleStarts[i + 1] = start;
      return;
    }
    const shingles = this.sketcher.shingles(text);
    chunk.shingles = withRoomUint32(chunk.shingles, start + shingles.length);
    chunk.shingles.set(shingles, start);
    chunk.shingleStarts[i + 1] = start + shingles.length;
    this.sketcher.bandKeys(shingles, chunk.bandKeys.subarray(i * chunk.bands, (i + 1) * chunk.bands));
  }

  private encodeOutput(chunk: PreparedChunk, serialised: string[]): void {
    const joined = serialised.join("");
    chunk.output = this.encoder.encode(joined);
    // Byte offsets of each record: ASCII records (the common case) have as many bytes as characters.
    let at = 0;
    const ascii = chunk.output.length === joined.length;
    serialised.forEach((text, i) => {
      at += ascii ? text.length : Buffer.byteLength(text, "utf8");
      chunk.outputStarts[i + 1] = at;
    });
  }
}

/** Record i of a prepared chunk as the LSH index takes it (views, no copies). */
export function sketchOf(chunk: PreparedChunk, i: number): LshSketch {
  return {
    shingles: chunk.shingles.subarray(chunk.shingleStarts[i]!, chunk.shingleStarts[i + 1]!),
    bandKeys: chunk.bandKeys.subarray(i * chunk.bands, (i + 1) * chunk.bands),
  };
}

/** The typed arrays of a chunk, to transfer (not copy) to another thread. */
export function transferablesOf(chunk: PreparedChunk): ArrayBuffer[] {
  return [chunk.lines, chunk.byteRanges, chunk.fingerprints, chunk.shingleStarts, chunk.shingles, chunk.bandKeys, chunk.output, chunk.outputStarts].map(
    (array) => array.buffer as ArrayBuffer,
  );
}

/** A kept record's text in the output: a JSON line, or an element of `JSON.stringify(array, null, 2)`. */
function serialise(item: RecordItem, output: PrepareSettings["output"]): string {
  if (output === "jsonl") return `${JSON.stringify(item.raw)}\n`;
  return `  ${JSON.stringify(item.raw, null, 2).replaceAll("\n", "\n  ")}`;
}

/** The non-blank lines of whole-line JSONL bytes, with their line numbers and byte ranges. */
function splitLines(path: string, bytes: Uint8Array, firstLine: number): Array<{ line: number; text: string; start: number; end: number }> {
  if (!isUtf8(bytes)) throw inputError(path, firstLine - 1 + lineOfFirstInvalidUtf8(bytes), "not valid UTF-8; re-save the file as UTF-8 (e.g. `iconv -f GBK -t UTF-8`)");
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const lines: Array<{ line: number; text: string; start: number; end: number }> = [];
  let line = firstLine;
  for (let start = 0; start < buffer.length; line++) {
    let end = buffer.indexOf(0x0a, start);
    if (end < 0) end = buffer.length;
    const text = buffer.toString("utf8", start, end).trim();
    if (text !== "") lines.push({ line, text, start, end });
    start = end + 1;
  }
  return lines;
}
