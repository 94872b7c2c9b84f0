/**
 * Run numbered units of work concurrently but commit their results strictly in unit order.
 *
 * In-order commits make a stage deterministic (the greedy similarity filter sees replies in the
 * same order whatever the network did) and make resume exact: the run directory holds units
 * 0..n-1, and a re-run starts at n. Replies that finished out of order wait in a bounded buffer.
 */
export interface OrderedOptions<T> {
  /** First unit to run (the run directory's `nextUnit` on resume). */
  start: number;
  /** Units to run in all; omit for open-ended work that stops via `shouldContinue`. */
  end?: number;
  /** Units in flight at once (the LLM client applies its own concurrency cap below this). */
  window: number;
  work: (unit: number) => Promise<T>;
  /** Called in unit order; return false to stop (e.g. the target count was reached). */
  commit: (unit: number, result: T) => boolean | void;
  /** Checked before launching each unit. */
  shouldContinue?: () => boolean;
  /** Aborting stops launching; units in flight are abandoned. */
  signal?: AbortSignal;
}

export interface OrderedSummary {
  committed: number;
  stoppedBy: "end" | "commit" | "condition" | "abort";
}

export async function runOrdered<T>(options: OrderedOptions<T>): Promise<OrderedSummary> {
  const { start, end = Number.POSITIVE_INFINITY, window, work, commit, shouldContinue = () => true, signal } = options;
  const done = new Map<number, T>();
  let nextToLaunch = start;
  let nextToCommit = start;
  let inFlight = 0;
  let stoppedBy: OrderedSummary["stoppedBy"] | undefined;
  let failure: unknown;

  return new Promise<OrderedSummary>((resolvePromise, rejectPromise) => {
    const finishIfIdle = (): void => {
      if (failure !== undefined) {
        if (inFlight === 0) rejectPromise(failure);
        return;
      }
      // Units still in flight when the target is reached are waited for (their replies are then
      // cached and counted in the manifest); only an abort (Ctrl-C) leaves them behind.
      if (stoppedBy !== undefined && (inFlight === 0 || stoppedBy === "abort")) {
        resolvePromise({ committed: nextToCommit - start, stoppedBy });
      }
    };

    const drainInOrder = (): void => {
      while (stoppedBy === undefined && done.has(nextToCommit)) {
        const result = done.get(nextToCommit) as T;
        done.delete(nextToCommit);
        const keepGoing = commit(nextToCommit, result);
        nextToCommit++;
        if (keepGoing === false) stoppedBy = "commit";
      }
      if (stoppedBy === undefined && nextToCommit >= end) stoppedBy = "end";
    };

    const launchMore = (): void => {
      while (stoppedBy === undefined && failure === undefined && inFlight < window && nextToLaunch < end) {
        if (signal?.aborted) {
          stoppedBy = "abort";
          break;
        }
        if (!shouldContinue()) {
          if (inFlight === 0 && done.size === 0) stoppedBy = "condition";
          break;
        }
        // Keep the reorder buffer bounded: a slow unit must not let thousands pile up behind it.
        if (nextToLaunch - nextToCommit >= window * 4) break;
        launch(nextToLaunch++);
      }
      if (stoppedBy === undefined && inFlight === 0 && nextToLaunch >= end && done.size === 0) stoppedBy = "end";
      finishIfIdle();
    };

    const launch = (unit: number): void => {
      inFlight++;
      work(unit).then(
        (result) => {
          inFlight--;
          done.set(unit, result);
          try {
            drainInOrder();
          } catch (error) {
            failure ??= error;
          }
          launchMore();
        },
        (error: unknown) => {
          inFlight--;
          failure ??= error;
          finishIfIdle();
        },
      );
    };

    signal?.addEventListener("abort", () => {
      stoppedBy ??= "abort";
      finishIfIdle();
    });
    launchMore();
  });
}
