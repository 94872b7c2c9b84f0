/**
 * The lock's crash test, short form for the unit suite: 5 SIGKILL + immediate re-run cycles.
 * `npm run test:chaos` runs the full 50 (scripts/chaos.ts). See lockChaos.ts for the checks.
 */
import { afterAll, expect, it } from "vitest";
import { makeTempDir, removeDir } from "./harness.js";
import { runLockChaos } from "./lockChaos.js";

const workDir = makeTempDir("lock-chaos");
afterAll(() => removeDir(workDir));

it("SIGKILL then an immediate re-run: never refused by the lock, never two writers, same data", async () => {
  const report = await runLockChaos({ cycles: 5, num: 300, latencyMs: 30 }, workDir);
  expect(report.problems).toEqual([]);
  expect(report.cycles).toBe(5);
  expect(report.refused).toBe(0);
  expect(report.twoWriters).toBe(0);
  expect(report.completedJobs).toBeGreaterThanOrEqual(1);
  expect(report.zombies, "the killed CLIs were left unreaped, as under a PID 1 that does not reap").toBeGreaterThan(0);
}, 120_000);
