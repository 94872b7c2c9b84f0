/**
 * The run directory: the durable state of one stage.
 *
 *   data.jsonl      the dataset, one Alpaca record per line and nothing else
 *   meta.jsonl      sidecar metadata per accepted record, keyed by record id
 *   rejected.jsonl  every dropped record with the stage and a machine-readable reason
 *   progress.jsonl  one line per committed unit of work (a request, a record, a round item …)
 *   manifest.json   command, config, counts, token usage, cost, timings (never the API key)
 *   cache/          the LLM response cache
 *
 * Work is split by the stage into numbered units committed strictly in order. A unit's lines are
 * appended rejected → meta → data, then its progress line. On open, anything written after the
 * last progress line (a crash mid-commit) is cut away, so the directory always holds exactly the
 * units 0..n-1 — whole, once each — and a re-run continues at unit n.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from "node:fs";
import { join, resolve } from "node:path";
import { UserError } from "../errors.js";
import { AlpacaRecord, recordId, type RecordMeta, type RejectedRecord } from "../schemas.js";
import { readPackageVersion } from "../version.js";
import { writeError, writeFileAtomic } from "./atomic.js";
import { readJsonLines, toJsonLines } from "./jsonl.js";
import { redactArgv } from "./redact.js";

export interface AcceptedRecord {
  record: AlpacaRecord;
  meta?: Record<string, unknown>;
}

export interface UnitResult {
  accepted: AcceptedRecord[];
  rejected: Array<Omit<RejectedRecord, "stage">>;
}

export interface RunState {
  /** Units 0..nextUnit-1 are committed; a resumed stage starts at nextUnit. */
  nextUnit: number;
  accepted: Array<{ record: AlpacaRecord; meta: RecordMeta }>;
  rejectedByReason: Record<string, number>;
  resumed: boolean;
  /** The manifest left by an earlier attempt, if any. */
  previousManifest?: Record<string, unknown>;
}

export interface RunDirOptions {
  outDir: string;
  stage: string;
  /** Options that define the work; stored in the manifest. Must not hold secrets. */
  config: Record<string, unknown>;
  argv?: readonly string[];
  /** Commit buffering: flush after this many units or this many ms, whichever first. */
  flushEveryUnits?: number;
  flushEveryMs?: number;
}

export type RunStatus = "running" | "complete" | "interrupted" | "failed";

const FILES = {
  data: "data.jsonl",
  meta: "meta.jsonl",
  rejected: "rejected.jsonl",
  progress: "progress.jsonl",
  manifest: "manifest.json",
  lock: ".lock",
} as const;

export class RunDirectory {
  readonly dir: string;
  readonly stage: string;
  readonly cacheDir: string;
  readonly state: RunState;
  private readonly config: Record<string, unknown>;
  private readonly argv: readonly string[];
  private readonly startedAt = new Date();
  private readonly pending: Array<{ unit: number; result: UnitResult }> = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly flushEveryUnits: number;
  private readonly flushEveryMs: number;
  private manifestExtra: Record<string, unknown> = {};
  private acceptedCount: number;
  private readonly rejectedByReason: Record<string, number>;
  private closed = false;
  private readonly releaseLock: () => void;

  private constructor(options: RunDirOptions, dir: string) {
    this.dir = dir;
    this.stage = options.stage;
    this.config = options.config;
    this.argv = options.argv ?? process.argv.slice(2);
    this.cacheDir = join(dir, "cache");
    this.flushEveryUnits = options.flushEveryUnits ?? 64;
    this.flushEveryMs = options.flushEveryMs ?? 250;
    this.releaseLock = takeLock(join(dir, FILES.lock));
    this.state = recoverState(dir);
    this.acceptedCount = this.state.accepted.length;
    this.rejectedByReason = { ...this.state.rejectedByReason };
    this.writeManifest("running");
  }

  /** Create or reopen `outDir`, cutting away any torn commit left by a crash. */
  static open(options: RunDirOptions): RunDirectory {
    const dir = resolve(options.outDir);
    prepareDirectory(options.outDir, dir);
    return new RunDirectory(options, dir);
  }

  get accepted(): number {
    return this.acceptedCount;
  }

  get rejected(): number {
    return Object.values(this.rejectedByReason).reduce((a, b) => a + b, 0);
  }

  rejectedCounts(): Record<string, number> {
    return { ...this.rejectedByReason };
  }

  /** Queue a unit's results; units must arrive in order (the ordered pool guarantees it). */
  commit(unit: number, result: UnitResult): void {
    if (this.closed) throw new Error("commit after close");
    const expected = this.state.nextUnit + this.pending.length;
    if (unit !== expected) throw new Error(`units must be committed in order: got ${unit}, expected ${expected}`);
    this.pending.push({ unit, result });
    this.acceptedCount += result.accepted.length;
    for (const rejected of result.rejected) this.rejectedByReason[rejected.reason] = (this.rejectedByReason[rejected.reason] ?? 0) + 1;
    if (this.pending.length >= this.flushEveryUnits) this.flush();
    else this.flushTimer ??= setTimeout(() => this.flush(), this.flushEveryMs);
  }

