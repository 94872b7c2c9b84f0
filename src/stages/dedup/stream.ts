/**
 * `dedupFile`: the dedup stage over a record file of any size. JSONL is read a megabyte at a time;
 * chunks are prepared (parsed, fingerprinted, shingled, MinHashed) on worker threads and decided
 * in input order by one `DuplicateDetector`, and kept records are written as they are decided.
 * Memory is the index (a few hundred bytes per kept record) plus a few chunks in flight, not the
 * input. Decisions and output bytes do not depend on the number of threads.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { UserError } from "../../errors.js";
import { AtomicStreamWriter } from "../../io/atomicStream.js";
import {
  emptyFileError,
  jsonArrayElements,
  lineFormatOf,
  parseJsonOrThrow,
  readUtf8Text,
  toItem,
  type RecordFile,
  type RecordFormat,
  type RecordItem,
} from "../../io/records.js";
import type { RejectedRecord } from "../../schemas.js";
import { DuplicateDetector, type DedupMethod, type Duplicate } from "./detector.js";
import { DiskShingleStore } from "./diskShingles.js";
import { recordPreparer } from "./index.js";
import { sketchOf, type ChunkInput, type PrepareSettings, type PreparedChunk } from "./prepare.js";
import { withRoomFloat64, withRoomInt32 } from "../../text/typedArrays.js";
import { dedupText, type DedupField } from "./text.js";
import { createPreparer } from "./workers.js";

export interface DedupFileOptions {
  in: string;
  out: string;
  /** Write dropped records here (JSONL, each with the kept record it duplicates). */
  rejected?: string;
  rougeL: number;
  minhash: number;
  field: DedupField;
  seeds?: RecordFile;
  /** Worker threads preparing chunks; 1 = all in this thread. Same output either way. */
  threads: number;
  /** Keep the LSH index's shingles in a temp file instead of memory (inputs of many millions of records). */
  shinglesOnDisk?: boolean;
  /** Called after each chunk is decided. */
  onProgress?: (progress: DedupProgress) => void;
}

export interface DedupProgress {
  records: number;
  kept: number;
  dropped: number;
  bytesRead: number;
  totalBytes: number;
}

export interface DedupSummary extends DedupProgress {
  format: RecordFormat;
  byMethod: Record<DedupMethod, number>;
}

const BLOCK_BYTES = 1 << 20;
const ARRAY_CHUNK_RECORDS = 2000;

/** A chunk as read, before preparation: where its records are, for reading one back later. */
interface SourceChunk {
  input: ChunkInput;
  /** JSONL: file offset of the chunk's first byte. JSON array: index of its first element. */
  base: number;
  bytesRead: number;
}

export async function dedupFile(options: DedupFileOptions): Promise<DedupSummary> {
  const source = await openSource(options.in);
  try {
    return await dedupSource(source, options);
  } finally {
    source.close();
  }
}

async function dedupSource(source: Source, options: DedupFileOptions): Promise<DedupSummary> {
  const shingleStore = options.shinglesOnDisk && options.minhash > 0 ? new DiskShingleStore() : undefined;
  // An input of one chunk or less gains nothing from workers (each costs ~0.1 s to start); same output either way.
  const threads = source.totalBytes <= BLOCK_BYTES ? 1 : options.threads;
  const detector = new DuplicateDetector({ rougeL: options.rougeL, minhash: options.minhash, shingleStore, rougeThreads: threads });
  const settings: PrepareSettings = {
    path: options.in,
    format: source.format,
    field: options.field,
    minhash: options.minhash,
    rouge: detector.usesRouge,
    output: source.format === "alpaca-json" ? "json-array" : "jsonl",
  };
  const preparer = createPreparer(settings, threads);
  const sink = new DedupSink(source, options, detector);
  try {
    const inFlight: Array<{ chunk: Promise<PreparedChunk>; source: SourceChunk }> = [];
    const maxInFlight = 2 * Math.max(1, options.threads) + 1;
    for (const chunk of source.chunks()) {
      const prepared = preparer.prepare(chunk.input);
      prepared.catch(() => undefined); // awaited in order below; this only stops an early unhandled rejection
      inFlight.push({ chunk: prepared, source: chunk });
      if (inFlight.length >= maxInFlight) await sink.consume(inFlight.shift()!);
    }
    while (inFlight.length > 0) await sink.consume(inFlight.shift()!);
    return sink.commit();
  } catch (error) {
    sink.abort();
    throw error;
  } finally {
    await preparer.close();
    await detector.close();
    if (shingleStore instanceof DiskShingleStore) shingleStore.close();
  }
}

