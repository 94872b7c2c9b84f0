import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { acquireLock, currentHolder, LockRecord, processStat } from "../../src/io/lock.js";
import { RunDirectory } from "../../src/io/runDir.js";

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
});

const lockPath = (): string => join(mkdtempSync(join(tmpdir(), "if-lock-")), ".lock");

function holderRecord(pid: number, extra: Partial<LockRecord> = {}): string {
  const me = currentHolder();
  return JSON.stringify({ ...me, pid, startTime: processStat(pid)?.startTime, acquiredAt: "2026-12-01T00:00:00.000Z", ...extra });
}

function sleeper(seconds: number): ChildProcess & { pid: number } {
  const child = spawn("sleep", [String(seconds)], { stdio: "ignore" });
  children.push(child);
  if (child.pid === undefined) throw new Error("sleep did not start");
  return child as ChildProcess & { pid: number };
}

/** Resolves once `check` holds; gives up (failing the test) after `attempts` checks. */
async function until(check: () => boolean, what: string, attempts = 2000): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (check()) return;
    await new Promise((done) => setImmediate(done));
    await new Promise((done) => setTimeout(done, 5));
  }
  throw new Error(`never happened: ${what}`);
}

/**
 * A child of `sh` that exits once its parent has become `sleep` (exec), which never reaps it: a
 * zombie. It outlives the exec by a moment, so `sh` itself cannot reap it first.
 */
async function zombie(): Promise<number> {
  const parent = spawn("sh", ["-c", "sleep 0.3 & echo $!; exec sleep 30"], { stdio: ["ignore", "pipe", "ignore"] });
  children.push(parent);
  const pid = await new Promise<number>((resolve) => parent.stdout!.once("data", (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
  await until(() => processStat(pid)?.state === "Z", `pid ${pid} becomes a zombie`);
  return pid;
}

const hasProc = processStat(process.pid) !== undefined;

describe("run-directory lock", () => {
  it("records host, PID and process start time, and removes the file on release", () => {
    const path = lockPath();
    const lock = acquireLock(path);
    const record = LockRecord.parse(JSON.parse(readFileSync(path, "utf8")));
    expect(record).toMatchObject({ pid: process.pid, host: currentHolder().host });
    if (hasProc) expect(record.startTime).toBe(processStat(process.pid)!.startTime);
    expect(lock.replaced).toBeUndefined();
    lock.release();
    expect(existsSync(path)).toBe(false);
  });

  it("replaces the lock of a PID that no longer exists", async () => {
    const path = lockPath();
    const child = spawn("true", { stdio: "ignore" });
    const pid = child.pid!;
    await new Promise((done) => child.on("exit", done));
    await until(() => processStat(pid) === undefined || !hasProc, "the exited child is reaped");
    writeFileSync(path, holderRecord(pid));
    const lock = acquireLock(path, { waitMs: 0 });
    expect(lock.replaced).toMatchObject({ reason: "dead", holder: { pid } });
    lock.release();
  });

  it.skipIf(!hasProc)("replaces the lock of a zombie (kill(pid, 0) still succeeds on it)", async () => {
    const path = lockPath();
    const pid = await zombie();
    expect(() => process.kill(pid, 0)).not.toThrow();
    writeFileSync(path, holderRecord(pid));
    const lock = acquireLock(path, { waitMs: 0 });
    expect(lock.replaced).toMatchObject({ reason: "zombie", holder: { pid } });
    expect(LockRecord.parse(JSON.parse(readFileSync(path, "utf8"))).pid).toBe(process.pid);
    lock.release();
  });

  it.skipIf(!hasProc)("replaces the lock of a reused PID: alive, but started at another time", () => {
    const path = lockPath();
    const other = sleeper(30);
    writeFileSync(path, holderRecord(other.pid, { startTime: "1" }));
    const lock = acquireLock(path, { waitMs: 0 });
    expect(lock.replaced).toMatchObject({ reason: "pid_reused" });
    lock.release();
  });

  it("reports, and never takes, a lock held from another host", () => {
    const path = lockPath();
    const text = holderRecord(process.pid, { host: "build-box-7", pid: 4242 });
    writeFileSync(path, text);
    expect(() => acquireLock(path, { waitMs: 60_000 })).toThrow(/another host or container \(pid 4242 on host build-box-7[\s\S]*remove .*\.lock only if you are sure/);
    expect(readFileSync(path, "utf8")).toBe(text);
  });

  it("refuses a live holder after waiting, naming it and saying how to proceed", () => {
    const path = lockPath();
    const holder = sleeper(30);
    const text = holderRecord(holder.pid);
    writeFileSync(path, text);
    expect(() => acquireLock(path, { waitMs: 100, pollMs: 20 })).toThrow(
      new RegExp(`another instructforge process \\(pid ${holder.pid} on host [\\s\\S]*kill ${holder.pid}[\\s\\S]*Remove .*\\.lock only if you are sure`),
    );
    expect(readFileSync(path, "utf8")).toBe(text);
  });

  it("waits for a holder that is exiting, then takes the lock", () => {
    const path = lockPath();
    const holder = sleeper(0.3);
    writeFileSync(path, holderRecord(holder.pid));
    // acquireLock polls synchronously: the exited child cannot be reaped meanwhile, so it is seen as a zombie (or gone).
    const lock = acquireLock(path, { waitMs: 60_000, pollMs: 20 });
    expect(["zombie", "dead"]).toContain(lock.replaced?.reason);
    lock.release();
  });

  it("reads the PID-only lock files of earlier versions", async () => {
    const path = lockPath();
    const child = spawn("true", { stdio: "ignore" });
    const pid = child.pid!;
    await new Promise((done) => child.on("exit", done));
    writeFileSync(path, String(pid));
    const lock = acquireLock(path, { waitMs: 0 });
    expect(lock.replaced?.holder?.pid).toBe(pid);
    lock.release();
  });

  it("takes over an old unreadable lock, but waits for a fresh one (it may be being written)", () => {
    const path = lockPath();
    writeFileSync(path, "");
    expect(() => acquireLock(path, { waitMs: 50, pollMs: 10 })).toThrow(/lock file is unreadable .* remove it if no instructforge process/);
    const old = new Date("2026-01-01T00:00:00Z");
    utimesSync(path, old, old);
    const lock = acquireLock(path, { waitMs: 0 });
    expect(lock.replaced).toEqual({ reason: "unreadable" });
    lock.release();
  });

  it("release leaves a lock that is no longer its own", () => {
    const path = lockPath();
    const lock = acquireLock(path);
    const someoneElse = holderRecord(process.pid, { host: "elsewhere" });
    writeFileSync(path, someoneElse);
    lock.release();
    expect(readFileSync(path, "utf8")).toBe(someoneElse);
  });

  it("lets one RunDirectory at a time write a directory", () => {
    const out = mkdtempSync(join(tmpdir(), "if-lock-run-"));
    const first = RunDirectory.open({ outDir: out, stage: "test", config: {}, argv: [] });
    expect(() => RunDirectory.open({ outDir: out, stage: "test", config: {}, argv: [], lockWaitMs: 50 })).toThrow(/another instructforge process \(pid \d+/);
    first.close("complete");
    const second = RunDirectory.open({ outDir: out, stage: "test", config: {}, argv: [], lockWaitMs: 50 });
    expect(second.replacedLock).toBeUndefined();
    second.close("complete");
  });
});
