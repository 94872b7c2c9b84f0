/** Whole-file writes that never leave a half-written file behind: temp file, fsync, rename. */
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { UserError } from "../errors.js";

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    const fd = openSync(temp, "w");
    try {
      writeSync(fd, typeof data === "string" ? Buffer.from(data, "utf8") : data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    try {
      rmSync(temp, { force: true });
    } catch {
      /* the temp file was never created (e.g. the parent is a file); report the original error */
    }
    throw writeError(path, error);
  }
}

/** A write failure as one sentence a user can act on (disk full, permissions, not a directory). */
export function writeError(path: string, error: unknown): UserError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason =
    code === "ENOSPC" ? "the disk is full"
    : code === "EROFS" ? "read-only file system"
    : code === "EACCES" || code === "EPERM" ? "permission denied"
    : code === "ENOTDIR" ? "a parent path is a file, not a directory"
    : code === "ENOENT" ? "the directory does not exist"
    : error instanceof Error ? error.message : String(error);
  return new UserError(`cannot write ${path}: ${reason}`);
}