/** Where a kept record came from, by detector position (seeds first), for the rejected file. */
interface KeptPlaces {
  base: Float64Array;
  length: Int32Array;
  line: Int32Array;
}

/** The ordered end: decisions, the kept output, the rejected file, the counts. */
class DedupSink {
  private readonly out: AtomicStreamWriter;
  private readonly rejected: AtomicStreamWriter | undefined;
  private readonly seedCount: number;
  private readonly seenSeedIds = new Map<string, number>();
  private places: KeptPlaces | undefined;
  private readonly summary: DedupSummary;

  constructor(
    private readonly source: Source,
    private readonly options: DedupFileOptions,
    private readonly detector: DuplicateDetector,
  ) {
    const seeds = options.seeds?.items ?? [];
    const prepare = recordPreparer(options.field, options.minhash, detector.usesRouge);
    for (const seed of seeds) detector.keep(prepare(seed.record));
    this.seedCount = seeds.length;
    this.summary = { format: source.format, records: 0, kept: 0, dropped: 0, bytesRead: 0, totalBytes: source.totalBytes, byMethod: { exact: 0, minhash: 0, "rouge-l": 0 } };
    this.out = new AtomicStreamWriter(options.out);
    this.rejected = options.rejected === undefined ? undefined : new AtomicStreamWriter(options.rejected);
    if (this.rejected) this.places = { base: new Float64Array(1024), length: new Int32Array(1024), line: new Int32Array(1024) };
    if (source.format === "alpaca-json") this.out.write("[");
  }

  async consume({ chunk: pending, source }: { chunk: Promise<PreparedChunk>; source: SourceChunk }): Promise<void> {
    const chunk = await pending;
    const { detector, summary } = this;
    if (summary.records === 0 && chunk.count > 0) detector.reserve(this.seedCount + expectedRecords(chunk.count, source.bytesRead, this.source.totalBytes));
    if (detector.usesRouge) await detector.beginChunk(chunk.instructions);
    for (let i = 0; i < chunk.count; i++) {
      if (chunk.seedIds.length > 0) this.checkSeedId(chunk.seedIds[i]!, chunk.lines[i]!);
      const input = {
        high: chunk.fingerprints[2 * i]!,
        low: chunk.fingerprints[2 * i + 1]!,
        sketch: detector.usesMinhash ? sketchOf(chunk, i) : undefined,
        instruction: detector.usesRouge ? chunk.instructions[i] : undefined,
      };
      const duplicate = detector.find(input, i);
      if (duplicate === undefined) {
        const position = detector.keep(input, i);
        this.writeKept(chunk, i);
        this.remember(position, chunk, i, source);
        summary.kept++;
      } else {
        summary.dropped++;
        summary.byMethod[duplicate.method]++;
        this.rejected?.write(this.rejectedLine(chunk, i, source, duplicate));
      }
    }
    summary.records += chunk.count;
    summary.bytesRead = source.bytesRead;
    this.options.onProgress?.({ ...summary });
  }

  commit(): DedupSummary {
    if (this.source.format !== "alpaca-json" && this.summary.records === 0) throw emptyFileError(this.options.in);
    if (this.source.format === "alpaca-json") this.out.write(this.summary.kept === 0 ? "]\n" : "\n]\n");
    this.out.commit();
    this.rejected?.commit();
    return { ...this.summary };
  }

  abort(): void {
    this.out.abort();
    this.rejected?.abort();
  }

  private writeKept(chunk: PreparedChunk, i: number): void {
    if (this.source.format === "alpaca-json") this.out.write(this.summary.kept === 0 ? "\n" : ",\n");
    this.out.write(chunk.output.subarray(chunk.outputStarts[i]!, chunk.outputStarts[i + 1]!));
  }

