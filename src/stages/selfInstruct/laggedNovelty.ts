/**
 * A deterministic early novelty check, so the Self-Instruct recipe does not pay for classifying
 * and instantiating instructions that the in-order novelty check will drop anyway.
 *
 * Unit u is screened against the seeds and every instruction kept by units before u − lag (the
 * in-flight window): those are committed by then, whatever the network did, so the screen's
 * verdicts are the same on every run. Screens run in unit order. Anything the screen drops, the
 * final check would drop too (the final pool holds all of the screen's), so decisions are exactly
 * those of the final check alone; only the witness named in the rejection may differ.
 */
import type { ExamplePicker } from "./examples.js";
import type { Rejection } from "./rules.js";
import { NoveltyIndex } from "./similarity.js";

interface Turn {
  done: Promise<void>;
  finish: () => void;
}

export class LaggedNovelty {
  private readonly index: NoveltyIndex;
  /** Kept instructions in commit order, with their unit. */
  private readonly log: Array<{ unit: number; instruction: string; id: string }> = [];
  private indexed = 0;
  private readonly turns = new Map<number, Turn>();

  constructor(
    threshold: number,
    enabled: boolean,
    seeds: ReadonlyArray<{ instruction: string; id: string }>,
    private readonly picker: ExamplePicker,
    private readonly options: { lag: number; firstUnit: number },
  ) {
    this.index = new NoveltyIndex(threshold, { filter: enabled, diagnostics: false });
    for (const seed of seeds) this.index.add(seed.instruction, seed.id);
  }

  /** An instruction kept by `unit` (called at commit, in unit order, and on resume). */
  kept(unit: number, instruction: string, id: string): void {
    this.log.push({ unit, instruction, id });
  }

  /** Screen the unit's instructions; every unit must call this once, even with none. */
  async screen(unit: number, instructions: readonly string[]): Promise<Array<Rejection | undefined>> {
    if (unit > this.options.firstUnit) await this.turn(unit - 1).done;
    try {
      const horizon = unit - this.options.lag;
      await this.picker.committedUpTo(horizon);
      while (this.indexed < this.log.length && this.log[this.indexed]!.unit < horizon) {
        const entry = this.log[this.indexed++]!;
        this.index.add(entry.instruction, entry.id);
      }
      return instructions.map((instruction) => this.index.screen(instruction));
    } finally {
      this.turns.delete(unit - 1);
      this.turn(unit).finish();
    }
  }

  private turn(unit: number): Turn {
    let turn = this.turns.get(unit);
    if (!turn) {
      let finish = (): void => undefined;
      const done = new Promise<void>((resolve) => (finish = resolve));
      turn = { done, finish };
      this.turns.set(unit, turn);
    }
    return turn;
  }
}
