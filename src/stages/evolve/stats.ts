/** Pass rates per round and per operation, and eliminations per reason, for the manifest. */
import type { Operation } from "./operations.js";

interface Tally {
  attempts: number;
  passed: number;
  rejectedByReason: Record<string, number>;
}

const emptyTally = (): Tally => ({ attempts: 0, passed: 0, rejectedByReason: {} });

export class EvolveStats {
  private readonly byRound = new Map<number, Tally>();
  private readonly byOperation = new Map<Operation, Tally>();

  /** One evolution attempt: `reason` is undefined when it passed. */
  record(round: number, operation: Operation, reason: string | undefined): void {
    for (const tally of [this.tallyOf(this.byRound, round), this.tallyOf(this.byOperation, operation)]) {
      tally.attempts++;
      if (reason === undefined) tally.passed++;
      else tally.rejectedByReason[reason] = (tally.rejectedByReason[reason] ?? 0) + 1;
    }
  }

  toJSON(): Record<string, unknown> {
    const view = (tally: Tally) => ({ ...tally, passRate: tally.attempts === 0 ? 0 : round4(tally.passed / tally.attempts) });
    const eliminatedByReason: Record<string, number> = {};
    for (const tally of this.byRound.values()) {
      for (const [reason, n] of Object.entries(tally.rejectedByReason)) eliminatedByReason[reason] = (eliminatedByReason[reason] ?? 0) + n;
    }
    return {
      perRound: [...this.byRound.entries()].sort(([a], [b]) => a - b).map(([round, tally]) => ({ round, ...view(tally) })),
      perOperation: Object.fromEntries([...this.byOperation.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([op, tally]) => [op, view(tally)])),
      eliminatedByReason,
    };
  }

  private tallyOf<K>(map: Map<K, Tally>, key: K): Tally {
    let tally = map.get(key);
    if (!tally) {
      tally = emptyTally();
      map.set(key, tally);
    }
    return tally;
  }
}

function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