  private remember(position: number, chunk: PreparedChunk, i: number, source: SourceChunk): void {
    if (this.places === undefined) return;
    const at = position - this.seedCount;
    const places = this.places;
    places.base = withRoomFloat64(places.base, at + 1);
    places.length = withRoomInt32(places.length, at + 1);
    places.line = withRoomInt32(places.line, at + 1);
    const { base, start, length } = placeOf(chunk, i, source);
    this.places.base[at] = base + start;
    this.places.length[at] = length;
    this.places.line[at] = chunk.lines[i]!;
  }

  private rejectedLine(chunk: PreparedChunk, i: number, source: SourceChunk, duplicate: Duplicate): string {
    const { base, start, length } = placeOf(chunk, i, source);
    const item = this.source.recordAt(base + start, length, chunk.lines[i]!);
    const original = this.keptItem(duplicate.position);
    const fromSeed = duplicate.position < this.seedCount;
    const rejected: RejectedRecord = {
      stage: "dedup",
      reason: duplicate.method,
      record: item.record,
      detail: {
        line: item.line,
        method: duplicate.method,
        score: duplicate.score,
        duplicateOf: {
          source: fromSeed ? "seed" : "input",
          file: fromSeed ? this.options.seeds?.path : this.options.in,
          line: original.line,
          ...(original.seedId !== undefined ? { seedId: original.seedId } : {}),
          text: duplicate.instruction ?? dedupText(original.record, this.options.field),
        },
      },
    };
    return `${JSON.stringify(rejected)}\n`;
  }

  private keptItem(position: number): RecordItem {
    if (position < this.seedCount) return this.options.seeds!.items[position]!;
    const at = position - this.seedCount;
    return this.source.recordAt(this.places!.base[at]!, this.places!.length[at]!, this.places!.line[at]!);
  }

  private checkSeedId(id: string, line: number): void {
    const seen = this.seenSeedIds.get(id);
    if (seen !== undefined) throw new UserError(`${this.options.in}:${line}: duplicate seed id '${id}' (first used on line ${seen}); ids must be unique`);
    this.seenSeedIds.set(id, line);
  }
}

/**
 * About how many records a file holds, from its size and the first chunk's bytes per record, so
 * the index is sized once instead of rehashed a dozen times on the way to millions. At most one
 * record per 64 bytes, in case the first chunk is unlike the rest.
 */
function expectedRecords(firstChunkRecords: number, firstChunkBytes: number, totalBytes: number): number {
  const estimate = Math.ceil((totalBytes / Math.max(1, firstChunkBytes)) * firstChunkRecords);
  return Math.min(estimate, Math.ceil(totalBytes / 64));
}

/** Record i of a chunk: JSONL bytes (start and length in the chunk), or its element index (length unused). */
function placeOf(chunk: PreparedChunk, i: number, source: SourceChunk): { base: number; start: number; length: number } {
  if ("bytes" in source.input) {
    const start = chunk.byteRanges[2 * i]!;
    return { base: source.base, start, length: chunk.byteRanges[2 * i + 1]! - start };
  }
  return { base: source.base, start: i, length: 0 };
}

/** A record file opened for one pass, plus reading single records back (for the rejected file). */
interface Source {
  format: RecordFormat;
  totalBytes: number;
  chunks(): Generator<SourceChunk>;
  recordAt(place: number, length: number, line: number): RecordItem;
  close(): void;
}

async function openSource(path: string): Promise<Source> {
  const fd = openChecked(path);
  let head: { start: number; firstByte: number };
  try {
    head = firstContent(fd);
    if (head.firstByte !== 0x5b /* [ */) return jsonlSource(path, fd, head.start);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  closeSync(fd); // a JSON array is read whole
  return jsonArraySource(path);
}

function openChecked(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(`${path}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory, expected a file" : String(error)}`);
  }
  if (fstatSync(fd).isDirectory()) {
    closeSync(fd);
    throw new UserError(`${path}: is a directory, expected a file`);
  }
  return fd;
}

