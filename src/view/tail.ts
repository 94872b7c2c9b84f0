/**
 * Follow a file a run appends to: each `poll()` stats it and reads only the bytes appended since
 * the last one, in fixed-size chunks (a 1M-record file is never held whole), handing over each
 * complete line with its byte offset. A torn last line waits for its newline. Stat-based polling
 * rather than fs.watch, which misses events on some file systems and over network mounts.
 *
 * A file that shrank or was replaced (a resumed run rewrites a torn file atomically) is reported
 * as `reset`: what was read before may no longer be in it.
 */
import { closeSync, openSync, readSync, statSync } from "node:fs";

const CHUNK = 1 << 20;

export interface Line {
  text: string;
  /** Byte offset of the line's first byte, and its length in bytes without the newline. */
  offset: number;
  length: number;
}

export type PollResult = "unchanged" | "appended" | "reset";

export class FileTail {
  /** Bytes consumed: every complete line before this offset has been handed over. */
  private consumed = 0;
  private inode = -1;

  constructor(readonly path: string) {}

  get bytesRead(): number {
    return this.consumed;
  }

  /** Hand every new complete line to `onLine`; returns what happened to the file. */
  poll(onLine: (line: Line) => void): PollResult {
    let size: number;
    let inode: number;
    try {
      const stat = statSync(this.path);
      size = stat.size;
      inode = stat.ino;
    } catch {
      return this.consumed > 0 ? "reset" : "unchanged"; // not written yet, or moved away
    }
    if ((this.inode !== -1 && inode !== this.inode) || size < this.consumed) return "reset";
    this.inode = inode;
    if (size === this.consumed) return "unchanged";
    const before = this.consumed;
    this.readFrom(size, onLine);
    return this.consumed > before ? "appended" : "unchanged";
  }

  private readFrom(size: number, onLine: (line: Line) => void): void {
    const fd = openSync(this.path, "r");
    try {
      let buffer = Buffer.allocUnsafe(Math.min(CHUNK, size - this.consumed));
      while (this.consumed < size) {
        const wanted = Math.min(buffer.length, size - this.consumed);
        const got = readSync(fd, buffer, 0, wanted, this.consumed);
        if (got <= 0) break;
        const lastNewline = buffer.lastIndexOf(0x0a, got - 1);
        if (lastNewline < 0) {
          if (got < buffer.length) break; // a torn last line: wait for the rest
          buffer = Buffer.allocUnsafe(buffer.length * 2); // one line longer than the chunk
          continue;
        }
        let start = 0;
        while (start <= lastNewline) {
          const end = buffer.indexOf(0x0a, start);
          if (end > start) onLine({ text: buffer.toString("utf8", start, end), offset: this.consumed + start, length: end - start });
          start = end + 1;
        }
        this.consumed += lastNewline + 1;
      }
    } finally {
      closeSync(fd);
    }
  }
}

/** The bytes of one line, read back by offset (records' text is not kept in memory). */
export function readLineAt(path: string, offset: number, length: number): string {
  const fd = openSync(path, "r");
  try {
    const buffer = Buffer.allocUnsafe(length);
    const got = readSync(fd, buffer, 0, length, offset);
    return buffer.toString("utf8", 0, got);
  } finally {
    closeSync(fd);
  }
}
