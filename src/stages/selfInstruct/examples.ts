/**
 * Which examples each request shows. Seeds are drawn with an RNG seeded by (seed, unit), so a
 * request is the same on every run and a resumed run replays it from the cache.
 *
 * Machine examples (`--machine-examples K`, as in the original Self-Instruct) make prompts depend
 * on earlier results. As there (bootstrap_instructions.py), every prompt shows the same number of
 * examples: while fewer than K machine tasks are available, seeds fill in; and the machine and
 * seed examples are shuffled together, so the model cannot tell them apart by position. To keep that deterministic while requests run concurrently, unit u only
 * draws from tasks accepted in units before u − lag, and waits until those units are committed.
 * `lag` is the in-flight window, so the prompts also depend on --concurrency.
 */
import { createRng, deriveSeed } from "../../text/rng.js";
import type { Rng } from "../../text/rng.js";
import type { ExampleTask } from "./seeds.js";

export class ExamplePicker {
  private readonly machine: Array<{ unit: number; task: ExampleTask }> = [];
  private committedBefore: number;
  private waiters: Array<{ unit: number; resolve: () => void }> = [];
  private released = false;

  constructor(
    private readonly seeds: readonly ExampleTask[],
    private readonly options: { seed: number; examples: number; machineExamples: number; lag: number; firstUnit: number },
  ) {
    this.committedBefore = options.firstUnit;
  }

  /**
   * Record an accepted task (in commit order) as a possible machine example. Without
   * --machine-examples none is ever drawn, so none is kept (52K of them are GC work for nothing).
   */
  addMachineTask(unit: number, task: ExampleTask): void {
    if (this.options.machineExamples === 0) return;
    this.machine.push({ unit, task });
  }

  /** Units before `unit` are committed: wake requests waiting on them. */
  unitCommitted(unit: number): void {
    this.committedBefore = unit + 1;
    const ready = this.waiters.filter((w) => w.unit <= this.committedBefore);
    this.waiters = this.waiters.filter((w) => w.unit > this.committedBefore);
    for (const waiter of ready) waiter.resolve();
  }

  /** Resolves once every unit before `horizon` is committed (or the run has stopped committing). */
  async committedUpTo(horizon: number): Promise<void> {
    if (!this.released && horizon > this.committedBefore) await new Promise<void>((resolve) => this.waiters.push({ unit: horizon, resolve }));
  }

  /**
   * The run stops committing (target reached, or an error): units still in flight must not wait
   * for commits that will never come. Their results are not committed, so what they see no longer matters.
   */
  release(): void {
    this.released = true;
    for (const waiter of this.waiters) waiter.resolve();
    this.waiters = [];
  }

  async examplesFor(unit: number): Promise<ExampleTask[]> {
    const rng = createRng(deriveSeed(this.options.seed, "self-instruct", unit));
    if (this.options.machineExamples === 0) return pickDistinct(this.seeds, this.options.examples, rng);
    const horizon = unit - this.options.lag;
    await this.committedUpTo(horizon);
    const eligible = countBefore(this.machine, horizon);
    const machine = pickDistinct(this.machine, this.options.machineExamples, rng, eligible).map((m) => m.task);
    const seeds = pickDistinct(this.seeds, this.options.examples + this.options.machineExamples - machine.length, rng);
    return shuffled([...machine, ...seeds], rng);
  }
}

/** k distinct items among the first `limit`, in draw order, without copying or shuffling the list. */
function pickDistinct<T>(items: readonly T[], k: number, rng: Rng, limit = items.length): T[] {
  const chosen = new Set<number>();
  const picked: T[] = [];
  while (picked.length < k && picked.length < limit) {
    const index = rng.int(limit);
    if (chosen.has(index)) continue;
    chosen.add(index);
    picked.push(items[index]!);
  }
  return picked;
}

/** Fisher–Yates with the unit's RNG (Python's random.shuffle in the reference). */
function shuffled<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** Entries are in unit order: binary search for the first with unit ≥ horizon. */
function countBefore(entries: ReadonlyArray<{ unit: number }>, horizon: number): number {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (entries[mid]!.unit < horizon) low = mid + 1;
    else high = mid;
  }
  return low;
}
