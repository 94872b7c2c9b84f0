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
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { UserError } from "../errors.js";
import { AlpacaRecord, recordId, type RecordMeta, type RejectedRecord } from "../schemas.js";
import { readPackageVersion } from "../version.js";
import { writeError, writeFileAtomic } from "./atomic.js";
import { readJsonIfPresent } from "./json.js";
import { acquireLock, type HeldLock } from "./lock.js";
import { readJsonLines, toJsonLines } from "./jsonl.js";
import { redactArgv } from "./redact.js";
import { writeAll } from "./writeAll.js";

export interface AcceptedRecord {
  record: AlpacaRecord;
  meta?: Record<string, unknown>;
  /** `recordId(record)`, when the stage has already computed it: saves hashing the record again. */
  id?: string;
  /** The id of the input record this one was made from, when the stage rewrote it (evolve, answer, translate). */
  sourceId?: string;
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
  /** The history to store with an accepted record (its upstream meta, by stage); see the harness. */
  carry?: (accepted: AcceptedRecord, id: string) => Record<string, unknown> | undefined;
  /** Commit buffering: flush after this many units or this many ms, whichever first. */
  flushEveryUnits?: number;
  flushEveryMs?: number;
  /** How long to wait for a live holder of the directory's lock to exit (default 5 s; see lock.ts). */
  lockWaitMs?: number;
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

/**
 * The manifest an earlier run left in `dir`, read before a stage opens it again: undefined when
 * there is none, `unreadable` when it is not JSON, else its parsed value (checked by the caller).
 */
export function readEarlierManifest(dir: string): ReturnType<typeof readJsonIfPresent> {
  return readJsonIfPresent(join(dir, FILES.manifest));
}

/** The `keys` whose values (compared as JSON) differ between an earlier run's config and this one's. */
export function changedSettings(earlier: Record<string, unknown> | undefined, now: Record<string, unknown>, keys: readonly string[]): string[] {
  return keys.filter((key) => JSON.stringify(earlier?.[key]) !== JSON.stringify(now[key]));
}

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
  /** A failed append (disk full …): every later commit and the close report it. */
  private writeFailure: unknown;
  private readonly lock: HeldLock;
  private readonly carry: RunDirOptions["carry"];

