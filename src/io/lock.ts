/**
 * The run-directory lock: one writer per directory, since two would interleave commits.
 *
 * Node has no flock/fcntl (only a native addon or a helper process could hold a kernel lock),
 * so the lock is a file created atomically (written aside, then hard-linked into place, so no
 * reader ever sees it half-written) that says who holds it: host, PID namespace, PID and the
 * process's start time (`/proc/<pid>/stat` field 22, clock ticks since boot). A PID alone
 * misjudges three cases this file decides correctly:
 *  - a zombie: a SIGKILLed process whose parent has not reaped it yet still answers
 *    `kill(pid, 0)`, but `/proc/<pid>/stat` shows state Z (or X) — it can never write again;
 *  - a reused PID: a live process with the same PID but another start time is not the holder;
 *  - another host or container sharing the volume: its PIDs mean nothing here, so the lock is
 *    reported, never taken over.
 * A holder that is alive here is given a few seconds (polling) to finish exiting — a process
 * just SIGKILLed is torn down for a moment before it turns into a zombie.
 */
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, unlinkSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import { z } from "zod";
import { UserError } from "../errors.js";
import { writeError } from "./atomic.js";

/** What the lock file holds (JSON). Older versions wrote the bare PID; that is still read. */
export const LockRecord = z.object({
  pid: z.number().int().positive(),
  host: z.string(),
  /** `readlink /proc/self/ns/pid`: containers on one host have their own PID numbering. */
  pidNamespace: z.string().optional(),
  /** Field 22 of /proc/<pid>/stat; absent where there is no /proc. */
  startTime: z.string().optional(),
  acquiredAt: z.string(),
});
export type LockRecord = z.infer<typeof LockRecord>;

export interface LockOptions {
  /** How long to wait for a live holder on this host to go away. Default 5,000 ms. */
  waitMs?: number;
  /** Between checks while waiting. Default 50 ms. */
  pollMs?: number;
}

/** Why a lock left in place was taken over. */
export type StaleReason = "dead" | "zombie" | "pid_reused" | "unreadable";

export interface HeldLock {
  release(): void;
  /** Set when an earlier holder's lock was found stale and replaced. */
  replaced?: { holder?: LockRecord; reason: StaleReason };
}

type Verdict = { stale: true; reason: StaleReason } | { stale: false; elsewhere: boolean; self?: true };

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/** The start time and state of a process here, from /proc; undefined when it does not exist. */
export function processStat(pid: number): { state: string; startTime: string } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // Field 2 (the command) is in parentheses and may hold spaces or ')': split after the last one.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { state: fields[0] ?? "", startTime: fields[19] ?? "" };
}

const hasProc = (): boolean => processStat(process.pid) !== undefined;

function pidNamespace(): string | undefined {
  try {
    return readlinkSync("/proc/self/ns/pid");
  } catch {
    return undefined;
  }
}

/** This process, as a lock records it. */
export function currentHolder(): LockRecord {
  const startTime = processStat(process.pid)?.startTime;
  const namespace = pidNamespace();
  return { pid: process.pid, host: hostname(), ...(namespace ? { pidNamespace: namespace } : {}), ...(startTime ? { startTime } : {}), acquiredAt: new Date().toISOString() };
}

