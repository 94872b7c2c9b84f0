import { describe, expect, it } from "vitest";
import { runOrdered } from "../../src/runtime/ordered.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("runOrdered", () => {
  it("commits in unit order although units finish out of order, with the concurrency asked", async () => {
    const committed: number[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const summary = await runOrdered({
      start: 3,
      end: 40,
      window: 5,
      work: async (unit) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await sleep((unit * 7919) % 13);
        inFlight--;
        return unit * 2;
      },
      commit: (unit, result) => {
        expect(result).toBe(unit * 2);
        committed.push(unit);
      },
    });
    expect(committed).toEqual(Array.from({ length: 37 }, (_, i) => i + 3));
    expect(maxInFlight).toBe(5);
    expect(summary).toEqual({ committed: 37, stoppedBy: "end" });
  });

  it("stops when commit says the target is reached, committing nothing after it", async () => {
    const committed: number[] = [];
    const summary = await runOrdered({
      start: 0,
      window: 4,
      work: async (unit) => {
        await sleep(unit % 3);
        return unit;
      },
      commit: (unit) => {
        committed.push(unit);
        return unit < 9;
      },
    });
    expect(committed).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(summary.stoppedBy).toBe("commit");
  });

  it("waits for units in flight when the target is reached, so none is left running", async () => {
    let running = 0;
    const summary = await runOrdered({
      start: 0,
      window: 6,
      work: async (unit) => {
        running++;
        await sleep(unit === 0 ? 1 : 20);
        running--;
        return unit;
      },
      commit: (unit) => unit < 0,
    });
    expect(summary).toEqual({ committed: 1, stoppedBy: "commit" });
    expect(running).toBe(0);
  });

  it("rejects with the first failure after in-flight units settle", async () => {
    const committed: number[] = [];
    await expect(
      runOrdered({
        start: 0,
        end: 20,
        window: 3,
        work: async (unit) => {
          await sleep(1);
          if (unit === 5) throw new Error("server unreachable");
          return unit;
        },
        commit: (unit) => void committed.push(unit),
      }),
    ).rejects.toThrow("server unreachable");
    expect(committed).toEqual([0, 1, 2, 3, 4]);
  });

  it("does nothing when start is already at the end", async () => {
    const summary = await runOrdered({ start: 5, end: 5, window: 2, work: async () => 1, commit: () => undefined });
    expect(summary).toEqual({ committed: 0, stoppedBy: "end" });
  });
});