  private constructor(options: RunDirOptions, dir: string) {
    this.dir = dir;
    this.stage = options.stage;
    this.config = options.config;
    this.argv = options.argv ?? process.argv.slice(2);
    this.cacheDir = join(dir, "cache");
    this.flushEveryUnits = options.flushEveryUnits ?? 64;
    this.flushEveryMs = options.flushEveryMs ?? 250;
    this.carry = options.carry;
    this.lock = acquireLock(join(dir, FILES.lock), { waitMs: options.lockWaitMs });
    this.state = recoverState(dir);
    // A stage that keeps nothing still leaves its (empty) files: the next stage reads data.jsonl.
    for (const file of [FILES.data, FILES.meta, FILES.rejected]) this.append(file, [], { create: true });
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

  /** Set when a crashed run's stale lock was replaced on open (who held it, and why it was stale). */
  get replacedLock(): HeldLock["replaced"] {
    return this.lock.replaced;
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
    if (this.writeFailure !== undefined) throw this.writeFailure;
    const expected = this.state.nextUnit + this.pending.length;
    if (unit !== expected) throw new Error(`units must be committed in order: got ${unit}, expected ${expected}`);
    this.pending.push({ unit, result });
    this.acceptedCount += result.accepted.length;
    for (const rejected of result.rejected) this.rejectedByReason[rejected.reason] = (this.rejectedByReason[rejected.reason] ?? 0) + 1;
    if (this.pending.length >= this.flushEveryUnits) this.flush();
    else this.flushTimer ??= setTimeout(() => this.flushQuietly(), this.flushEveryMs);
  }

  /** A timer has no caller to throw to: keep the error for the next commit or the close. */
  private flushQuietly(): void {
    try {
      this.flush();
    } catch {
      /* kept in writeFailure */
    }
  }

  /** Write queued units: one append per file, progress last. */
  flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.writeFailure !== undefined) throw this.writeFailure;
    if (this.pending.length === 0) return;
    const batch = this.pending.splice(0);
    const rejected: unknown[] = [];
    const meta: unknown[] = [];
    const data: unknown[] = [];
    for (const { unit, result } of batch) {
      for (const r of result.rejected) rejected.push({ stage: this.stage, ...r, unit });
      for (const a of result.accepted) {
        const id = a.id ?? recordId(a.record);
        const history = this.carry?.(a, id);
        meta.push({ id, stage: this.stage, unit, ...a.meta, ...(history && Object.keys(history).length > 0 ? { history } : {}) });
        data.push({ instruction: a.record.instruction, input: a.record.input, output: a.record.output });
      }
    }
    try {
      this.append(FILES.rejected, rejected);
      this.append(FILES.meta, meta);
      this.append(FILES.data, data);
      this.append(FILES.progress, batch.map(({ unit }) => ({ unit })));
    } catch (error) {
      this.writeFailure = error;
      throw error;
    }
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
    this.closed = true;
    try {
      this.flush();
      this.writeManifest(status);
    } catch (error) {
      try {
        this.writeManifest("failed");
      } catch {
        /* the disk may be full; the data files are consistent without it */
      }
      throw error;
    } finally {
      this.lock.release();
    }
  }

  private append(file: string, values: unknown[], options: { create?: boolean } = {}): void {
    if (values.length === 0 && !options.create) return;
    const path = join(this.dir, file);
    let fd: number | undefined;
    try {
      fd = openSync(path, "a");
      writeAll(fd, Buffer.from(toJsonLines(values), "utf8"));
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
  // Created level by level rather than with mkdir's recursive mode, which reports ENOENT on a
  // read-only file system and never returns under /proc.
  const missing: string[] = [];
  let existing = dir;
  while (!existsSync(existing) && dirname(existing) !== existing) {
    missing.push(existing);
    existing = dirname(existing);
  }
  if (!statSync(existing).isDirectory()) throw new UserError(`cannot write ${given}: ${existing} is a file, not a directory`);
  for (const level of missing.reverse()) {
    try {
      mkdirSync(level);
    } catch (error) {
      throw writeError(dir, error);
    }
  }
}

interface UnitTagged {
  unit?: unknown;
}

function recoverState(dir: string): RunState {
  const progress = readJsonLines(join(dir, FILES.progress));
  const units = progress.values.map((v) => Number((v as UnitTagged).unit));
  let nextUnit = units.length === 0 ? 0 : Math.max(...units) + 1;
  const committed = (v: unknown): boolean => Number((v as UnitTagged).unit) < nextUnit;

  let meta = readJsonLines(join(dir, FILES.meta)).values.filter(committed) as RecordMeta[];
  const data = readJsonLines(join(dir, FILES.data)).values.map((value) => AlpacaRecord.parse(value));
  // meta and data lines are appended in the same order, so line k of each describes one record.
  // The first unit whose data did not all reach the disk (a short write) is redone, with all after it.
  const complete = countMatchingPrefix(meta, data);
  if (complete < meta.length) {
    nextUnit = Number(meta[complete]!.unit);
    meta = meta.filter(committed);
  }
  const accepted = meta.map((m, k) => ({ record: data[k]!, meta: m }));
  const rejected = readJsonLines(join(dir, FILES.rejected)).values.filter(committed) as RejectedRecord[];

  rewriteIfChanged(join(dir, FILES.progress), progress.values.filter(committed));
  rewriteIfChanged(join(dir, FILES.meta), meta);
  rewriteIfChanged(join(dir, FILES.data), accepted.map((a) => a.record));
  rewriteIfChanged(join(dir, FILES.rejected), rejected);

  const rejectedByReason: Record<string, number> = {};
  for (const r of rejected) rejectedByReason[r.reason] = (rejectedByReason[r.reason] ?? 0) + 1;
  const earlier = readEarlierManifest(dir);
  const previousManifest = earlier && "value" in earlier && isRecord(earlier.value) ? earlier.value : undefined;
  return { nextUnit, accepted, rejectedByReason, resumed: nextUnit > 0, previousManifest };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function countMatchingPrefix(meta: readonly RecordMeta[], data: readonly AlpacaRecord[]): number {
  let k = 0;
  while (k < meta.length && k < data.length && recordId(data[k]!) === meta[k]!.id) k++;
  return k;
}

/** Rewrite a run file to exactly `values` when it holds anything else (a torn or uncommitted tail). */
function rewriteIfChanged(path: string, values: readonly unknown[]): void {
  const wanted = toJsonLines(values);
  const current = existsSync(path) ? readFileSync(path, "utf8") : "";
  if (current !== wanted) writeFileAtomic(path, wanted);
}