function parseHolder(text: string): LockRecord | undefined {
  const trimmed = text.trim();
  // The format before this file: the PID alone, written by a process of this host.
  if (/^\d+$/.test(trimmed)) return { pid: Number(trimmed), host: hostname(), acquiredAt: "" };
  try {
    const parsed = LockRecord.safeParse(JSON.parse(trimmed));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function isSameMachine(holder: LockRecord, me: LockRecord): boolean {
  return holder.host === me.host && (holder.pidNamespace === undefined || me.pidNamespace === undefined || holder.pidNamespace === me.pidNamespace);
}

/** An unreadable lock this young may be one being written in place (no hard links): wait for it. */
const FRESH_UNREADABLE_MS = 2000;

function judge(holder: LockRecord | undefined, me: LockRecord, path: string): Verdict {
  if (holder === undefined) return ageMs(path) < FRESH_UNREADABLE_MS ? { stale: false, elsewhere: false } : { stale: true, reason: "unreadable" };
  if (!isSameMachine(holder, me)) return { stale: false, elsewhere: true };
  if (holder.pid === me.pid) {
    // Our own PID: this very process holds it (opened twice), or an earlier process had our PID.
    if (holder.startTime === undefined || me.startTime === undefined) return { stale: true, reason: "dead" };
    return holder.startTime === me.startTime ? { stale: false, elsewhere: false, self: true } : { stale: true, reason: "pid_reused" };
  }
  if (!hasProc()) return isAlive(holder.pid) ? { stale: false, elsewhere: false } : { stale: true, reason: "dead" };
  const stat = processStat(holder.pid);
  if (stat === undefined) return { stale: true, reason: "dead" };
  if (stat.state === "Z" || stat.state === "X") return { stale: true, reason: "zombie" };
  if (holder.startTime !== undefined && holder.startTime !== stat.startTime) return { stale: true, reason: "pid_reused" };
  return { stale: false, elsewhere: false };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readLockText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw writeError(path, error);
  }
}

function writeNew(path: string, text: string): void {
  const fd = openSync(path, "wx");
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** File systems without hard links (some FUSE, SMB and exFAT mounts) answer link() with these. */
const NO_HARD_LINKS = new Set(["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS", "EXDEV"]);

/**
 * Create `path` holding `text`, atomically and exclusively: false when it already exists.
 * Written aside and hard-linked into place, so a reader never sees it empty; where hard links
 * are not supported, created in place with O_EXCL (a reader may then briefly see it empty).
 */
function createExclusive(path: string, text: string): boolean {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    writeNew(temp, text);
    try {
      linkSync(temp, path);
    } catch (error) {
      if (!NO_HARD_LINKS.has(String((error as NodeJS.ErrnoException).code))) throw error;
      writeNew(path, text);
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw writeError(path, error);
  } finally {
    rmSync(temp, { force: true });
  }
}

/**
 * Remove a stale lock whose text was `seen`. It is first renamed aside, so that if another
 * process replaced it in the meantime, that process's lock is put back rather than deleted.
 */
function removeStale(path: string, seen: string): void {
  const aside = `${path}.stale.${process.pid}.${randomBytes(4).toString("hex")}`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return; // someone else removed it
    throw writeError(path, error);
  }
  if (readLockText(aside) !== seen) {
    try {
      linkSync(aside, path);
    } catch {
      /* yet another process holds the lock now; its own file stands */
    }
  }
  rmSync(aside, { force: true });
}

const sleepSync = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
};

function describe(holder: LockRecord): string {
  const since = holder.acquiredAt ? ` since ${holder.acquiredAt}` : "";
  return `pid ${holder.pid} on host ${holder.host}${since}`;
}

function heldError(path: string, holder: LockRecord, elsewhere: boolean, waitedMs: number): UserError {
  const lines = elsewhere
    ? [
        `${dirname(path)}: this run directory is locked by an instructforge process on another host or container (${describe(holder)}).`,
        `Its PID cannot be checked from here. Wait for that run to finish, or stop it there; remove ${path} only if you are sure it is no longer running.`,
      ]
    : [
        `${dirname(path)}: another instructforge process (${describe(holder)}) is writing this run directory (still running after ${(waitedMs / 1000).toFixed(1)} s).`,
        `Wait for it to finish, or stop it (kill ${holder.pid}) and run again: the run resumes where it stopped. Remove ${path} only if you are sure that process is not instructforge writing here.`,
      ];
  return new UserError(lines.join("\n"));
}

/**
 * Take the lock at `path`, replacing a stale one, waiting (bounded) for a holder that is
 * exiting, and refusing with an explanation when the directory is really in use.
 */
export function acquireLock(path: string, options: LockOptions = {}): HeldLock {
  const waitMs = options.waitMs ?? 5000;
  const pollMs = options.pollMs ?? 50;
  const me = currentHolder();
  const mine = `${JSON.stringify(me)}\n`;
  const started = Date.now();
  let replaced: HeldLock["replaced"];
  for (;;) {
    if (createExclusive(path, mine)) return { release: releaser(path, mine), ...(replaced ? { replaced } : {}) };
    const seen = readLockText(path);
    if (seen === undefined) continue; // released between our attempt and our read
    const holder = parseHolder(seen);
    const verdict = judge(holder, me, path);
    if (verdict.stale) {
      replaced = { ...(holder ? { holder } : {}), reason: verdict.reason };
      removeStale(path, seen);
      continue;
    }
    const waited = Date.now() - started;
    if (holder === undefined) {
      if (waited >= waitMs) throw new UserError(`${path}: the lock file is unreadable and was written ${(ageMs(path) / 1000).toFixed(1)} s ago; remove it if no instructforge process is writing ${dirname(path)}`);
    } else if (verdict.elsewhere || verdict.self || waited >= waitMs) {
      throw heldError(path, holder, verdict.elsewhere, waited);
    }
    sleepSync(Math.min(pollMs, waitMs - waited));
  }
}

/** Release removes the file only while it is still ours, and is also run if the process exits. */
function releaser(path: string, mine: string): () => void {
  const remove = (): void => {
    try {
      if (readFileSync(path, "utf8") === mine) unlinkSync(path);
    } catch {
      /* already gone */
    }
  };
  process.once("exit", remove);
  return () => {
    process.removeListener("exit", remove);
    remove();
  };
}
