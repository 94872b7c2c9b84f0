/** The generate stage's safety stop: a run that keeps getting nothing new fails with the reasons why. */
import { UserError } from "../../errors.js";
import type { StageRun } from "../../runtime/stageRun.js";

/** A run that keeps getting nothing new from this many requests in a row stops with an error. */
export const MAX_BARREN_REQUESTS = 100;

export function barrenRunError(run: StageRun): UserError {
  const reasons = Object.entries(run.runDir.rejectedCounts())
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(", ");
  return new UserError(
    `${MAX_BARREN_REQUESTS} requests in a row produced no new task (top rejection reasons: ${reasons || "none"}); ` +
      `check the model and prompt, see ${run.runDir.dir}/rejected.jsonl. Re-running resumes where this stopped.`,
  );
}
