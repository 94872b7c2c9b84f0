/**
 * The LSH index's shingles in a temp file instead of memory, for inputs of many millions of
 * records: only candidates' shingles are read back (one pread each, served by the page cache),
 * so the process keeps 8 bytes per record instead of ~4 per shingle. The file is unlinked as soon
 * as it is open, so nothing is left behind however the process ends.
 */
import { randomBytes } from "node:crypto";
import { closeSync, openSync, readSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jaccard } from "../../text/shingle.js";
import type { ShingleStore } from "../../text/lsh.js";
import { withRoomFloat64, withRoomInt32 } from "../../text/typedArrays.js";
import { writeAll } from "../../io/writeAll.js";

const BUFFER_VALUES = 1 << 18;

export class DiskShingleStore implements ShingleStore {
  private readonly fd: number;
  /** Shingles not yet written: values [flushed, flushed + pending). */
  private readonly buffer = new Uint32Array(BUFFER_VALUES);
  private pending = 0;
  private flushed = 0;
  /** Per record: index of its first value in the file (a float: exact far beyond any file size) and its length. */
  private starts = new Float64Array(1024);
  private lengths = new Int32Array(1024);
  private count = 0;
  private scratch = new Uint32Array(1024);

  constructor(directory = tmpdir()) {
    const path = join(directory, `instructforge-shingles-${randomBytes(6).toString("hex")}.bin`);
    this.fd = openSync(path, "w+");
    unlinkSync(path);
  }

  append(shingles: Uint32Array): void {
    const record = this.count++;
    this.starts = withRoomFloat64(this.starts, this.count);
    this.lengths = withRoomInt32(this.lengths, this.count);
    this.starts[record] = this.flushed + this.pending;
    this.lengths[record] = shingles.length;
    if (this.pending + shingles.length > BUFFER_VALUES) this.flush();
    if (shingles.length > BUFFER_VALUES) {
      writeAll(this.fd, new Uint8Array(shingles.buffer, shingles.byteOffset, 4 * shingles.length));
      this.flushed += shingles.length;
      return;
    }
    this.buffer.set(shingles, this.pending);
    this.pending += shingles.length;
  }

  jaccardWith(record: number, shingles: Uint32Array): number {
    const start = this.starts[record]!;
    const length = this.lengths[record]!;
    if (start >= this.flushed) return jaccard(this.buffer, shingles, start - this.flushed, length);
    if (this.scratch.length < length) this.scratch = new Uint32Array(2 * length);
    readSync(this.fd, new Uint8Array(this.scratch.buffer, 0, 4 * length), 0, 4 * length, 4 * start);
    return jaccard(this.scratch, shingles, 0, length);
  }

  close(): void {
    closeSync(this.fd);
  }

  private flush(): void {
    if (this.pending === 0) return;
    writeAll(this.fd, new Uint8Array(this.buffer.buffer, 0, 4 * this.pending));
    this.flushed += this.pending;
    this.pending = 0;
  }
}