/** Where the text starts (after a UTF-8 BOM) and its first non-whitespace byte (-1 for a blank file). */
function firstContent(fd: number): { start: number; firstByte: number } {
  const buffer = Buffer.allocUnsafe(64 * 1024);
  let start = -1;
  for (let position = 0; ; ) {
    const read = readSync(fd, buffer, 0, buffer.length, position);
    if (read === 0) return { start: Math.max(start, 0), firstByte: -1 };
    let i = 0;
    if (position === 0) {
      start = read >= 3 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf ? 3 : 0;
      i = start;
    }
    for (; i < read; i++) if (![0x20, 0x09, 0x0a, 0x0d].includes(buffer[i]!)) return { start, firstByte: buffer[i]! };
    position += read;
  }
}

function jsonlSource(path: string, fd: number, start: number): Source {
  const totalBytes = fstatSync(fd).size;
  const format = lineFormatOf(firstLineValue(path, fd, start));
  return {
    format,
    totalBytes,
    *chunks() {
      let carry: Uint8Array = new Uint8Array(0);
      let position = start;
      let chunkStart = start;
      let line = 1;
      for (;;) {
        const buffer = Buffer.allocUnsafeSlow(carry.length + BLOCK_BYTES);
        buffer.set(carry, 0);
        const read = readSync(fd, buffer, carry.length, BLOCK_BYTES, position);
        position += read;
        const filled = carry.length + read;
        const end = read === 0 ? filled : buffer.lastIndexOf(0x0a, filled - 1) + 1;
        if (end === 0 && read > 0) {
          carry = buffer.subarray(0, filled); // one line longer than a block: read on
          continue;
        }
        carry = Uint8Array.prototype.slice.call(buffer, end, filled);
        if (end > 0) {
          const bytes = new Uint8Array(buffer.buffer, 0, end);
          const lines = countNewlines(bytes);
          yield { input: { bytes, firstLine: line }, base: chunkStart, bytesRead: position - carry.length };
          line += lines;
          chunkStart += end;
        }
        if (read === 0) return;
      }
    },
    recordAt(place, length, line) {
      const buffer = Buffer.allocUnsafe(length);
      readSync(fd, buffer, 0, length, place);
      const text = buffer.toString("utf8").trim();
      return toItem(path, format, { line, value: parseJsonOrThrow(path, line, text) });
    },
    close() {
      closeSync(fd);
    },
  };
}

/** The first non-blank line's value: it tells the format (a bad one is reported with its line, as later ones are). */
function firstLineValue(path: string, fd: number, start: number): unknown {
  const chunks: Buffer[] = [];
  let line = 1;
  for (let position = start; ; ) {
    const buffer = Buffer.allocUnsafe(BLOCK_BYTES);
    const read = readSync(fd, buffer, 0, buffer.length, position);
    position += read;
    chunks.push(buffer.subarray(0, read));
    const text = Buffer.concat(chunks).toString("utf8");
    const lines = text.split("\n");
    for (let i = 0; i < lines.length - (read === 0 ? 0 : 1); i++) {
      const content = lines[i]!.trim();
      if (content !== "") return parseJsonOrThrow(path, line + i, content);
    }
    if (read === 0) return undefined;
  }
}

async function jsonArraySource(path: string): Promise<Source> {
  const text = await readUtf8Text(path);
  const elements = jsonArrayElements(path, text);
  const totalBytes = Buffer.byteLength(text);
  return {
    format: "alpaca-json",
    totalBytes,
    *chunks() {
      for (let first = 0; first < elements.length; first += ARRAY_CHUNK_RECORDS) {
        const entries = elements.slice(first, first + ARRAY_CHUNK_RECORDS);
        const done = first + entries.length;
        yield { input: { entries }, base: first, bytesRead: Math.round((totalBytes * done) / elements.length) };
      }
    },
    recordAt(place, _length, line) {
      return toItem(path, "alpaca-json", { line, value: parseJsonOrThrow(path, line, elements[place]!.text) });
    },
    close() {},
  };
}

function countNewlines(bytes: Uint8Array): number {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  let count = 0;
  for (let at = buffer.indexOf(0x0a); at >= 0; at = buffer.indexOf(0x0a, at + 1)) count++;
  return count;
}
