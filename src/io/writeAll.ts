import { writeSync } from "node:fs";

/** writeSync may write less than asked when the disk fills up; keep going until it throws. */
export function writeAll(fd: number, bytes: Uint8Array): void {
  let written = 0;
  while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
}