  /** Write queued units: one append per file, progress last. */
  flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.pending.length === 0) return;
    const batch = this.pending.splice(0);
    const rejected: unknown[] = [];
    const meta: unknown[] = [];
    const data: unknown[] = [];
    for (const { unit, result } of batch) {
      for (const r of result.rejected) rejected.push({ stage: this.stage, ...r, unit });
      for (const a of result.accepted) {
        meta.push({ id: recordId(a.record), stage: this.stage, unit, ...a.meta });
        data.push({ instruction: a.record.instruction, input: a.record.input, output: a.record.output });
      }
    }
    this.append(FILES.rejected, rejected);
    this.append(FILES.meta, meta);
    this.append(FILES.data, data);
    this.append(FILES.progress, batch.map(({ unit }) => ({ unit })));
    this.state.nextUnit = batch[batch.length - 1]!.unit + 1;
  }

  /** Extra manifest fields (LLM totals, stage counters); written with the next manifest update. */
  updateManifest(extra: Record<string, unknown>): void {
    this.manifestExtra = { ...this.manifestExtra, ...extra };
  }

  writeManifest(status: RunStatus): void {
    const previous = this.state.previousManifest;
    const manifest = {
      tool: "instructforge",
      version: readPackageVersion(),
      stage: this.stage,
      status,
      command: redactArgv(this.argv),
      config: this.config,
      counts: { accepted: this.acceptedCount, rejected: this.rejected, rejectedByReason: this.rejectedCounts() },
      ...this.manifestExtra,
      timings: {
        firstStartedAt: (previous?.timings as { firstStartedAt?: string } | undefined)?.firstStartedAt ?? this.startedAt.toISOString(),
        startedAt: this.startedAt.toISOString(),
        updatedAt: new Date().toISOString(),
        elapsedSeconds: (Date.now() - this.startedAt.getTime()) / 1000,
        attempts: ((previous?.timings as { attempts?: number } | undefined)?.attempts ?? 0) + 1,
      },
    };
    writeFileAtomic(join(this.dir, FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
  }

  /** Flush, write the final manifest and release the directory. */
  close(status: Exclude<RunStatus, "running">): void {
    if (this.closed) return;
    this.flush();
    this.writeManifest(status);
    this.closed = true;
    this.releaseLock();
  }

  private append(file: string, values: unknown[]): void {
    if (values.length === 0) return;
    const path = join(this.dir, file);
    let fd: number | undefined;
    try {
      fd = openSync(path, "a");
      writeSync(fd, toJsonLines(values));
    } catch (error) {
      throw writeError(path, error);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
}

function prepareDirectory(given: string, dir: string): void {
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new UserError(`--out ${given}: is a file; give a directory (it is created if missing)`);
  }
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw writeError(dir, error);
  }
}

/** One process per run directory: a second one would interleave commits. */
function takeLock(path: string): () => void {
  const write = (): void => {
    const fd = openSync(path, "wx");
    writeSync(fd, String(process.pid));
    closeSync(fd);
  };
  try {
    write();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "EEXIST") throw writeError(path, error);
    const holder = Number(readFileSync(path, "utf8"));
    if (holder !== process.pid && isAlive(holder)) {
      throw new UserError(`${path}: another instructforge process (pid ${holder}) is writing this run directory`);
    }
    unlinkSync(path); // left by a crashed run
    write();
  }
  const removeLockFile = (): void => {
    try {
      unlinkSync(path);
    } catch {
      /* already gone */
    }
  };
  process.once("exit", removeLockFile);
  return () => {
    process.removeListener("exit", removeLockFile);
    removeLockFile();
  };
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

interface UnitTagged {
  unit?: unknown;
}

function recoverState(dir: string): RunState {
  const progress = readJsonLines(join(dir, FILES.progress));
  const units = progress.values.map((v) => Number((v as UnitTagged).unit));
  const nextUnit = units.length === 0 ? 0 : Math.max(...units) + 1;
  const committed = (v: unknown): boolean => Number((v as UnitTagged).unit) < nextUnit;

  const meta = keepCommitted(join(dir, FILES.meta), committed);
  const rejected = keepCommitted(join(dir, FILES.rejected), committed);
  if (progress.tornTail) writeFileAtomic(join(dir, FILES.progress), toJsonLines(progress.values));

  const accepted = matchDataToMeta(dir, meta as RecordMeta[]);
  const rejectedByReason: Record<string, number> = {};
  for (const r of rejected as RejectedRecord[]) rejectedByReason[r.reason] = (rejectedByReason[r.reason] ?? 0) + 1;

  const manifestPath = join(dir, FILES.manifest);
  const previousManifest = existsSync(manifestPath) ? (JSON.parse(readFileSync(manifestPath, "utf8")) as Record<string, unknown>) : undefined;
  return { nextUnit, accepted, rejectedByReason, resumed: nextUnit > 0, previousManifest };
}

/** Keep the lines of committed units; rewrite the file if anything after them was cut away. */
function keepCommitted(path: string, committed: (value: unknown) => boolean): unknown[] {
  const { values, tornTail } = readJsonLines(path);
  const kept = values.filter(committed);
  if (tornTail || kept.length !== values.length) writeFileAtomic(path, toJsonLines(kept));
  return kept;
}

/** data.jsonl lines carry no unit; a data line is committed when a committed meta line has its id. */
function matchDataToMeta(dir: string, meta: RecordMeta[]): RunState["accepted"] {
  const path = join(dir, FILES.data);
  const { values, tornTail } = readJsonLines(path);
  const waiting = new Map<string, RecordMeta[]>();
  for (const m of meta) waiting.set(m.id, [...(waiting.get(m.id) ?? []), m]);
  const accepted: RunState["accepted"] = [];
  for (const value of values) {
    const record = AlpacaRecord.parse(value);
    const metas = waiting.get(recordId(record));
    const match = metas?.shift();
    if (match) accepted.push({ record, meta: match });
  }
  if (tornTail || accepted.length !== values.length) writeFileAtomic(path, toJsonLines(accepted.map((a) => a.record)));
  return accepted;
}
