/**
 * A file written as it goes and put in place only when complete: bytes go to a temp file beside
 * the target (buffered, so one write call per megabyte), and `commit` fsyncs and renames it.
 * After `abort`, or a failure, the target is untouched and no temp file is left.
 */
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { writeError } from "./atomic.js";
import { writeAll } from "./writeAll.js";

const BUFFER_BYTES = 1 << 20;

export class AtomicStreamWriter {
  private readonly temp: string;
  private readonly fd: number;
  private readonly buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  private used = 0;
  private closed = false;

  constructor(private readonly path: string) {
    this.temp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString("hex")}.tmp`);
    try {
      this.fd = openSync(this.temp, "w");
    } catch (error) {
      throw writeError(path, error);
    }
  }

  write(bytes: Uint8Array | string): void {
    const data = typeof bytes === "string" ? Buffer.from(bytes, "utf8") : bytes;
    if (this.used + data.length > BUFFER_BYTES) this.flush();
    if (data.length >= BUFFER_BYTES) this.writeOut(data);
    else {
      this.buffer.set(data, this.used);
      this.used += data.length;
    }
  }

  commit(): void {
    try {
      this.flush();
      fsyncSync(this.fd);
      this.close();
      renameSync(this.temp, this.path);
    } catch (error) {
      this.abort();
      throw writeError(this.path, error);
    }
  }

  abort(): void {
    this.close();
    rmSync(this.temp, { force: true });
  }

  private flush(): void {
    if (this.used === 0) return;
    this.writeOut(this.buffer.subarray(0, this.used));
    this.used = 0;
  }

  private writeOut(data: Uint8Array): void {
    try {
      writeAll(this.fd, data);
    } catch (error) {
      throw writeError(this.path, error);
    }
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}
